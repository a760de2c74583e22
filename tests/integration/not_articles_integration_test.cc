// Inputs that are not articles on a real broker (the `newsd` binary, default chain):
// a compaction tombstone (null value), a NewsML-G2 conceptItem, a planningItem and
// a newsMessage mixing a conceptItem with a newsItem, between two plain articles,
// and a last tombstone.
// None may reach the dead-letter topic; they are counted in
// newsd_inputs_skipped_total{stage="decode",kind}; the articles around them, the
// newsMessage's newsItem included, are published; the committed offsets reach the
// end of the input (exactly-once: through the transactions).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/cli_tools.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

using ::testing::UnorderedElementsAre;

constexpr const char* kConceptItem = R"(<?xml version="1.0" encoding="UTF-8"?>
<conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:it:concept:1" version="1"
    standard="NewsML-G2" standardversion="2.35">
  <itemMeta><itemClass qcode="cinat:concept"/><provider qcode="nprov:IT"/>
    <versionCreated>2024-05-01T10:00:00Z</versionCreated></itemMeta>
  <concept><conceptId qcode="it:geneva"/><type qcode="cpnat:geoArea"/>
    <name>Geneva</name><definition>A city in Switzerland.</definition></concept>
</conceptItem>)";

constexpr const char* kPlanningItem = R"(<planningItem xmlns="http://iptc.org/std/nar/2006-10-01/"
    guid="urn:it:planning:1" version="1" standard="NewsML-G2" standardversion="2.35">
  <contentMeta><headline>Coverage of the talks</headline></contentMeta>
</planningItem>)";

constexpr const char* kMixedMessage = R"(<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <itemSet>
    <conceptItem guid="urn:it:concept:2" version="1"><concept><name>Bern</name></concept></conceptItem>
    <newsItem guid="urn:it:news:1" version="1">
      <contentMeta><headline>Mixed message news item</headline></contentMeta>
      <contentSet><inlineData contenttype="text/plain">Talks resumed.</inlineData></contentSet>
    </newsItem>
  </itemSet>
</newsMessage>)";

class NotArticlesIntegrationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NotArticlesIntegrationTest, SkippedCountedCommittedAndTheNextArticlePublished) {
  const std::string run =
      absl::StrCat(GetParam(), "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  const std::string in = "it.notarticles.raw." + run, out = "it.notarticles.events." + run,
                    dlq = "it.notarticles.dlq." + run, group = "it-notarticles-" + run;

  // One key: one partition, in this order.
  std::vector<OutboundMessage> input;
  auto add = [&](std::optional<std::string> value) {
    OutboundMessage m;
    m.topic = in;
    m.key = "k";
    m.value = std::move(value);
    input.push_back(std::move(m));
  };
  add("First article\n\nGENEVA (Reuters) - The first story.");
  add(std::nullopt);  // a compaction tombstone
  add(kConceptItem);
  add(kPlanningItem);
  add(kMixedMessage);
  add("Last article\n\nThe story after the skipped ones.");
  add(std::nullopt);  // the last offset is a skipped input: committed all the same
  ASSERT_TRUE(ProduceAll(Bootstrap(), input, absl::Seconds(60)).ok());

  const int metrics_port = FreePort();
  const std::string dir = ::testing::TempDir();
  const std::string config = dir + "/newsd-notarticles-" + run + ".textproto";
  const std::string log = dir + "/newsd-notarticles-" + run + ".log";
  std::ofstream(config) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"" << group
                        << "\" input_topics: \"" << in << "\" output_topic: \"" << out
                        << "\" dead_letter_topic: \"" << dlq << "\" }\n"
                        << "metrics_address: \"127.0.0.1:" << metrics_port << "\"\n"
                        << "delivery: " << GetParam() << "\n"
                        << "commit_interval_ms: 200\nshutdown_timeout_ms: 20000\n";
  DaemonProcess daemon(config, log);

  // Caught up: every offset committed, the skipped ones included.
  const std::string tombstones = "newsd_inputs_skipped_total{kind=\"tombstone\",stage=\"decode\"}";
  const std::string concepts =
      "newsd_inputs_skipped_total{kind=\"newsml_g2_concept\",stage=\"decode\"}";
  const std::string plans =
      "newsd_inputs_skipped_total{kind=\"newsml_g2_planning\",stage=\"decode\"}";
  std::string metrics;
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  bool caught_up = false;
  while (absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(250));
    // (The partitions the key does not map to stay empty, never committed.)
    const Offsets offsets = QueryOffsets(group, in, 3);
    caught_up = !offsets.end.empty();
    int64_t end_total = 0;
    for (const auto& [p, end] : offsets.end) {
      end_total += end;
      auto committed = offsets.committed.find(p);
      if (end > 0) {
        caught_up = caught_up && committed != offsets.committed.end() && committed->second == end;
      }
    }
    caught_up = caught_up && end_total == static_cast<int64_t>(input.size());
    metrics = HttpGet(metrics_port, "/metrics");
    if (caught_up && MetricSum(metrics, "newsd_inputs_skipped_total") >= 5) break;
  }
  ASSERT_TRUE(caught_up) << "committed offsets never reached the end; see " << log;
  EXPECT_EQ(Sample(metrics, tombstones), 2) << metrics;
  EXPECT_EQ(Sample(metrics, concepts), 2) << metrics;  // alone, and in the newsMessage
  EXPECT_EQ(Sample(metrics, plans), 1) << metrics;
  EXPECT_EQ(MetricSum(metrics, "newsd_inputs_skipped_total"), 5) << metrics;
  EXPECT_EQ(MetricSum(metrics, "newsd_dead_letters_total"), 0) << metrics;
  EXPECT_EQ(MetricSum(metrics, "newsd_events_published_total"), 3) << metrics;
  EXPECT_EQ(MetricSum(metrics, "newsd_messages_consumed_total"), 7) << metrics;
  const int status = daemon.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << "SIGTERM did not exit in time; see " << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see " << log;

  // The articles (keyed by story: any output partition); no dead letter at all.
  std::vector<std::string> headlines;
  size_t dead_letters = 0;
  ASSERT_TRUE(ConsumeAll(Bootstrap(), {out, dlq}, 100, absl::Seconds(5),
                         [&](const ConsumedRecord& r) {
                           if (r.topic == dlq) {
                             ++dead_letters;
                             return;
                           }
                           ASSERT_TRUE(r.value.has_value());
                           v1::ArticleEvent e;
                           ASSERT_TRUE(e.ParseFromString(*r.value));
                           const v1::Article& a = e.article();
                           headlines.push_back(
                               a.text().substr(a.headline().begin(),
                                               a.headline().end() - a.headline().begin()));
                         })
                  .ok());
  EXPECT_EQ(dead_letters, 0u);
  EXPECT_THAT(headlines, UnorderedElementsAre("First article", "Mixed message news item",
                                              "Last article"));
}

INSTANTIATE_TEST_SUITE_P(Delivery, NotArticlesIntegrationTest,
                         ::testing::Values("AT_LEAST_ONCE", "EXACTLY_ONCE"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace newsd
