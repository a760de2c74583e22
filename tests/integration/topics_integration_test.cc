// Topic monitoring on a real Kafka broker (issue 20 item 7): a named input topic that
// does not exist counts in newsd_input_topics_missing until it is created, and topics
// created after start, named or matching kafka.input_topic_pattern, are consumed
// within the consumer's metadata refresh interval (set short here).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pipeline/cli_tools.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/kafka_sink.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

absl::Status CreateTopic(const std::string& topic, int partitions) {
  KafkaSinkOptions options;
  options.brokers = Bootstrap();
  absl::StatusOr<std::unique_ptr<KafkaSink>> admin =
      KafkaSink::Create(options, [](KafkaSink::DeliveryReport) {});
  if (!admin.ok()) return admin.status();
  return KafkaAdmin((*admin)->handle()).CreateTopic(topic, partitions, -1, {}, absl::Seconds(30));
}

std::vector<OutboundMessage> Articles(const std::string& topic, int count) {
  std::vector<OutboundMessage> out;
  for (int i = 0; i < count; ++i) {
    OutboundMessage m;
    m.topic = topic;
    m.key = absl::StrCat(topic, "-", i);
    m.value = absl::StrCat("Talks in Geneva ", i, "\nDiplomats met in Geneva.\n");
    out.push_back(std::move(m));
  }
  return out;
}

// Waits up to `timeout` until `metric` (summed over its labels) in /metrics equals
// `want`; returns the last value (-1 when /metrics did not answer).
double AwaitMetric(int port, const std::string& metric, double want, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  double value = -1;
  do {
    const std::string text = HttpGet(port, "/metrics");
    value = text.find(metric) == std::string::npos ? -1 : MetricSum(text, metric);
    if (value == want) break;
    absl::SleepFor(absl::Milliseconds(200));
  } while (absl::Now() < deadline);
  return value;
}

TEST(TopicsIntegrationTest, TopicsCreatedAfterStartAreConsumedAndMissingOnesCounted) {
  const std::string run = absl::StrCat(getpid(), "-", absl::ToUnixMillis(absl::Now()));
  const std::string in = "tp.raw." + run, named = "tp.later." + run;
  const std::string wire = "tp.wire." + run + ".afp";
  const std::string pattern = "^tp[.]wire[.]" + run + "[.].*";
  for (const std::string& t : {in, "tp.events." + run, "tp.dlq." + run}) {
    ASSERT_TRUE(CreateTopic(t, 1).ok()) << t;
  }
  const std::string group = "tp-newsd-" + run;
  const int metrics_port = FreePort();
  const std::string dir = ::testing::TempDir();
  const std::string config = dir + "/newsd-tp-" + run + ".textproto";
  const std::string log = dir + "/newsd-tp-" + run + ".log";
  // A 2 s metadata refresh (newsd's default: 30 s).
  std::ofstream(config) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"" << group
                        << "\" input_topics: \"" << in << "\" input_topics: \"" << named
                        << "\" input_topic_pattern: \"" << pattern
                        << "\" output_topic: \"tp.events." << run << "\" dead_letter_topic: "
                        << "\"tp.dlq." << run << "\" consumer_properties { key: "
                        << "\"topic.metadata.refresh.interval.ms\" value: \"2000\" } }\n"
                        << "metrics_address: \"127.0.0.1:" << metrics_port << "\"\n"
                        << "delivery: AT_LEAST_ONCE\ncommit_interval_ms: 200\n"
                        << "stages { name: \"decode\" }\n";
  DaemonProcess daemon(config, log, {"--lock-dir", dir});

  EXPECT_EQ(AwaitMetric(metrics_port, "newsd_input_topics_missing", 1, absl::Seconds(60)), 1)
      << "the named topic " << named << " does not exist yet; see " << log;
  EXPECT_EQ(AwaitMetric(metrics_port, "newsd_input_topics_subscribed", 1, absl::Seconds(10)), 1);

  ASSERT_TRUE(CreateTopic(named, 1).ok());
  ASSERT_TRUE(CreateTopic(wire, 2).ok());
  std::vector<OutboundMessage> input = Articles(named, 3);
  for (OutboundMessage& m : Articles(wire, 4)) input.push_back(std::move(m));
  ASSERT_TRUE(ProduceAll(Bootstrap(), input, absl::Seconds(60)).ok());
  const absl::Time created = absl::Now();
  // Found at the next metadata refresh (2 s), then a rebalance: well under the 5
  // minutes of librdkafka's default refresh interval.
  EXPECT_EQ(AwaitMetric(metrics_port, "newsd_messages_consumed_total", 7, absl::Seconds(30)), 7)
      << "see " << log;
  EXPECT_LT(absl::Now() - created, absl::Seconds(30));
  EXPECT_EQ(AwaitMetric(metrics_port, "newsd_input_topics_missing", 0, absl::Seconds(10)), 0);
  EXPECT_EQ(AwaitMetric(metrics_port, "newsd_input_topics_subscribed", 3, absl::Seconds(10)), 3);
  const std::string metrics = HttpGet(metrics_port, "/metrics");
  EXPECT_NE(metrics.find(absl::StrCat("newsd_messages_consumed_total{topic=\"", wire, "\"} 4")),
            std::string::npos)
      << metrics;
  // Every partition consumed to its end and committed: no lag left.
  EXPECT_EQ(AwaitMetric(metrics_port, "newsd_consumer_lag_messages", 0, absl::Seconds(20)), 0);
  const int status = daemon.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << "see " << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see " << log;
}

}  // namespace
}  // namespace newsd
