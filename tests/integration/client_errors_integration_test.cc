// Kafka client errors are visible while the daemon waits for the brokers: a wrong
// SASL configuration, TLS against a plaintext listener and brokers that are all down
// are logged when they happen, named by /readyz (503) and counted in
// newsd_kafka_client_errors_total, within seconds of the start (not after the
// init_transactions timeout, nor only at shutdown). The test broker
// (deploy/kafka/kafka.sh) listens PLAINTEXT only.
#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;


// The first log line at level ERROR containing `needle`, "" if none.
std::string ErrorLine(const std::string& log, absl::string_view needle) {
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, " ERROR ") && absl::StrContains(line, needle)) {
      return std::string(line);
    }
  }
  return "";
}

struct DaemonRun {
  std::string name, config, log;
  int port = 0;
};

// A config for `brokers` with extra kafka `properties` (textproto lines) and
// `delivery`, its metrics on a free port.
DaemonRun NewRun(const std::string& name, const std::string& brokers, const std::string& properties,
           const std::string& delivery = "EXACTLY_ONCE") {
  DaemonRun r;
  const std::string id = absl::StrCat(name, "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  r.name = id;
  r.port = FreePort();
  r.config = absl::StrCat(::testing::TempDir(), "/newsd-", id, ".textproto");
  r.log = absl::StrCat(::testing::TempDir(), "/newsd-", id, ".log");
  std::ofstream(r.config) << "kafka { brokers: \"" << brokers << "\" group_id: \"ce-" << id
                          << "\" input_topics: \"ce.raw." << id << "\" output_topic: \"ce.events."
                          << id << "\" dead_letter_topic: \"ce.dlq." << id << "\"\n"
                          << properties << "}\nmetrics_address: \"127.0.0.1:" << r.port
                          << "\"\ndelivery: " << delivery << "\n";
  return r;
}

struct Observed {
  std::string readyz, metrics, log, error_line;
};

// Polls until the log has an ERROR line containing `log_needle`, /readyz contains
// `reason_needle` and `series` > 0, or `timeout`; what was seen last.
Observed AwaitClientError(const DaemonRun& run, const std::string& log_needle,
                          const std::string& reason_needle, const std::string& series,
                          absl::Duration timeout) {
  Observed o;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    o.readyz = HttpGet(run.port, "/readyz");
    o.metrics = HttpGet(run.port, "/metrics");
    o.log = ReadAll(run.log);
    o.error_line = ErrorLine(o.log, log_needle);
    if ((!o.error_line.empty() && absl::StrContains(o.readyz, reason_needle) &&
         Sample(o.metrics, series) > 0) ||
        absl::Now() >= deadline) {
      return o;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

// SASL_PLAINTEXT with mechanism PLAIN against the PLAINTEXT listener: the broker
// does not speak SASL there, librdkafka fails the handshake as an authentication
// failure.
TEST(ClientErrorsIntegrationTest, SaslAgainstAPlaintextListenerIsLoggedNamedAndCounted) {
  const DaemonRun run = NewRun("sasl", Bootstrap(),
                         "  properties { key: \"security.protocol\" value: \"SASL_PLAINTEXT\" }\n"
                         "  properties { key: \"sasl.mechanism\" value: \"PLAIN\" }\n"
                         "  properties { key: \"sasl.username\" value: \"newsd\" }\n"
                         "  properties { key: \"sasl.password\" value: \"secret\" }\n");
  DaemonProcess daemon(run.config, run.log);
  const std::string series =
      "newsd_kafka_client_errors_total{client=\"producer\",error=\"authentication\"}";
  const Observed o = AwaitClientError(run, "producer: Local: Authentication failure",
                                      "not ready: starting: producer: Local: Authentication "
                                      "failure",
                                      series, absl::Seconds(15));
  EXPECT_NE(o.error_line, "") << "no ERROR line naming the authentication failure; log:\n" << o.log;
  EXPECT_THAT(o.readyz, StartsWith("HTTP/1.1 503")) << o.readyz;
  EXPECT_THAT(o.readyz, HasSubstr("not ready: starting: producer: Local: Authentication failure"))
      << o.readyz << "\nlog:\n" << o.log;
  EXPECT_GT(Sample(o.metrics, series), 0) << o.metrics;
  // The password never reaches the log or the reason.
  EXPECT_THAT(o.log, Not(HasSubstr("secret")));
  EXPECT_THAT(o.readyz, Not(HasSubstr("secret")));
  daemon.Kill(SIGTERM);
}

// TLS against the PLAINTEXT listener: the TLS handshake fails.
TEST(ClientErrorsIntegrationTest, TlsAgainstAPlaintextListenerIsLoggedNamedAndCounted) {
  const DaemonRun run =
      NewRun("ssl", Bootstrap(), "  properties { key: \"security.protocol\" value: \"SSL\" }\n");
  DaemonProcess daemon(run.config, run.log);
  const std::string series = "newsd_kafka_client_errors_total{client=\"producer\",error=\"ssl\"}";
  const Observed o = AwaitClientError(run, "producer: Local: SSL error",
                                      "not ready: starting: producer: Local: SSL error", series,
                                      absl::Seconds(15));
  EXPECT_NE(o.error_line, "") << "no ERROR line naming the SSL failure; log:\n" << o.log;
  EXPECT_THAT(o.readyz, StartsWith("HTTP/1.1 503")) << o.readyz;
  EXPECT_THAT(o.readyz, HasSubstr("not ready: starting: producer: Local: SSL error"))
      << o.readyz << "\nlog:\n" << o.log;
  EXPECT_GT(Sample(o.metrics, series), 0) << o.metrics;
  daemon.Kill(SIGTERM);
}

// Every broker down (nothing listens on the port), in both delivery modes.
TEST(ClientErrorsIntegrationTest, AllBrokersDownIsLoggedNamedAndCounted) {
  for (const std::string delivery : {"EXACTLY_ONCE", "AT_LEAST_ONCE"}) {
    SCOPED_TRACE(delivery);
    const DaemonRun run = NewRun("down", absl::StrCat("127.0.0.1:", FreePort()), "", delivery);
    DaemonProcess daemon(run.config, run.log);
    const std::string series =
        "newsd_kafka_client_errors_total{client=\"producer\",error=\"all_brokers_down\"}";
    const Observed o =
        AwaitClientError(run, "producer: Local: All broker connections are down",
                         "not ready: starting: producer: Local: All broker connections are down",
                         series, absl::Seconds(15));
    EXPECT_NE(o.error_line, "") << "no ERROR line saying all brokers are down; log:\n" << o.log;
    EXPECT_THAT(o.readyz, StartsWith("HTTP/1.1 503")) << o.readyz;
    EXPECT_THAT(o.readyz,
                HasSubstr("not ready: starting: producer: Local: All broker connections are down"))
        << o.readyz << "\nlog:\n" << o.log;
    EXPECT_GT(Sample(o.metrics, series), 0) << o.metrics;
    // The connection failures themselves are counted as transport errors.
    EXPECT_GT(Sample(o.metrics, "newsd_kafka_client_errors_total{client=\"producer\","
                                "error=\"transport\"}"),
              0)
        << o.metrics;
    daemon.Kill(SIGTERM);
  }
}

}  // namespace
}  // namespace newsd
