// End to end on a real Kafka broker: the `newsd` binary as a subprocess, real stages,
// 2,000 Reuters-21578 stories + the seed + 4 malformed messages + a null value
// (skipped), a kill -9 in the middle of the run, a restart, and a graceful SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <librdkafka/rdkafkacpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/chain.h"
#include "pipeline/cli_tools.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

class DaemonIntegrationTest : public ::testing::TestWithParam<std::string> {};

// Parameter: the `delivery` mode. EXACTLY_ONCE must show no duplicate at all after
// the kill -9 (outputs read with read_committed); AT_LEAST_ONCE may duplicate.
TEST_P(DaemonIntegrationTest, RealBrokerEndToEndWithKillAndRestart) {
  const bool exactly_once = GetParam() == "EXACTLY_ONCE";
  const std::string run = absl::StrCat(GetParam(), "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  const std::string in = "it.raw." + run, out = "it.events." + run, dlq = "it.dlq." + run;
  const std::string group = "it-newsd-" + run;
  const std::string corpus = NEWSD_CORPUS_DIR;

  // 2,000 Reuters stories (NEWID 1–2000 are reut2-000 and reut2-001), the seed, garbage.
  auto reuters = MessagesFromFiles({corpus + "/reuters21578/original/reut2-000.sgm.gz",
                                    corpus + "/reuters21578/original/reut2-001.sgm.gz"},
                                   in, std::nullopt, 2000);
  ASSERT_TRUE(reuters.ok()) << reuters.status();
  ASSERT_EQ(reuters->size(), 2000u);
  auto seed = MessagesFromFiles({corpus + "/seed/lavrov-syria-2013.txt"}, in,
                                "2013-09-12T12:00:00Z");
  ASSERT_TRUE(seed.ok());
  std::vector<OutboundMessage> input = *reuters;
  input.push_back(seed->front());
  // Invalid UTF-8 is replaced by U+FFFD and flagged by decode, not dead-lettered.
  OutboundMessage bad_utf8;
  bad_utf8.topic = in;
  bad_utf8.key = "bad-utf8";
  bad_utf8.value = std::string("Headline\nBody with \xff\xfe bytes \xc3\x28 here\n");
  input.push_back(std::move(bad_utf8));
  const size_t good = input.size();

  std::map<std::string, std::string> bad_reason;  // key → expected reason substring
  auto add_bad = [&](const std::string& key, std::optional<std::string> value,
                     const std::string& reason) {
    OutboundMessage m;
    m.topic = in;
    m.key = key;
    m.value = std::move(value);
    input.push_back(std::move(m));
    bad_reason[key] = reason;
  };
  add_bad("bad-empty", std::string(), "empty");
  // A null value is not an article: skipped (no event, no dead letter).
  OutboundMessage null_value;
  null_value.topic = in;
  null_value.key = "null";
  input.push_back(std::move(null_value));
  const size_t null_index = input.size() - 1;
  std::string random_bytes(2 * 1024 * 1024, '\0');
  std::mt19937 rng(42);
  for (char& c : random_bytes) c = static_cast<char>(rng());
  add_bad("bad-random", random_bytes, "");
  std::string truncated = *(*reuters)[5].value;
  truncated.resize(truncated.size() / 2);
  add_bad("bad-truncated", truncated, "truncated");

  // The first half goes in before the first run, the rest while the daemon is down,
  // so the kill -9 lands in the middle of the stream.
  const size_t half = 1000;
  std::vector<OutboundMessage> first(input.begin(), input.begin() + half);
  std::vector<OutboundMessage> second(input.begin() + half, input.end());
  std::vector<Position> positions, positions2;
  ASSERT_TRUE(ProduceAll(Bootstrap(), first, absl::Seconds(120), &positions).ok());

  const int metrics_port = FreePort();
  const std::string dir = ::testing::TempDir();
  const std::string config = dir + "/newsd-it-" + run + ".textproto";
  const std::string log = dir + "/newsd-it-" + run + ".log";
  auto write_config = [&](int commit_interval_ms) {
    std::ofstream(config) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"" << group
                          << "\" input_topics: \"" << in << "\" output_topic: \"" << out
                          << "\" dead_letter_topic: \"" << dlq << "\"\n"
                          // The killed member holds its partitions until its session
                          // times out: keep that short so the restart is quick.
                          << "  consumer_properties { key: \"session.timeout.ms\" value: \"6000\" }"
                          << " }\n"
                          << "metrics_address: \"127.0.0.1:" << metrics_port << "\"\n"
                          << "delivery: " << GetParam() << "\n"
                          << "commit_interval_ms: " << commit_interval_ms
                          << "\nshutdown_timeout_ms: 20000\n";
  };
  // First run commits rarely, so the kill leaves processed-but-uncommitted messages.
  write_config(4000);

  // First run: kill -9 once some output has been published.
  {
    DaemonProcess daemon(config, log);
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    double published = 0;
    while (absl::Now() < deadline) {
      published = MetricSum(HttpGet(metrics_port, "/metrics"), "newsd_events_published_total");
      if (published >= 300) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    ASSERT_GE(published, 300) << "no progress; see " << log;
    int status = daemon.Kill(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status));
  }
  ASSERT_TRUE(ProduceAll(Bootstrap(), second, absl::Seconds(120), &positions2).ok());
  positions.insert(positions.end(), positions2.begin(), positions2.end());
  std::map<std::pair<int32_t, int64_t>, size_t> index;  // position → input index
  for (size_t i = 0; i < positions.size(); ++i) {
    index[{positions[i].partition, positions[i].offset}] = i;
  }
  ASSERT_EQ(index.size(), input.size());
  write_config(200);

  Offsets at_kill = QueryOffsets(group, in, 3);
  int64_t committed_at_kill = 0;
  for (const auto& [p, o] : at_kill.committed) committed_at_kill += std::max<int64_t>(o, 0);
  EXPECT_LT(committed_at_kill, static_cast<int64_t>(input.size())) << "killed too late";

  // Second run: resumes from the committed offsets and reaches the end.
  {
    DaemonProcess daemon(config, log);
    const absl::Time deadline = absl::Now() + absl::Seconds(180);
    bool done = false;
    while (!done && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(250));
      Offsets o = QueryOffsets(group, in, 3);
      done = !o.end.empty();
      for (const auto& [p, end] : o.end) done = done && o.committed[p] == end;
    }
    ASSERT_TRUE(done) << "committed offsets never reached the end; see " << log;
    std::string metrics = HttpGet(metrics_port, "/metrics");
    EXPECT_THAT(HttpGet(metrics_port, "/readyz"), HasSubstr("200"));
    const double consumed = MetricSum(metrics, "newsd_messages_consumed_total");
    const double published = MetricSum(metrics, "newsd_events_published_total");
    const double dead = MetricSum(metrics, "newsd_dead_letters_total");
    const double skipped = MetricSum(metrics, "newsd_inputs_skipped_total");
    EXPECT_GT(consumed, 0);
    // (An aborted transaction re-consumes its messages, so only at-least-once
    // counts match one to one.)
    if (!exactly_once) EXPECT_EQ(consumed, published + dead + skipped) << metrics;
    int status = daemon.Kill(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << "SIGTERM did not exit in time";
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }

  // Every input has its output: one event per good input, one dead letter per bad
  // one (at least once: the kill -9 may have duplicated a few, never lost one).
  std::map<size_t, int> events_per_input, dead_per_input;
  size_t duplicates = 0;
  ASSERT_TRUE(ConsumeAll(Bootstrap(), {out, dlq}, 1u << 30, absl::Seconds(10),
                         [&](const ConsumedRecord& r) {
                           if (r.topic == out && !r.value) return;  // tombstone
                           if (r.topic == out) {
                             v1::ArticleEvent e;
                             ASSERT_TRUE(e.ParseFromString(*r.value));
                             auto it = index.find({e.article().source().partition(),
                                                   e.article().source().offset()});
                             ASSERT_NE(it, index.end());
                             if (input[it->second].key == "bad-utf8") {
                               EXPECT_THAT(e.article().flags(),
                                           ::testing::Contains("invalid_utf8_replaced"));
                             }
                             if (events_per_input[it->second]++) ++duplicates;
                           } else {
                             int32_t p = 0;
                             int64_t o = 0;
                             ASSERT_TRUE(absl::SimpleAtoi(
                                 *FindHeader(r.headers, "__connect.errors.partition"), &p));
                             ASSERT_TRUE(absl::SimpleAtoi(
                                 *FindHeader(r.headers, "__connect.errors.offset"), &o));
                             auto it = index.find({p, o});
                             ASSERT_NE(it, index.end());
                             const std::string key = input[it->second].key.value_or("");
                             ASSERT_TRUE(bad_reason.count(key)) << "good input dead-lettered: "
                                 << key << " " << *FindHeader(r.headers,
                                                              "__connect.errors.exception.message");
                             EXPECT_THAT(*FindHeader(r.headers,
                                                     "__connect.errors.exception.message"),
                                         HasSubstr(bad_reason[key]));
                             EXPECT_EQ(*FindHeader(r.headers, "newsd.errors.stage"), "decode");
                             if (dead_per_input[it->second]++) ++duplicates;
                           }
                         })
                  .ok());
  for (size_t i = 0; i < input.size(); ++i) {
    if (i == null_index) {
      EXPECT_EQ(events_per_input.count(i) + dead_per_input.count(i), 0u) << "null value";
    } else if (i < good) {
      EXPECT_EQ(events_per_input.count(i), 1u) << "lost good input #" << i;
      EXPECT_EQ(dead_per_input.count(i), 0u);
    } else {
      EXPECT_EQ(dead_per_input.count(i), 1u) << "lost bad input " << *input[i].key;
      EXPECT_EQ(events_per_input.count(i), 0u);
    }
  }
  std::cout << "integration (" << GetParam() << "): " << input.size() << " inputs, "
            << duplicates << " duplicates after kill -9, committed at kill: "
            << committed_at_kill << "\n";
  if (exactly_once) EXPECT_EQ(duplicates, 0u);
}

INSTANTIATE_TEST_SUITE_P(Delivery, DaemonIntegrationTest,
                         ::testing::Values("AT_LEAST_ONCE", "EXACTLY_ONCE"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace newsd
