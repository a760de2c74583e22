// The fault suite (real broker): while N articles stream in, kill -9 the daemon three
// times, scale to two instances and back to one, restart the broker once, and feed
// poison pills (malformed, null, truncated, and a message over the per-message time
// budget; a null value is not an article: skipped, not dead-lettered). Then the
// audit reads every output with read_committed:
//   EXACTLY_ONCE: lost = 0 and duplicated = 0;  AT_LEAST_ONCE: lost = 0.
//
// N comes from NEWSD_FAULTS_INPUTS (default 3000, the CI run; the full run is
// tests/integration/faults/run.sh with 21,000).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "pipeline/cli_tools.h"
#include "tests/integration/testing.h"
#include "tests/tools/audit.h"

namespace newsd {
namespace {

size_t InputCount() {
  const char* n = std::getenv("NEWSD_FAULTS_INPUTS");
  size_t v = 3000;
  if (n && !absl::SimpleAtoi(n, &v)) v = 3000;
  return v;
}

// Runs deploy/kafka/kafka.sh with the fixture's environment (port, state dir).
int KafkaScript(const std::string& args) {
  const std::string cmd =
      absl::StrCat("bash ", NEWSD_SOURCE_DIR, "/deploy/kafka/kafka.sh ", args, " >&2");
  return std::system(cmd.c_str());
}

// Reuters records (replayed from all 21 files, cycling) with poison pills mixed in.
std::vector<OutboundMessage> MakeInputs(const std::string& topic, size_t n) {
  std::vector<OutboundMessage> records;
  for (int f = 0; f <= 20 && records.size() < n; ++f) {
    auto batch = MessagesFromFiles(
        {absl::StrFormat("%s/reuters21578/original/reut2-%03d.sgm.gz", NEWSD_CORPUS_DIR, f)},
        topic, std::nullopt);
    if (!batch.ok()) continue;
    records.insert(records.end(), batch->begin(), batch->end());
  }
  std::vector<OutboundMessage> out;
  for (size_t i = 0; out.size() < n; ++i) {
    if (i % 500 == 250) {
      const int kind = static_cast<int>((i / 500) % 5);
      OutboundMessage bad;
      bad.topic = topic;
      bad.key = absl::StrCat("poison-", i);
      switch (kind) {
        case 0: bad.value = std::string("\x00\x01\x02 binary \xff", 13); break;
        case 1: bad.value = std::string(); break;
        case 2: bad.value.reset(); break;  // null value
        case 3: bad.value = records[i % records.size()].value->substr(0, 200); break;
        default: {
          // Valid text far too big to finish within the 300 ms time budget. Each
          // paragraph is numbered: decode collapses runs of identical ones.
          std::string slow = "Headline of a very long article\n\n";
          for (int p = 1; slow.size() < 6 * 1024 * 1024; ++p) {
            absl::StrAppend(&slow, "Minister Sergey Lavrov said on Thursday in Geneva that the U.S. and "
                            "Russia would meet again in round ", p, ", according to officials.\n\n");
          }
          bad.value = std::move(slow);
        }
      }
      out.push_back(std::move(bad));
      continue;
    }
    OutboundMessage m = records[i % records.size()];
    m.key = absl::StrCat("story-", i);
    out.push_back(std::move(m));
  }
  return out;
}

class FaultsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FaultsTest, NothingLostNothingDuplicatedUnderFaults) {
  const bool exactly_once = GetParam() == "EXACTLY_ONCE";
  const size_t n = InputCount();
  const std::string run = absl::StrCat(GetParam(), "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  const std::string in = "faults.raw." + run, out = "faults.events." + run,
                    dlq = "faults.dlq." + run, group = "faults-" + run;
  const std::string dir = ::testing::TempDir();
  const std::string log = dir + "/newsd-faults-" + run + ".log";
  std::vector<OutboundMessage> inputs = MakeInputs(in, n);
  ASSERT_EQ(inputs.size(), n);
  const uint64_t nulls = std::count_if(inputs.begin(), inputs.end(),
                                       [](const OutboundMessage& m) { return !m.value; });

  auto write_config = [&](const std::string& path, int metrics_port) {
    std::ofstream(path) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"" << group
                        << "\" input_topics: \"" << in << "\" output_topic: \"" << out
                        << "\" dead_letter_topic: \"" << dlq << "\"\n"
                        << "  consumer_properties { key: \"session.timeout.ms\" value: \"6000\" }"
                        << " }\n"
                        << "delivery: " << GetParam() << "\n"
                        << "metrics_address: \"127.0.0.1:" << metrics_port << "\"\n"
                        << "commit_interval_ms: 100\nshutdown_timeout_ms: 15000\n"
                        << "message_time_budget_ms: 300\n";
  };
  const std::string config_a = dir + "/faults-a-" + run + ".textproto";
  const std::string config_b = dir + "/faults-b-" + run + ".textproto";
  write_config(config_a, FreePort());
  write_config(config_b, FreePort());
  // Two instances on one host: each needs its own transactional.id, stable across
  // its restarts.
  auto start = [&](const std::string& config, const std::string& id) {
    std::vector<std::string> args;
    if (exactly_once) args = {"--transactional-id", "faults-" + id + "-" + run};
    return std::make_unique<DaemonProcess>(config, log, args);
  };

  // The input streams in during the whole fault schedule (~25 s).
  std::atomic<bool> producing{true};
  absl::Status produce_status;
  std::thread producer([&] {
    const size_t batch = std::max<size_t>(1, n / 50);
    for (size_t i = 0; i < n; i += batch) {
      std::vector<OutboundMessage> part(inputs.begin() + i,
                                        inputs.begin() + std::min(n, i + batch));
      absl::Status s = ProduceAll(Bootstrap(), part, absl::Seconds(120));
      if (!s.ok() && produce_status.ok()) produce_status = s;
      absl::SleepFor(absl::Milliseconds(500));
    }
    producing = false;
  });

  std::unique_ptr<DaemonProcess> a = start(config_a, "a"), b;
  auto at = [t0 = absl::Now()](double seconds) {
    absl::SleepFor(std::max(absl::ZeroDuration(), t0 + absl::Seconds(seconds) - absl::Now()));
  };
  at(4);
  ASSERT_TRUE(WIFSIGNALED(a->Kill(SIGKILL)));  // kill -9 #1
  a = start(config_a, "a");
  at(8);
  b = start(config_b, "b");  // scale to 2
  at(12);
  ASSERT_TRUE(WIFSIGNALED(a->Kill(SIGKILL)));  // kill -9 #2 (B takes over, then shares)
  a = start(config_a, "a");
  at(16);
  ASSERT_EQ(KafkaScript("stop"), 0);  // broker restart
  ASSERT_EQ(KafkaScript("start"), 0);
  at(22);
  int b_status = b->Kill(SIGTERM);  // scale back to 1
  EXPECT_TRUE(WIFEXITED(b_status) && WEXITSTATUS(b_status) == 0) << "see " << log;
  at(25);
  ASSERT_TRUE(WIFSIGNALED(a->Kill(SIGKILL)));  // kill -9 #3
  a = start(config_a, "a");
  producer.join();
  ASSERT_TRUE(produce_status.ok()) << produce_status;

  const absl::Time deadline = absl::Now() + absl::Seconds(240);
  while (!CaughtUp(QueryOffsets(group, in, 3)) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_TRUE(CaughtUp(QueryOffsets(group, in, 3))) << "never caught up; see " << log;
  int a_status = a->Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(a_status) && WEXITSTATUS(a_status) == 0) << "see " << log;

  absl::StatusOr<AuditReport> report = Audit(Bootstrap(), in, out, dlq);
  ASSERT_TRUE(report.ok()) << report.status();
  std::cout << "faults (" << GetParam() << "): " << report->ToString() << "\n";
  EXPECT_EQ(report->inputs, n);
  EXPECT_EQ(report->lost, 0u);
  EXPECT_EQ(report->unknown, 0u);
  EXPECT_GE(report->dead_letters, n / 500 - nulls);  // the poison pills
  EXPECT_EQ(report->skipped_tombstones, nulls);      // skipped, not dead-lettered
  if (exactly_once) EXPECT_EQ(report->duplicated, 0u);
}

INSTANTIATE_TEST_SUITE_P(Delivery, FaultsTest,
                         ::testing::Values("EXACTLY_ONCE", "AT_LEAST_ONCE"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace newsd
