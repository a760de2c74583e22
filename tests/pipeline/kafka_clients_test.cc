#include "pipeline/kafka_clients.h"

#include <map>
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

// The value each property ends up with in a client (a later entry wins, as when
// librdkafka applies them in order).
std::map<std::string, std::string> Effective(const KafkaProperties& properties) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : properties) out[name] = value;
  return out;
}

// Every client gets the brokers, the common kafka.properties and its own
// overrides, which win over the common map and over what newsd sets.
TEST(KafkaClientsTest, EveryClientGetsBrokersCommonPropertiesAndItsOverrides) {
  const KafkaClientOptions o = KafkaClientOptionsFromConfig(Config(R"pb(
    kafka {
      brokers: "k1:9092,k2:9092"
      group_id: "g"
      transactional_id: "g-1"
      properties { key: "socket.keepalive.enable" value: "true" }
      properties { key: "client.rack" value: "common" }
      producer_properties { key: "client.rack" value: "producer" }
      producer_properties { key: "linger.ms" value: "20" }
      consumer_properties { key: "client.rack" value: "consumer" }
      consumer_properties { key: "auto.offset.reset" value: "latest" }
    }
  )pb"));
  const auto producer = Effective(ProducerProperties(o.producer));
  const auto consumer = Effective(ConsumerProperties(o.consumer));
  const auto changelog = Effective(ChangelogReaderProperties(o.changelog));
  for (const auto* client : {&producer, &consumer, &changelog}) {
    EXPECT_EQ(client->at("bootstrap.servers"), "k1:9092,k2:9092");
    EXPECT_EQ(client->at("socket.keepalive.enable"), "true");
  }
  EXPECT_EQ(producer.at("client.rack"), "producer");
  EXPECT_EQ(consumer.at("client.rack"), "consumer");
  EXPECT_EQ(changelog.at("client.rack"), "consumer");

  // What newsd sets per client, unless overridden.
  EXPECT_EQ(producer.at("linger.ms"), "20");  // newsd's 5, overridden
  EXPECT_EQ(producer.at("enable.idempotence"), "true");
  EXPECT_EQ(producer.at("compression.type"), "lz4");
  EXPECT_EQ(producer.at("transactional.id"), "g-1");
  EXPECT_EQ(producer.at("message.max.bytes"), "33554432");
  EXPECT_EQ(producer.count("group.id"), 0u);
  EXPECT_EQ(consumer.at("group.id"), "g");
  EXPECT_EQ(consumer.at("auto.offset.reset"), "latest");  // newsd's earliest, overridden
  EXPECT_EQ(consumer.at("enable.auto.commit"), "false");
  EXPECT_EQ(consumer.at("partition.assignment.strategy"), "cooperative-sticky");
  EXPECT_EQ(consumer.at("isolation.level"), "read_committed");
  EXPECT_EQ(consumer.count("linger.ms"), 0u);  // producer overrides stay in the producer
  EXPECT_EQ(changelog.at("group.id"), "g-changelog-reader");
  EXPECT_EQ(changelog.at("client.id"), "g-changelog-reader");
  EXPECT_EQ(changelog.at("enable.partition.eof"), "true");
  EXPECT_EQ(changelog.at("auto.offset.reset"), "latest");
  EXPECT_EQ(changelog.count("linger.ms"), 0u);
}

// The changelog reader reads committed records whatever the settings say; a
// producer without a transactional id is not transactional.
TEST(KafkaClientsTest, WhatNoSettingChanges) {
  ChangelogReaderOptions reader;
  reader.brokers = "k:1";
  reader.client_id = "r";
  reader.properties = {{"isolation.level", "read_uncommitted"}};
  EXPECT_EQ(Effective(ChangelogReaderProperties(reader)).at("isolation.level"), "read_committed");
  KafkaSinkOptions producer;
  producer.brokers = "k:1";
  EXPECT_EQ(Effective(ProducerProperties(producer)).count("transactional.id"), 0u);
  // Settings come after newsd's own, in their order.
  producer.properties = {{"linger.ms", "1"}, {"linger.ms", "2"}};
  const KafkaProperties props = ProducerProperties(producer);
  ASSERT_GE(props.size(), 3u);
  EXPECT_EQ(props.front(), KafkaProperties::value_type("bootstrap.servers", "k:1"));
  const KafkaProperties last_two(props.end() - 2, props.end());
  EXPECT_THAT(last_two, ElementsAre(Pair("linger.ms", "1"), Pair("linger.ms", "2")));
}

// The CLI tools' clients come from the same builder.
TEST(KafkaClientsTest, ToolClients) {
  const KafkaSinkOptions producer = ToolProducerOptions("k:9");
  EXPECT_EQ(producer.brokers, "k:9");
  EXPECT_TRUE(producer.transactional_id.empty());
  const auto producer_props = Effective(ProducerProperties(producer));
  EXPECT_EQ(producer_props.at("bootstrap.servers"), "k:9");
  EXPECT_EQ(producer_props.at("enable.idempotence"), "true");
  EXPECT_EQ(producer_props.at("message.max.bytes"), "33554432");
  const auto consumer = Effective(ToolConsumerProperties("k:9"));
  EXPECT_EQ(consumer.at("bootstrap.servers"), "k:9");
  EXPECT_EQ(consumer.at("isolation.level"), "read_committed");
  EXPECT_EQ(consumer.at("enable.auto.commit"), "false");
  EXPECT_EQ(consumer.at("group.id"), "newsd-consume-tool");
}

}  // namespace
}  // namespace newsd
