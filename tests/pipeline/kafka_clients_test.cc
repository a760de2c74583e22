#include "pipeline/kafka_clients.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/config.h"

namespace newsd {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

v1::PipelineConfig Config(const std::string& text) {
  absl::StatusOr<v1::PipelineConfig> c = ParseConfig(text);
  EXPECT_TRUE(c.ok()) << c.status();
  ApplyDefaults(*c);
  return *c;
}

TEST(KafkaClientsTest, ExactlyOnceOptions) {
  const KafkaClientOptions o = KafkaClientOptionsFromConfig(Config(R"pb(
    kafka {
      brokers: "k1:9092"
      group_id: "g"
      transactional_id: "g-1"
      properties { key: "socket.keepalive.enable" value: "true" }
      properties { key: "client.rack" value: "common" }
      consumer_properties { key: "client.rack" value: "consumer" }
      producer_properties { key: "linger.ms" value: "20" }
    }
  )pb"));
  EXPECT_EQ(o.producer.brokers, "k1:9092");
  EXPECT_EQ(o.producer.transactional_id, "g-1");
  EXPECT_THAT(o.producer.properties,
              ElementsAre(Pair("message.max.bytes", "33554432"), Pair("client.rack", "common"),
                          Pair("socket.keepalive.enable", "true"), Pair("linger.ms", "20")));
  EXPECT_EQ(o.consumer.group_id, "g");
  EXPECT_THAT(o.consumer.topics, ElementsAre("news.raw"));
  // read_committed first; the consumer-specific value comes last and wins.
  EXPECT_THAT(o.consumer.properties,
              ElementsAre(Pair("isolation.level", "read_committed"), Pair("client.rack", "common"),
                          Pair("socket.keepalive.enable", "true"),
                          Pair("client.rack", "consumer")));
  EXPECT_EQ(o.changelog.topic, "g-changelog");
  EXPECT_EQ(o.changelog.client_id, "g-changelog-reader");
  EXPECT_THAT(o.changelog.properties, Not(Contains(Pair("isolation.level", "read_committed"))));
}

TEST(KafkaClientsTest, AtLeastOnceOptions) {
  const KafkaClientOptions o = KafkaClientOptionsFromConfig(
      Config(R"pb(kafka { brokers: "k1:9092" } delivery: AT_LEAST_ONCE)pb"));
  EXPECT_EQ(o.producer.transactional_id, "");
  EXPECT_THAT(o.producer.properties, Contains(Pair("message.timeout.ms", "0")));
  EXPECT_THAT(o.consumer.properties, Not(Contains(Pair("isolation.level", "read_committed"))));
}

TEST(KafkaClientsTest, CheckCreatesTheClientsWithoutConnecting) {
  // An unresolvable broker: nothing connects, so the check passes quickly.
  EXPECT_TRUE(CheckKafkaClients(Config(R"pb(kafka { brokers: "no-such-host.invalid:9092" })pb")).ok());
  // A property set for the wrong client, which librdkafka names by its canonical
  // name (request.required.acks): found by creating the client with each alone.
  EXPECT_THAT(
      CheckKafkaClients(
          Config(R"pb(kafka { brokers: "k:1" consumer_properties { key: "acks" value: "all" } })pb"))
          .message(),
      HasSubstr("kafka.consumer_properties[\"acks\"]: librdkafka warns when "
                "creating the consumer"));
  // librdkafka's own cross-property check of a transactional producer.
  EXPECT_THAT(CheckKafkaClients(Config(R"pb(kafka {
                                              brokers: "k:1"
                                              producer_properties { key: "message.timeout.ms" value: "90000" }
                                              producer_properties { key: "transaction.timeout.ms" value: "60000" }
                                            })pb"))
                  .message(),
              HasSubstr("librdkafka cannot create the producer"));
}

}  // namespace
}  // namespace newsd
