// Outputs the broker refuses as too large, on a real Kafka broker: an event larger
// than the output topic's max.message.bytes and a dead letter larger than the
// dead-letter topic's never stall their partition. Each input's outputs take the
// next smaller form (refused_outputs.h); the inputs after them are published and
// committed, in both delivery modes.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/chain.h"
#include "pipeline/cli_tools.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/kafka_sink.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

absl::Status CreateTopic(const std::string& topic, int partitions,
                         std::vector<std::pair<std::string, std::string>> configs) {
  KafkaSinkOptions options;
  options.brokers = Bootstrap();
  absl::StatusOr<std::unique_ptr<KafkaSink>> admin =
      KafkaSink::Create(options, [](KafkaSink::DeliveryReport) {});
  if (!admin.ok()) return admin.status();
  return KafkaAdmin((*admin)->handle()).CreateTopic(topic, partitions, -1, configs,
                                                    absl::Seconds(30));
}

// The value of header `name`, or "<missing>".
std::string Header(const std::vector<std::pair<std::string, std::string>>& headers,
                   absl::string_view name) {
  const std::string* value = FindHeader(headers, name);
  return value ? *value : "<missing>";
}

class OversizeIntegrationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OversizeIntegrationTest, RefusedOutputsTakeSmallerFormsAndThePartitionFlows) {
  const bool exactly_once = GetParam() == "EXACTLY_ONCE";
  const std::string run =
      absl::StrCat(GetParam(), "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  const std::string in = "os.raw." + run, out = "os.events." + run, dlq = "os.dlq." + run;
  ASSERT_TRUE(CreateTopic(in, 1, {}).ok());
  ASSERT_TRUE(CreateTopic(out, 1, {{"max.message.bytes", "30000"}}).ok());
  ASSERT_TRUE(CreateTopic(dlq, 1, {{"max.message.bytes", "2000"}}).ok());

  auto article = [&](const std::string& key, const std::string& text) {
    OutboundMessage m;
    m.topic = in;
    m.key = key;
    m.value = text;
    m.headers = {{"published-at", "2013-09-12T12:00:00Z"}};
    return m;
  };
  // ~40 KB of random words (the producer compresses with lz4: repeated prose would
  // shrink below the limit): its event exceeds the output topic's limit.
  std::mt19937 rng(7);
  std::string long_body;
  while (long_body.size() < 40000) {
    const int letters = 3 + static_cast<int>(rng() % 7);
    for (int i = 0; i < letters; ++i) long_body.push_back(static_cast<char>('a' + rng() % 26));
    long_body.append(rng() % 12 == 0 ? ". " : " ");
  }
  std::string binary(6000, '\0');  // decode rejects it; its dead letter is 6 KB
  for (char& c : binary) c = static_cast<char>(rng());
  std::vector<OutboundMessage> input = {
      article("good-1", "Talks resume in Geneva\nDiplomats met in Geneva on Monday.\n"),
      article("big-event", "Long report from Geneva\n" + long_body + "\n"),
      article("good-2", "Markets rise in Tokyo\nShares rose in Tokyo on Tuesday.\n"),
      article("big-dead-letter", binary),
      article("good-3", "Storm hits Manila\nA storm hit Manila on Wednesday.\n"),
      article("big-headers", binary),  // + a 3 KB header: only the headers-only form fits
      article("good-4", "Election in Lima\nPeruvians voted in Lima on Sunday.\n"),
  };
  std::string trace;  // incompressible: lz4 must not shrink it below the limit
  while (trace.size() < 3000) trace.push_back(static_cast<char>('a' + rng() % 26));
  input[5].headers.emplace_back("x-trace", trace);
  ASSERT_TRUE(ProduceAll(Bootstrap(), input, absl::Seconds(60)).ok());

  const std::string group = "os-newsd-" + run;
  const int metrics_port = FreePort();
  const std::string dir = ::testing::TempDir();
  const std::string config = dir + "/newsd-os-" + run + ".textproto";
  const std::string log = dir + "/newsd-os-" + run + ".log";
  std::ofstream(config) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"" << group
                        << "\" input_topics: \"" << in << "\" output_topic: \"" << out
                        << "\" dead_letter_topic: \"" << dlq << "\" }\n"
                        << "metrics_address: \"127.0.0.1:" << metrics_port << "\"\n"
                        << "delivery: " << GetParam() << "\ncommit_interval_ms: 200\n";
  std::vector<std::string> args = {"--lock-dir", dir};
  if (exactly_once) args.insert(args.end(), {"--transactional-id", "os-" + run});
  DaemonProcess daemon(config, log, args);

  // The committed offset reaches the end: nothing stalls the partition.
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  bool done = false;
  while (!done && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(250));
    Offsets o = QueryOffsets(group, in, 1);
    done = o.committed[0] == static_cast<int64_t>(input.size());
  }
  ASSERT_TRUE(done) << "the committed offset never reached the end; see " << log;
  const std::string metrics = HttpGet(metrics_port, "/metrics");
  EXPECT_GE(MetricSum(metrics, "newsd_outputs_refused_total"), 4) << metrics;
  EXPECT_EQ(MetricSum(metrics, "newsd_fatal_errors_total"), 0);
  const int status = daemon.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << "see " << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see " << log;

