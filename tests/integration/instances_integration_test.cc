// Instances and their transactional ids on a real Kafka broker: an instance fenced
// by a newer one with the same id stops (exit 1) instead of fencing it back, and a
// second live process with the same id on one host is refused at start.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/cli_tools.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/kafka_sink.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;


struct Topics {
  std::string run, in, out, dlq, group, dir;
  std::string Config(int metrics_port) const {
    const std::string path = absl::StrCat(dir, "/newsd-inst-", run, "-", metrics_port, ".textproto");
    std::ofstream(path) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"" << group
                        << "\" input_topics: \"" << in << "\" output_topic: \"" << out
                        << "\" dead_letter_topic: \"" << dlq << "\"\n"
                        << "  consumer_properties { key: \"session.timeout.ms\" value: \"6000\" }"
                        << " }\nmetrics_address: \"127.0.0.1:" << metrics_port << "\"\n"
                        << "delivery: EXACTLY_ONCE\ncommit_interval_ms: 200\n";
    return path;
  }
};

Topics NewTopics(const std::string& name) {
  Topics s;
  s.run = absl::StrCat(name, "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  s.in = "inst.raw." + s.run;
  s.out = "inst.events." + s.run;
  s.dlq = "inst.dlq." + s.run;
  s.group = "inst-newsd-" + s.run;
  s.dir = ::testing::TempDir();
  return s;
}

OutboundMessage Article(const std::string& topic, int i) {
  OutboundMessage m;
  m.topic = topic;
  m.key = absl::StrCat("story-", i);
  m.partition = i % 2;
  m.value = absl::StrCat("Talks resume ", i, "\nDiplomats met in Geneva on day ", i, ".\n");
  return m;
}

TEST(InstancesIntegrationTest, AFencedInstanceStopsInsteadOfFencingTheNewerOne) {
  const Topics s = NewTopics("fence");
  {
    KafkaSinkOptions options;
    options.brokers = Bootstrap();
    auto admin = KafkaSink::Create(options, [](KafkaSink::DeliveryReport) {});
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE(
        KafkaAdmin((*admin)->handle()).CreateTopic(s.in, 2, -1, {}, absl::Seconds(30)).ok());
  }
  // Input keeps flowing to both partitions while the instances run.
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    for (int i = 0; !stop.load(); ++i) {
      ProduceAll(Bootstrap(), {Article(s.in, 2 * i), Article(s.in, 2 * i + 1)}, absl::Seconds(10))
          .IgnoreError();
      absl::SleepFor(absl::Milliseconds(100));
    }
  });
  const int port_a = FreePort(), port_b = FreePort();
  const std::string log_a = absl::StrCat(s.dir, "/newsd-fence-a-", s.run, ".log");
  const std::string log_b = absl::StrCat(s.dir, "/newsd-fence-b-", s.run, ".log");
  const std::string lock_a = absl::StrCat(s.dir, "/lock-a-", s.run);
  const std::string lock_b = absl::StrCat(s.dir, "/lock-b-", s.run);
  mkdir(lock_a.c_str(), 0755);
  mkdir(lock_b.c_str(), 0755);
  // Two hosts (separate lock directories), one transactional id: a misconfiguration.
  const std::string id = "inst-same-id-" + s.run;
  DaemonProcess a(s.Config(port_a), log_a, {"--transactional-id", id, "--lock-dir", lock_a});
  absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (absl::Now() < deadline &&
         MetricSum(HttpGet(port_a, "/metrics"), "newsd_events_published_total") < 5) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_GE(MetricSum(HttpGet(port_a, "/metrics"), "newsd_events_published_total"), 5)
      << "see " << log_a;

  DaemonProcess b(s.Config(port_b), log_b, {"--transactional-id", id, "--lock-dir", lock_b});
  // A is fenced by B's init_transactions and exits 1 on its own (signal 0: only wait).
  const int status_a = a.Kill(0, absl::Seconds(90));
  ASSERT_NE(status_a, -1) << "the fenced instance kept running; see " << log_a;
  ASSERT_TRUE(WIFEXITED(status_a));
  EXPECT_EQ(WEXITSTATUS(status_a), 1);
  EXPECT_THAT(ReadAll(log_a), HasSubstr("fenced: another producer with transactional.id"));
  EXPECT_THAT(ReadAll(log_a), Not(HasSubstr("replacing it with a new one")));

  // B goes on publishing, never fenced back, never replacing its producer.
  const double before =
      MetricSum(HttpGet(port_b, "/metrics"), "newsd_events_published_total");
  deadline = absl::Now() + absl::Seconds(90);
  while (absl::Now() < deadline &&
         MetricSum(HttpGet(port_b, "/metrics"), "newsd_events_published_total") < before + 10) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  const std::string metrics_b = HttpGet(port_b, "/metrics");
  EXPECT_GE(MetricSum(metrics_b, "newsd_events_published_total"), before + 10) << log_b;
  EXPECT_EQ(Sample(metrics_b, "newsd_transactions_total{result=\"producer_replaced\"}"), 0);
  EXPECT_EQ(Sample(metrics_b, "newsd_transactions_total{result=\"fenced\"}"), 0);
  EXPECT_EQ(MetricSum(metrics_b, "newsd_fatal_errors_total"), 0) << "see " << log_b;
  EXPECT_THAT(ReadAll(log_b), Not(HasSubstr("fenced")));
  stop = true;
  producer.join();
  const int status_b = b.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status_b)) << "see " << log_b;
  EXPECT_EQ(WEXITSTATUS(status_b), 0) << "see " << log_b;
}

