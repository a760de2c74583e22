#include "pipeline/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/time/clock.h"
#include "tests/tools/http_get.h"

namespace newsd {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A TCP connection to 127.0.0.1:port that sends `prefix` (possibly nothing) and then
// stays silent; -1 if it could not connect.
int OpenSilentConnection(int port, const std::string& prefix) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return -1;
  if (!prefix.empty()) (void)!write(fd, prefix.data(), prefix.size());
  return fd;
}

// The body of a raw HTTP response (after the blank line ending the headers).
std::string BodyOf(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

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

// Connections that send nothing, or half a request, must not take the probes down:
// a liveness probe that waits for them would restart a healthy daemon.
TEST(MetricsTest, SilentConnectionsDoNotBlockTheProbes) {
  Metrics metrics;
  Health health;
  health.ready = true;
  auto server = MetricsServer::Start("127.0.0.1:0", metrics.registry(), &health);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  std::vector<int> silent;
  for (int i = 0; i < 5; ++i) silent.push_back(OpenSilentConnection(port, ""));
  silent.push_back(OpenSilentConnection(port, "GET /healthz HTTP/1.1\r\nHost: newsd\r\n"));
  for (int fd : silent) ASSERT_GE(fd, 0);
  absl::SleepFor(absl::Milliseconds(300));  // the server has accepted them by now

  for (const char* path : {"/healthz", "/readyz", "/metrics", "/healthz"}) {
    const absl::Time start = absl::Now();
    const std::string response = HttpRequest(port, "GET", path, /*timeout_s=*/40);
    const absl::Duration took = absl::Now() - start;
    EXPECT_THAT(response, StartsWith("HTTP/1.1 200")) << path;
    EXPECT_LT(took, absl::Seconds(1)) << path << " took " << took;
  }

  // The server gives up on them (request timeout): each is answered or closed,
  // well before the 30 s that civetweb waits by default.
  const absl::Time start = absl::Now();
  for (int fd : silent) {
    timeval tv{};
    tv.tv_sec = 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[512];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
    }
    EXPECT_EQ(n, 0) << "the server kept a silent connection open";
    close(fd);
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(MetricsTest, HeadUnknownPathsAndOtherMethods) {
  Metrics metrics;
  Health health;
  health.ready = true;
  auto server = MetricsServer::Start("127.0.0.1:0", metrics.registry(), &health);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  // HEAD: the GET's status and headers, no body.
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    const std::string head = HttpRequest(port, "HEAD", path);
    EXPECT_THAT(head, StartsWith("HTTP/1.1 200")) << path;
    EXPECT_THAT(head, HasSubstr("Content-Type: text/plain")) << path;
    EXPECT_THAT(head, HasSubstr("Content-Length: ")) << path;
    EXPECT_THAT(head, HasSubstr("\r\n\r\n")) << path;
    EXPECT_EQ(BodyOf(head), "") << path;
  }
  EXPECT_THAT(HttpRequest(port, "HEAD", "/healthz"), HasSubstr("Content-Length: 3\r\n"));
  health.ready = false;
  health.not_ready_reason = "starting";
  EXPECT_THAT(HttpRequest(port, "HEAD", "/readyz"), StartsWith("HTTP/1.1 503"));
  EXPECT_EQ(BodyOf(HttpRequest(port, "HEAD", "/readyz")), "");

  // Only the three paths exist, exactly (civetweb's own handler matching also
  // served "/healthzz" and "/metrics/extra").
  for (const char* path : {"/nope", "/", "/metrics/extra", "/healthzz", "/index.html"}) {
    EXPECT_THAT(HttpGet(port, path), ContainsRegex("^HTTP/1\\.[01] 404 ")) << path;
    const std::string head = HttpRequest(port, "HEAD", path);
    EXPECT_THAT(head, ContainsRegex("^HTTP/1\\.[01] 404 ")) << path;
    EXPECT_EQ(BodyOf(head), "") << path;
  }
  // A query string does not change the path.
  EXPECT_THAT(HttpGet(port, "/healthz?verbose=1"), StartsWith("HTTP/1.1 200"));

  // Other methods: 405 with the allowed ones.
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    const std::string response = HttpRequest(port, method, "/metrics");
    EXPECT_THAT(response, StartsWith("HTTP/1.1 405")) << method;
    EXPECT_THAT(response, HasSubstr("Allow: GET, HEAD")) << method;
  }
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
