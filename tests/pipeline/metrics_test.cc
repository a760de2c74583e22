#include "pipeline/metrics.h"


#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/time/clock.h"
#include "tests/tools/http_get.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(MetricsTest, ServesMetricsHealthAndReadiness) {
  Metrics metrics;
  Health health;
  auto server = MetricsServer::Start("127.0.0.1:0", metrics.registry(), &health);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);

  metrics.Consumed("news.raw").Increment(3);
  metrics.Published("news.events").Increment(2);
  metrics.DeadLetters("decode", "invalid_argument").Increment();
  metrics.StageDuration("segment").Observe(0.002);
  metrics.ConsumerLag("news.raw", 1).Set(42);

  std::string body = HttpGet(port, "/metrics");
  EXPECT_THAT(body, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(body, HasSubstr("newsd_messages_consumed_total{topic=\"news.raw\"} 3"));
  EXPECT_THAT(body, HasSubstr("newsd_events_published_total{topic=\"news.events\"} 2"));
  EXPECT_THAT(body,
              HasSubstr("newsd_dead_letters_total{reason=\"invalid_argument\",stage=\"decode\"} 1"));
  EXPECT_THAT(body, HasSubstr("newsd_stage_duration_seconds_count{stage=\"segment\"} 1"));
  EXPECT_THAT(body, HasSubstr("newsd_consumer_lag_messages{partition=\"1\",topic=\"news.raw\"} 42"));
  EXPECT_THAT(body, HasSubstr("newsd_build_info{version=\""));
  EXPECT_THAT(body, HasSubstr("newsd_end_to_end_latency_seconds_bucket"));
  EXPECT_THAT(body, HasSubstr("newsd_inflight_messages 0"));

  EXPECT_THAT(HttpGet(port, "/healthz"), StartsWith("HTTP/1.1 200"));
  health.not_ready_reason = "producer not connected to a broker";
  EXPECT_THAT(HttpGet(port, "/readyz"), StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(HttpGet(port, "/readyz"), HasSubstr("not ready: producer not connected"));
  health.ready = true;
  EXPECT_THAT(HttpGet(port, "/readyz"), StartsWith("HTTP/1.1 200"));
  health.live = false;
  EXPECT_THAT(HttpGet(port, "/healthz"), StartsWith("HTTP/1.1 503"));

  metrics.RemoveConsumerLag("news.raw", 1);
  EXPECT_THAT(HttpGet(port, "/metrics"), Not(HasSubstr("newsd_consumer_lag_messages{")));
}

TEST(MetricsTest, ALoopBlockedInABrokerCallIsNotReady) {
  Metrics metrics;
  Health health;
  int scrapes = 0;
  auto server = MetricsServer::Start("127.0.0.1:0", metrics.registry(), &health, [&] {
    ++scrapes;
    metrics.SetHealth(health, absl::Now());
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  health.ready = true;
  health.heartbeat_unix_ns = absl::ToUnixNanos(absl::Now());
  EXPECT_THAT(HttpGet(port, "/readyz"), StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(HttpGet(port, "/metrics"), HasSubstr("newsd_ready 1"));
  // The loop's last iteration was 7 s ago: it still thinks it is ready.
  health.heartbeat_unix_ns = absl::ToUnixNanos(absl::Now() - absl::Seconds(7));
  const std::string readyz = HttpGet(port, "/readyz");
  EXPECT_THAT(readyz, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(readyz, HasSubstr("the loop has been blocked for 7 s"));
  const std::string body = HttpGet(port, "/metrics");
  EXPECT_THAT(body, HasSubstr("newsd_ready 0"));
  EXPECT_THAT(body, HasSubstr("newsd_loop_seconds_since_iteration 7"));
  EXPECT_EQ(scrapes, 2);
}

TEST(MetricsTest, BadAddressIsRejected) {
  Metrics metrics;
  Health health;
  EXPECT_EQ(MetricsServer::Start("nonsense", metrics.registry(), &health).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetricsTest, ColonPortListensOnAllInterfaces) {
  Metrics metrics;
  Health health;
  auto server = MetricsServer::Start(":0", metrics.registry(), &health);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  EXPECT_THAT(HttpGet((*server)->port(), "/healthz"), StartsWith("HTTP/1.1 200"));
  EXPECT_EQ(MetricsServer::Start("not a host:0", metrics.registry(), &health).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetricsTest, PortInUseIsUnavailable) {
  Metrics metrics;
  Health health;
  auto first = MetricsServer::Start("127.0.0.1:0", metrics.registry(), &health);
  ASSERT_TRUE(first.ok());
  auto second = MetricsServer::Start("127.0.0.1:" + std::to_string((*first)->port()),
                                     metrics.registry(), &health);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace newsd
