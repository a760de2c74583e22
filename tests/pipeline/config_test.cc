#include "pipeline/config.h"

#include "absl/strings/str_cat.h"
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

TEST(ConfigTest, InputTopicPattern) {
  // A pattern alone: no default input topic is added.
  absl::StatusOr<v1::PipelineConfig> c =
      ParseConfig(R"pb(kafka { brokers: "b:1" input_topic_pattern: "^wire[.].*" })pb");
  ASSERT_TRUE(c.ok()) << c.status();
  ApplyDefaults(*c);
  EXPECT_EQ(c->kafka().input_topics_size(), 0);
  EXPECT_TRUE(ValidateConfig(*c).ok()) << ValidateConfig(*c);
  EXPECT_TRUE(ValidateText(R"pb(kafka { brokers: "b:1" input_topics: "a"
                                        input_topic_pattern: "^wire\\.(ap|afp)$" })pb")
                  .ok());
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" input_topic_pattern: "wire.*" })pb")
                  .ToString(),
              HasSubstr("INVALID_ARGUMENT: kafka.input_topic_pattern: 'wire.*' must start with"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" input_topic_pattern: "^wire[.(" })pb")
                  .ToString(),
              HasSubstr("kafka.input_topic_pattern: '^wire[.(' is not a valid POSIX extended "
                        "regular expression"));
  // It must not match the daemon's own topics.
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" input_topic_pattern: "^news[.].*" })pb")
                  .ToString(),
              HasSubstr("kafka.input_topic_pattern: '^news[.].*' matches 'news.events'"));
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" group_id: "g"
                                        input_topic_pattern: "^g-.*" })pb")
                  .ToString(),
              HasSubstr("matches 'g-changelog'"));
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
  // ":PORT": all interfaces (MetricsServer listens on the bare port).
  ASSERT_TRUE(ParseHostPort(":9464", &host, &port).ok());
  EXPECT_EQ(host, "");
  EXPECT_EQ(port, 9464);
  ASSERT_TRUE(ParseHostPort("kafka-0.kafka.svc.cluster.local:9092", &host, &port).ok());
  EXPECT_EQ(host, "kafka-0.kafka.svc.cluster.local");
  EXPECT_THAT(ParseHostPort("not a host:9464", &host, &port).message(),
              HasSubstr("'not a host' is not a host name or IP address"));
  EXPECT_FALSE(ParseHostPort("-bad-:1", &host, &port).ok());
  EXPECT_FALSE(ParseHostPort("::1:80", &host, &port).ok());  // IPv6 needs brackets
  EXPECT_FALSE(ParseHostPort("[not-v6]:80", &host, &port).ok());
}

// Debian's civetweb cannot listen on IPv6: validation says so instead of the
// daemon failing with "cannot listen" at start.
TEST(ConfigTest, MetricsAddressIsIpv4Only) {
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:1" } metrics_address: "[::1]:9464")pb")
                  .ToString(),
              HasSubstr("built without IPv6"));
  EXPECT_TRUE(ValidateText(R"pb(kafka { brokers: "b:1" } metrics_address: ":9464")pb").ok());
}