  std::map<std::string, int> events;  // key of the input → events published
  std::map<std::string, ConsumedRecord> dead_letters;
  std::map<int64_t, std::string> key_at = {{0, "good-1"}, {1, "big-event"}, {2, "good-2"},
                                           {3, "big-dead-letter"}, {4, "good-3"},
                                           {5, "big-headers"}, {6, "good-4"}};
  ASSERT_TRUE(ConsumeAll(Bootstrap(), {out, dlq}, 1000, absl::Seconds(5),
                         [&](const ConsumedRecord& r) {
                           if (r.topic == out) {
                             v1::ArticleEvent e;
                             ASSERT_TRUE(r.value && e.ParseFromString(*r.value));
                             ++events[key_at[e.article().source().offset()]];
                             return;
                           }
                           int64_t offset = -1;
                           ASSERT_TRUE(absl::SimpleAtoi(
                               Header(r.headers, "__connect.errors.offset"), &offset));
                           dead_letters[key_at[offset]] = r;
                         })
                  .ok());
  for (const char* key : {"good-1", "good-2", "good-3", "good-4"}) {
    if (exactly_once) {
      EXPECT_EQ(events[key], 1) << key;
    } else {
      EXPECT_GE(events[key], 1) << key;
    }
  }
  EXPECT_EQ(events.count("big-event"), 0u);
  ASSERT_EQ(dead_letters.size(), 3u);
  // The event was refused: its input went to the dead-letter topic (stage publish),
  // itself too large for it, so without its value.
  const ConsumedRecord& big_event = dead_letters["big-event"];
  EXPECT_FALSE(big_event.value.has_value());
  EXPECT_EQ(Header(big_event.headers, "newsd.errors.stage"), "publish");
  EXPECT_NE(FindHeader(big_event.headers, "newsd.errors.value_omitted_bytes"), nullptr);
  const ConsumedRecord& big_dead = dead_letters["big-dead-letter"];
  EXPECT_FALSE(big_dead.value.has_value());
  EXPECT_EQ(Header(big_dead.headers, "newsd.errors.stage"), "decode");
  EXPECT_EQ(Header(big_dead.headers, "newsd.errors.value_omitted_bytes"), "6000");
  // Without its value still too large (a 3 KB header): the headers-only form.
  const ConsumedRecord& big_headers = dead_letters["big-headers"];
  EXPECT_FALSE(big_headers.value.has_value());
  EXPECT_EQ(FindHeader(big_headers.headers, "x-trace"), nullptr);
  EXPECT_EQ(Header(big_headers.headers, "newsd.errors.headers_omitted"), "2");
  EXPECT_EQ(Header(big_headers.headers, "newsd.errors.stage"), "decode");
  EXPECT_EQ(Header(big_headers.headers, "__connect.errors.offset"), "5");
}

INSTANTIATE_TEST_SUITE_P(Delivery, OversizeIntegrationTest,
                         ::testing::Values("AT_LEAST_ONCE", "EXACTLY_ONCE"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace newsd
