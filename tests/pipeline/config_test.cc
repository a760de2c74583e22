#include "pipeline/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::Status ValidateText(const std::string& text) {
  absl::StatusOr<v1::PipelineConfig> c = ParseConfig(text);
  if (!c.ok()) return c.status();
  ApplyDefaults(*c);
  if (text.find("brokers") == std::string::npos) c->mutable_kafka()->set_brokers("b:9092");
  return ValidateConfig(*c);
}

TEST(ConfigTest, DefaultsAreValid) {
  v1::PipelineConfig c = DefaultConfig();
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
  EXPECT_EQ(c.kafka().input_topics(0), "news.raw");
  EXPECT_EQ(c.kafka().output_topic(), "news.events");
  EXPECT_EQ(c.kafka().dead_letter_topic(), "news.dlq");
  ASSERT_EQ(c.stages_size(), 7);
  EXPECT_EQ(c.stages(0).name(), "decode");
  EXPECT_EQ(c.stages(3).name(), "entities");
  EXPECT_EQ(c.stages(4).name(), "quotes");
  EXPECT_EQ(c.stages(5).name(), "times");
}

TEST(ConfigTest, ApplyDefaultsKeepsWhatIsSet) {
  absl::StatusOr<v1::PipelineConfig> c = ParseConfig(R"pb(
    kafka { brokers: "k1:9092" input_topics: "wire.ap" }
    stages { name: "decode" }
  )pb");
  ASSERT_TRUE(c.ok()) << c.status();
  ApplyDefaults(*c);
  EXPECT_EQ(c->kafka().brokers(), "k1:9092");
  EXPECT_EQ(c->kafka().input_topics_size(), 1);
  EXPECT_EQ(c->kafka().output_topic(), "news.events");
  EXPECT_EQ(c->stages_size(), 1);
  EXPECT_EQ(c->max_inflight_messages(), 10000u);
  EXPECT_EQ(c->delivery(), v1::EXACTLY_ONCE);
  EXPECT_EQ(c->commit_interval_ms(), 100u);
  EXPECT_EQ(c->message_time_budget_ms(), 10000u);
}

TEST(ConfigTest, SyntaxErrorHasLineAndColumn) {
  absl::Status s = ParseConfig("kafka {\n  brokers: \"x\"\n  nonsense: 1\n}").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.ToString(), StartsWith("INVALID_ARGUMENT: line 3:"));
  EXPECT_THAT(s.ToString(), HasSubstr("nonsense"));
}

TEST(ConfigTest, ErrorsNameTheFieldPath) {
  EXPECT_THAT(ValidateText(R"pb(kafka { input_topics: "a" input_topics: "" })pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.input_topics[1]: empty topic name"));
  EXPECT_THAT(ValidateText(R"pb(kafka { input_topics: "a" input_topics: "a" })pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.input_topics[1]: duplicate"));
  EXPECT_THAT(ValidateText(R"pb(kafka { properties { key: "enable.auto.commit" value: "true" } })pb")
                  .ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.properties[\"enable.auto.commit\"]"));
  EXPECT_THAT(
      ValidateText(R"pb(kafka { producer_properties { key: "enable.idempotence" value: "false" } })pb")
          .ToString(),
      HasSubstr("INVALID_ARGUMENT: kafka.producer_properties[\"enable.idempotence\"]"));
  EXPECT_THAT(ValidateText(R"pb(kafka { input_topics: "x" output_topic: "x" })pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.output_topic: 'x' is also an input topic"));
  EXPECT_THAT(ValidateText(R"pb(metrics_address: "9464")pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: metrics_address:"));
  EXPECT_TRUE(ValidateText(R"pb(delivery: EXACTLY_ONCE)pb").ok());
  EXPECT_THAT(ValidateText(R"pb(delivery: AT_LEAST_ONCE kafka { transactional_id: "x" })pb")
                  .ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.transactional_id:"));
  EXPECT_THAT(ValidateText(R"pb(stages { name: "decode" } stages { name: "nope" })pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: stages[1]: unknown stage 'nope'"));
  EXPECT_EQ(ValidateText(R"pb(stages { name: "nope" })pb").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConfigTest, MoreSemanticErrors) {
  // A config file must name its brokers: "" never silently means the demo cluster.
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "" })pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.brokers: required"));
  EXPECT_THAT(
      ValidateText(R"pb(kafka { brokers: "b:1" properties { key: "no.such.property" value: "1" } })pb")
          .ToString(),
      HasSubstr("INVALID_ARGUMENT: kafka.properties[\"no.such.property\"]:"));
  EXPECT_THAT(
      ValidateText(
          R"pb(kafka { brokers: "b:1" consumer_properties { key: "fetch.max.bytes" value: "banana" } })pb")
          .ToString(),
      HasSubstr("INVALID_ARGUMENT: kafka.consumer_properties[\"fetch.max.bytes\"]:"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" input_topics: "bad topic!" })pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.input_topics[0]: 'bad topic!' is not a valid"));
  EXPECT_THAT(
      ValidateText(R"pb(kafka { brokers: "b:1" output_topic: "x" dead_letter_topic: "x" })pb")
          .ToString(),
      HasSubstr("INVALID_ARGUMENT: kafka.dead_letter_topic: same topic as kafka.output_topic"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" }
                                stages { name: "decode" } stages { name: "decode" })pb")
                  .ToString(),
              HasSubstr("INVALID_ARGUMENT: stages[1]: stage 'decode' appears twice"));
}