// Item 13 of issue 20: configs that `validate-config` passed and the daemon then
// failed on.
TEST(ConfigTest, EmptySaslPasswordIsRejected) {
  const std::string sasl = R"pb(
    kafka {
      brokers: "b:9092"
      properties { key: "security.protocol" value: "SASL_SSL" }
      properties { key: "sasl.mechanism" value: "SCRAM-SHA-512" }
      properties { key: "sasl.username" value: "newsd" }
  )pb";
  EXPECT_EQ(ValidateText(sasl + R"pb(properties { key: "sasl.password" value: "" } })pb")
                .message(),
            "kafka.properties[\"sasl.password\"]: librdkafka cannot create the producer: "
            "sasl.username and sasl.password must be set");
  EXPECT_THAT(ValidateText(sasl + "}").message(),
              HasSubstr("librdkafka cannot create the producer: sasl.username and sasl.password "
                        "must be set"));
  EXPECT_TRUE(ValidateText(sasl + R"pb(properties { key: "sasl.password" value: "pw" } })pb").ok())
      << ValidateText(sasl + R"pb(properties { key: "sasl.password" value: "pw" } })pb");
  // Only the consumers' SASL settings given: the consumer is refused.
  EXPECT_THAT(ValidateText(R"pb(kafka {
                                  brokers: "b:9092"
                                  consumer_properties { key: "security.protocol" value: "SASL_PLAINTEXT" }
                                  consumer_properties { key: "sasl.mechanism" value: "PLAIN" }
                                  consumer_properties { key: "sasl.username" value: "u" }
                                  consumer_properties { key: "sasl.password" value: "" }
                                })pb")
                  .message(),
              HasSubstr("kafka.consumer_properties[\"sasl.password\"]: librdkafka cannot create "
                        "the consumer"));
}

TEST(ConfigTest, PropertyOfTheOtherClientIsRejected) {
  // librdkafka warns (and ignores it): a warning is an error here.
  EXPECT_EQ(
      ValidateText(R"pb(kafka { brokers: "b:9092" consumer_properties { key: "linger.ms" value: "5" } })pb")
          .message(),
      "kafka.consumer_properties[\"linger.ms\"]: librdkafka warns when creating the consumer: "
      "Configuration property queue.buffering.max.ms is a producer property and will be "
      "ignored by this consumer instance");
  EXPECT_THAT(
      ValidateText(
          R"pb(kafka { brokers: "b:9092" producer_properties { key: "fetch.max.bytes" value: "1000000" } })pb")
          .message(),
      HasSubstr("kafka.producer_properties[\"fetch.max.bytes\"]: librdkafka warns when creating "
                "the producer: Configuration property fetch.max.bytes is a consumer property"));
  // kafka.properties reach every client: a producer property belongs in producer_properties.
  EXPECT_THAT(
      ValidateText(R"pb(kafka { brokers: "b:9092" properties { key: "compression.type" value: "lz4" } })pb")
          .message(),
      HasSubstr("kafka.properties[\"compression.type\"]: librdkafka warns when creating the "
                "consumer: Configuration property compression.codec is a producer property and "
                "will be ignored by this consumer instance; kafka.properties go to the producer "
                "and both consumers: move it to kafka.producer_properties"));
  // In the right place they pass.
  EXPECT_TRUE(ValidateText(R"pb(kafka {
                                  brokers: "b:9092"
                                  consumer_properties { key: "fetch.max.bytes" value: "1000000" }
                                  producer_properties { key: "linger.ms" value: "5" }
                                  properties { key: "socket.keepalive.enable" value: "true" }
                                })pb")
                  .ok());
}

TEST(ConfigTest, MetricsAddressMustBeHostPort) {
  EXPECT_EQ(ValidateText(R"pb(kafka { brokers: "b:9092" } metrics_address: "not a host:9464")pb")
                .message(),
            "metrics_address: 'not a host' is not a host name or IP address in 'not a host:9464'");
  EXPECT_THAT(ValidateText(R"pb(kafka { brokers: "b:9092" } metrics_address: "h:http")pb")
                  .message(),
              HasSubstr("metrics_address: bad port"));
  for (const char* ok : {":9464", "0.0.0.0:9464", "localhost:9464", "127.0.0.1:0"}) {
    EXPECT_TRUE(ValidateText(absl::StrCat(R"pb(kafka { brokers: "b:9092" } metrics_address: ")pb",
                                          ok, "\""))
                    .ok())
        << ok;
  }
}