TEST(InstancesIntegrationTest, ASecondInstanceWithTheSameIdOnOneHostIsRefused) {
  const Topics s = NewTopics("lock");
  const std::string lock_dir = absl::StrCat(s.dir, "/lock-", s.run);
  mkdir(lock_dir.c_str(), 0755);
  const int port_a = FreePort(), port_b = FreePort(), port_c = FreePort();
  const std::string log_a = absl::StrCat(s.dir, "/newsd-lock-a-", s.run, ".log");
  const std::string log_b = absl::StrCat(s.dir, "/newsd-lock-b-", s.run, ".log");
  const std::string log_c = absl::StrCat(s.dir, "/newsd-lock-c-", s.run, ".log");
  // Default ids: one per instance (here from the metrics port), so both start.
  DaemonProcess a(s.Config(port_a), log_a, {"--lock-dir", lock_dir});
  DaemonProcess c(s.Config(port_c), log_c, {"--lock-dir", lock_dir});
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline && (!absl::StrContains(ReadAll(log_a), "transactional.id") ||
                                    !absl::StrContains(ReadAll(log_c), "transactional.id"))) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(ReadAll(log_a), HasSubstr(absl::StrCat("-", port_a, "' (instance lock")));
  EXPECT_THAT(ReadAll(log_c), HasSubstr(absl::StrCat("-", port_c, "' (instance lock")));
  // The same id as `a`, given explicitly: refused at once with the reason.
  const std::string id_a = absl::StrCat(ReadAll(log_a).substr(
      ReadAll(log_a).find("transactional.id '") + 18));
  const std::string same = id_a.substr(0, id_a.find('\''));
  DaemonProcess b(s.Config(port_b), log_b, {"--transactional-id", same, "--lock-dir", lock_dir});
  const int status_b = b.Kill(0, absl::Seconds(30));
  ASSERT_NE(status_b, -1) << "the second instance started; see " << log_b;
  ASSERT_TRUE(WIFEXITED(status_b));
  EXPECT_NE(WEXITSTATUS(status_b), 0);
  EXPECT_THAT(ReadAll(log_b), HasSubstr("another newsd instance (pid "));
  EXPECT_THAT(ReadAll(log_b), HasSubstr(same));
  for (DaemonProcess* d : {&a, &c}) {
    const int status = d->Kill(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
}

}  // namespace
}  // namespace newsd