TEST(ConfigTest, NumericSettingsOutsideTheirRangeAreRejected) {
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" } commit_interval_ms: 4294967295)pb")
                  .ToString(),
              HasSubstr("INVALID_ARGUMENT: commit_interval_ms: 4294967295 is outside 1..600000"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" } transaction_call_timeout_ms: 1)pb")
                  .ToString(),
              HasSubstr("transaction_call_timeout_ms: 1 is outside 1000..600000"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" } max_inflight_bytes: 1)pb").ToString(),
              HasSubstr("max_inflight_bytes: 1 is outside 1048576..68719476736"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" } shutdown_timeout_ms: 4294967295)pb")
                  .ToString(),
              HasSubstr("shutdown_timeout_ms: 4294967295 is outside 100..3600000"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" } max_output_bytes: 10)pb").ToString(),
              HasSubstr("max_output_bytes: 10 is outside"));
  // 0 means the default; the bounds themselves are allowed.
  EXPECT_TRUE(ValidateText(R"pb(kafka { brokers: "b:1" } commit_interval_ms: 0
                                max_inflight_bytes: 1048576 message_time_budget_ms: 100)pb")
                  .ok());
}

TEST(ConfigTest, TransactionTimeoutMustOutlastATransaction) {
  // Default transaction.timeout.ms 60000 > 100 + 2 x 10000.
  EXPECT_TRUE(ValidateText(R"pb(kafka { brokers: "b:1" })pb").ok());
  EXPECT_THAT(
      ValidateText(R"pb(kafka {
                          brokers: "b:1"
                          producer_properties { key: "transaction.timeout.ms" value: "5000" }
                        })pb")
          .ToString(),
      HasSubstr("kafka.producer_properties[\"transaction.timeout.ms\"]: 5000 ms must exceed "
                "commit_interval_ms + 2 x transaction_call_timeout_ms = 100 + 2 x 10000 ms"));
  // Set under properties (both clients) it counts too; a long interval needs a longer timeout.
  EXPECT_FALSE(ValidateText(R"pb(kafka {
                                   brokers: "b:1"
                                   properties { key: "transaction.timeout.ms" value: "20000" }
                                 })pb")
                   .ok());
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" } commit_interval_ms: 50000)pb").ToString(),
              HasSubstr("60000 ms (librdkafka's default) must exceed"));
  EXPECT_TRUE(ValidateText(R"pb(kafka {
                                  brokers: "b:1"
                                  producer_properties { key: "transaction.timeout.ms" value: "120000" }
                                }
                                commit_interval_ms: 50000)pb")
                  .ok());
  // At-least-once has no transactions.
  EXPECT_TRUE(ValidateText(R"pb(kafka { brokers: "b:1" } delivery: AT_LEAST_ONCE
                                commit_interval_ms: 50000)pb")
                  .ok());
}

TEST(ConfigTest, ParseHostPort) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseHostPort("127.0.0.1:9464", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9464);
  ASSERT_TRUE(ParseHostPort("[::1]:80", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseHostPort("localhost", &host, &port).ok());
  EXPECT_FALSE(ParseHostPort("h:99999", &host, &port).ok());
  EXPECT_FALSE(ParseHostPort(":80", &host, &port).ok());
}

TEST(ConfigTest, ExampleConfigInDeployIsValid) {
  absl::StatusOr<v1::PipelineConfig> c =
      LoadConfig(std::string(NEWSD_SOURCE_DIR) + "/deploy/newsd.textproto");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(ValidateConfig(*c).ok()) << ValidateConfig(*c);
  EXPECT_EQ(c->kafka().brokers(), "127.0.0.1:19092");
}

TEST(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadConfig("/nonexistent/newsd.textproto").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace newsd