TEST(ConfigTest, BrokerListMustParse) {
  auto with_brokers = [](const std::string& brokers) {
    return ValidateText(absl::StrCat(R"pb(kafka { brokers: ")pb", brokers, "\" }"));
  };
  EXPECT_EQ(with_brokers("k1:9092,,k2:9092").message(),
            "kafka.brokers: empty entry in 'k1:9092,,k2:9092' (expected HOST:PORT,HOST:PORT) "
            "(bootstrap servers \"host:port,...\", or \"embedded\")");
  EXPECT_THAT(with_brokers("k1:9092,not a host:9092").message(),
              HasSubstr("kafka.brokers: 'not a host' is not a host name or IP address"));
  EXPECT_THAT(with_brokers("k1").message(), HasSubstr("kafka.brokers: expected HOST:PORT"));
  EXPECT_THAT(with_brokers("k1:abc").message(), HasSubstr("kafka.brokers: bad port in 'k1:abc'"));
  EXPECT_THAT(with_brokers("k1:0").message(), HasSubstr("kafka.brokers: 'k1:0' has port 0"));
  EXPECT_THAT(with_brokers(":9092").message(), HasSubstr("kafka.brokers: ':9092' has no host"));
  for (const char* ok : {"k1:9092", "k1:9092, k2:9092", "SASL_SSL://k1:9093", "[::1]:9092",
                         "10.0.0.1:9092,10.0.0.2:9092", "embedded"}) {
    EXPECT_TRUE(with_brokers(ok).ok()) << ok << ": " << with_brokers(ok);
  }
}

TEST(ConfigTest, ErrorsNeverShowASecretPropertyValue) {
  // Contrived, but any error that quotes a value is covered the same way.
  absl::Status s = ValidateText(R"pb(kafka {
                                       brokers: "b:9092"
                                       input_topics: "hunter2!"
                                       properties { key: "sasl.password" value: "hunter2!" }
                                     })pb");
  EXPECT_EQ(s.message(),
            "kafka.input_topics[0]: '[redacted]' is not a valid Kafka topic name ([a-zA-Z0-9._-], "
            "at most 249)");
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

TEST(ConfigTest, ValidationBuildsTheChainTheProcessRuns) {
  v1::PipelineConfig c = DefaultConfig();
  InMemoryStageMetrics metrics;
  absl::StatusOr<std::unique_ptr<Chain>> chain = ValidateConfigAndBuildChain(c, &metrics);
  ASSERT_TRUE(chain.ok()) << chain.status();
  ASSERT_NE(*chain, nullptr);
  std::vector<std::string> names;
  for (const v1::StageConfig& s : c.stages()) names.push_back(s.name());
  EXPECT_EQ((*chain)->StageNames(), names);
  // The stages registered their metrics in the backend given.
  EXPECT_THAT(metrics.Names(), ::testing::Contains("newsd_stage_entities_entities_total"));
  // Errors are ValidateConfig's, field path included.
  c.mutable_stages(1)->mutable_segment()->set_locale("en");
  c.mutable_stages(0)->mutable_decode()->set_max_items(0);
  absl::StatusOr<std::unique_ptr<Chain>> bad = ValidateConfigAndBuildChain(c, nullptr);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "stages[0]: decode.max_items: expected an integer in [1, 100000], got \"0\"");
  EXPECT_EQ(ValidateConfig(c).message(), bad.status().message());
}

TEST(ConfigTest, TypedStageOptionsParseFromTextproto) {
  EXPECT_TRUE(ValidateText(R"pb(stages { name: "decode" decode { oversize: "truncate" } }
                                stages { name: "story" story { window: "24h" } })pb")
                  .ok());
  EXPECT_THAT(ValidateText(R"pb(stages { name: "decode" decode { max_bytes: 0 } })pb").ToString(),
              HasSubstr("INVALID_ARGUMENT: stages[0]: decode.max_bytes: expected an integer"));
  EXPECT_THAT(ValidateText(R"pb(stages { name: "decode" decode { colour: 1 } })pb").ToString(),
              HasSubstr("no field named \"colour\""));
}

}  // namespace
}  // namespace newsd
