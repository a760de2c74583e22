// KafkaAdmin against librdkafka's in-process mock cluster (pipeline/embedded_cluster.h).
// The mock answers metadata requests but not CreateTopics nor DescribeConfigs
// (librdkafka 2.0): for those it checks the arguments refused before sending
// and that an unanswered request comes back as an error, not a hang or a crash.
// Their successful paths run against a real broker in tests/integration
// (changelog_integration_test: CreateTopic with cleanup.policy=compact and the
// daemon's check of it; oversize_integration_test: max.message.bytes of a topic).
#include "pipeline/kafka_admin.h"

#include <memory>

#include "gtest/gtest.h"
#include "pipeline/embedded_cluster.h"
#include "pipeline/kafka_sink.h"

namespace newsd {
namespace {

std::unique_ptr<KafkaSink> ClientOf(const std::string& brokers) {
  KafkaSinkOptions options;
  options.brokers = brokers;
  absl::StatusOr<std::unique_ptr<KafkaSink>> sink =
      KafkaSink::Create(options, [](KafkaSink::DeliveryReport) {});
  EXPECT_TRUE(sink.ok()) << sink.status();
  return sink.ok() ? *std::move(sink) : nullptr;
}

TEST(KafkaAdminTest, TopicExistsAsksTheClusterMetadata) {
  absl::StatusOr<std::unique_ptr<EmbeddedCluster>> cluster = EmbeddedCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ASSERT_TRUE((*cluster)->CreateTopic("present", 2).ok());
  std::unique_ptr<KafkaSink> client = ClientOf((*cluster)->bootstrap());
  ASSERT_NE(client, nullptr);
  const KafkaAdmin admin(client->handle());
  absl::StatusOr<bool> present = admin.TopicExists("present", absl::Seconds(10));
  ASSERT_TRUE(present.ok()) << present.status();
  EXPECT_TRUE(*present);
  absl::StatusOr<bool> absent = admin.TopicExists("absent", absl::Seconds(10));
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_FALSE(*absent);
  // Asking did not create it (a metadata request for all topics never auto-creates).
  absent = admin.TopicExists("absent", absl::Seconds(10));
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_FALSE(*absent);
  // A topic created since is seen.
  ASSERT_TRUE((*cluster)->CreateTopic("later", 1).ok());
  absl::StatusOr<bool> later = admin.TopicExists("later", absl::Seconds(10));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_TRUE(*later);
}

TEST(KafkaAdminTest, NoBrokerIsAnErrorWithinTheTimeout) {
  // Nothing listens on port 1.
  std::unique_ptr<KafkaSink> client = ClientOf("127.0.0.1:1");
  ASSERT_NE(client, nullptr);
  const KafkaAdmin admin(client->handle());
  const absl::Time start = absl::Now();
  absl::StatusOr<bool> exists = admin.TopicExists("t", absl::Milliseconds(500));
  EXPECT_FALSE(exists.ok());
  absl::StatusOr<std::string> config =
      admin.TopicConfig("t", "max.message.bytes", absl::Milliseconds(500));
  EXPECT_FALSE(config.ok());
  absl::Status created = admin.CreateTopic("t", 1, -1, {}, absl::Milliseconds(500));
  EXPECT_FALSE(created.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(KafkaAdminTest, CreateTopicRefusesBadArgumentsBeforeSending) {
  std::unique_ptr<KafkaSink> client = ClientOf("127.0.0.1:1");
  ASSERT_NE(client, nullptr);
  const KafkaAdmin admin(client->handle());
  // A partition count below -1 (-1: the broker's default) never reaches a broker.
  absl::Status negative = admin.CreateTopic("t", -2, -1, {}, absl::Milliseconds(200));
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument) << negative;
  EXPECT_NE(negative.message().find("create topic 't'"), absl::string_view::npos) << negative;
}

// What the mock does with the two admin requests it does not implement: an
// error naming the topic, never OK and never a made-up value.
TEST(KafkaAdminTest, UnsupportedAdminRequestsOnTheMockAreErrors) {
  absl::StatusOr<std::unique_ptr<EmbeddedCluster>> cluster = EmbeddedCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ASSERT_TRUE((*cluster)->CreateTopic("present", 1).ok());
  std::unique_ptr<KafkaSink> client = ClientOf((*cluster)->bootstrap());
  ASSERT_NE(client, nullptr);
  const KafkaAdmin admin(client->handle());
  absl::StatusOr<std::string> config =
      admin.TopicConfig("present", "max.message.bytes", absl::Seconds(2));
  EXPECT_FALSE(config.ok()) << *config;
  EXPECT_NE(config.status().message().find("describe topic 'present'"), absl::string_view::npos)
      << config.status();
  absl::Status created = admin.CreateTopic("new", 1, -1, {{"cleanup.policy", "compact"}},
                                           absl::Seconds(2));
  EXPECT_FALSE(created.ok());
  EXPECT_NE(created.message().find("create topic 'new'"), absl::string_view::npos) << created;
}

}  // namespace
}  // namespace newsd
