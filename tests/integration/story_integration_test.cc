// Story state shared through the changelog topic, on a real Kafka broker: two
// `newsd run` instances in one consumer group, each owning one partition of a
// two-partition input topic. A story consumed by one instance and its
// near-duplicate consumed by the other are linked; a kill gets a tombstone; an
// embargoed item is published only after its embargo, also when both instances
// were restarted while it was held; after the restart the index is restored and
// a further duplicate is still linked.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/cli_tools.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/kafka_sink.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

using ::testing::Contains;

const char kBody[] =
    "The central bank raised its main interest rate by a quarter point on Tuesday, citing "
    "persistent inflation in services and a tight labour market across the region.\n\n"
    "Economists had expected the move after weeks of signals from policymakers, and bond "
    "markets barely reacted to the announcement in early trading.\n\n"
    "The governor said further increases could not be ruled out if wage growth stays "
    "strong through the winter months and energy prices rise again.";

// The body with one clause replaced (a pickup or a rewrite changing a word).
std::string Edited(const std::string& replacement) {
  std::string body = kBody;
  const std::string from = "and bond markets barely reacted to the announcement in early trading";
  body.replace(body.find(from), from.size(), replacement);
  return body;
}

// A ninjs item; `body` distinguishes stories (the same body is the same story).
std::string Ninjs(const std::string& uri, int version, const std::string& pubstatus,
                  const std::string& headline, const std::string& embargoed = "",
                  const std::string& body = "Shares of the company rose after it reported "
                                            "higher quarterly profit.\\n\\nThe results beat "
                                            "analysts' forecasts.") {
  return absl::StrCat(R"({"uri": ")", uri, R"(", "version": )", version, R"(, "pubstatus": ")",
                      pubstatus, R"(", "headline": ")", headline, R"(", )",
                      embargoed.empty() ? "" : absl::StrCat(R"("embargoed": ")", embargoed, R"(", )"),
                      R"("body_text": ")", body, R"("})");
}

struct Output {
  std::string key;
  bool tombstone = false;
  v1::Article article;
  int32_t partition = -1;
  int64_t offset = -1;
};

class StoryIntegrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    run_ = absl::StrCat(GetParam(), "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
    in_ = "st.raw." + run_;
    out_ = "st.events." + run_;
    dlq_ = "st.dlq." + run_;
    group_ = "st-newsd-" + run_;
    // The input topic with two partitions, one per instance.
    KafkaSinkOptions options;
    options.brokers = Bootstrap();
    auto sink = KafkaSink::Create(options, [](KafkaSink::DeliveryReport) {});
    ASSERT_TRUE(sink.ok()) << sink.status();
    ASSERT_TRUE(KafkaAdmin((*sink)->handle()).CreateTopic(in_, 2, -1, {}, absl::Seconds(30)).ok());
    const std::string dir = ::testing::TempDir();
    config_ = dir + "/newsd-st-" + run_ + ".textproto";
    log_ = dir + "/newsd-st-" + run_ + ".log";
    std::ofstream(config_) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"" << group_
                           << "\" input_topics: \"" << in_ << "\" output_topic: \"" << out_
                           << "\" dead_letter_topic: \"" << dlq_ << "\"\n"
                           << "  consumer_properties { key: \"session.timeout.ms\" value: \"6000\" }"
                           << " }\n"
                           << "delivery: " << GetParam() << "\n"
                           << "shutdown_timeout_ms: 20000\n";
  }

  // Starts instance `i` (0 or 1) with its own metrics port and transactional.id.
  void Start(int i) {
    ports_[i] = FreePort();
    std::vector<std::string> args = {"--metrics-address", absl::StrCat("127.0.0.1:", ports_[i])};
    if (GetParam() == "EXACTLY_ONCE") {
      args.insert(args.end(), {"--transactional-id", absl::StrCat(group_, "-", i)});
    }
    instances_[i] = std::make_unique<DaemonProcess>(config_, log_, args);
  }
  void StopAll() {
    for (auto& instance : instances_) {
      int status = instance->Kill(SIGTERM);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "see " << log_;
      instance.reset();
    }
  }
  double Metric(int i, const std::string& name) {
    return MetricSum(HttpGet(ports_[i], "/metrics"), name);
  }
  // Waits until both instances are ready and each owns one input partition.
  void WaitForAssignment() {
    const absl::Time deadline = absl::Now() + absl::Seconds(90);
    while (absl::Now() < deadline) {
      if (Metric(0, "newsd_ready") == 1 && Metric(1, "newsd_ready") == 1 &&
          Metric(0, "newsd_assigned_partitions") == 1 &&
          Metric(1, "newsd_assigned_partitions") == 1) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    FAIL() << "instances not both assigned; see " << log_;
  }

  void Produce(int partition, const std::string& key, const std::string& value,
               const std::string& content_type = "") {
    OutboundMessage m;
    m.topic = in_;
    m.partition = partition;
    m.key = key;
    m.value = value;
    if (!content_type.empty()) m.headers = {{"content-type", content_type}};
    ASSERT_TRUE(ProduceAll(Bootstrap(), {m}).ok());
  }

  // All outputs so far (read_committed); ordered within each partition only.
  std::vector<Output> Outputs() {
    std::vector<Output> outputs;
    EXPECT_TRUE(ConsumeAll(Bootstrap(), {out_}, 1u << 20, absl::Seconds(2),
                           [&](const ConsumedRecord& r) {
                             Output& o = outputs.emplace_back();
                             o.key = r.key.value_or("");
                             o.tombstone = !r.value.has_value();
                             o.partition = r.partition;
                             o.offset = r.offset;
                             v1::ArticleEvent e;
                             if (r.value) EXPECT_TRUE(e.ParseFromString(*r.value));
                             o.article = e.article();
                           })
                    .ok());
    return outputs;
  }
  // Waits for the event whose input had Kafka key `key` (Article.source.key).
  std::optional<v1::Article> WaitForEvent(const std::string& key, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      for (const Output& o : Outputs()) {
        if (!o.tombstone && o.article.source().key() == key) return o.article;
      }
      absl::SleepFor(absl::Milliseconds(300));
    }
    return std::nullopt;
  }

  std::string run_, in_, out_, dlq_, group_, config_, log_;
  int ports_[2] = {0, 0};
  std::unique_ptr<DaemonProcess> instances_[2];
};

TEST_P(StoryIntegrationTest, TwoInstancesShareTheStoryIndexAcrossRestarts) {
  Start(0);
  Start(1);
  WaitForAssignment();

  // A story on partition 0, its near-duplicate on partition 1.
  Produce(0, "original", absl::StrCat("Central bank raises rates again\n\n", kBody));
  std::optional<v1::Article> original = WaitForEvent("original", absl::Seconds(60));
  ASSERT_TRUE(original.has_value()) << "see " << log_;
  EXPECT_EQ(original->story().story_id(), original->id());
  Produce(1, "pickup", absl::StrCat("Central bank lifts its main rate\n\n",
                                    Edited("and bond markets hardly reacted to the "
                                           "announcement in early trading")));
  std::optional<v1::Article> pickup = WaitForEvent("pickup", absl::Seconds(60));
  ASSERT_TRUE(pickup.has_value()) << "see " << log_;
  EXPECT_EQ(pickup->source().partition(), 1);
  EXPECT_EQ(pickup->story().story_id(), original->id());
  EXPECT_EQ(pickup->story().duplicate_of(), original->id());
  EXPECT_GT(pickup->story().similarity(), 0.7);
  // Each instance consumed one of the two.
  EXPECT_EQ(Metric(0, "newsd_messages_consumed_total"), 1);
  EXPECT_EQ(Metric(1, "newsd_messages_consumed_total"), 1);

  // A kill: the canceled version is published, then a tombstone for its story.
  const std::string guid = "urn:it:story:" + run_;
  Produce(0, "v1", Ninjs(guid, 1, "usable", "Profit rises"), "application/ninjs+json");
  Produce(0, "v2", Ninjs(guid, 2, "canceled", "Profit rises"), "application/ninjs+json");
  std::optional<v1::Article> kill = WaitForEvent("v2", absl::Seconds(60));
  ASSERT_TRUE(kill.has_value()) << "see " << log_;
  EXPECT_TRUE(kill->story().retracted());
  EXPECT_THAT(kill->flags(), Contains("kill"));

  // Embargoes: one lifts in a few seconds, one only after the restart below.
  const absl::Time soon = absl::Now() + absl::Seconds(6);
  const absl::Time later = absl::Now() + absl::Seconds(45);
  auto rfc3339 = [](absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); };
  Produce(1, "embargo-soon",
          Ninjs("urn:it:e1:" + run_, 1, "usable", "Results", rfc3339(soon),
                "The airline will report its results for the third quarter on Monday."),
          "application/ninjs+json");
  Produce(0, "embargo-later",
          Ninjs("urn:it:e2:" + run_, 1, "usable", "Outlook", rfc3339(later),
                "The central bank publishes its inflation outlook for next year."),
          "application/ninjs+json");
  absl::SleepFor(absl::Seconds(2));
  EXPECT_FALSE(WaitForEvent("embargo-soon", absl::Seconds(1)).has_value())
      << "published before its embargo";
  // Both instances know both held events (only the partition owner releases).
  EXPECT_EQ(Metric(0, "newsd_held_events"), 2);
  EXPECT_EQ(Metric(1, "newsd_held_events"), 2);
  std::optional<v1::Article> released = WaitForEvent("embargo-soon", absl::Seconds(30));
  ASSERT_TRUE(released.has_value()) << "never released; see " << log_;
  EXPECT_GE(absl::Now(), soon);

  std::vector<Output> outputs = Outputs();
  bool tombstone_after_kill = false;
  for (const Output& event : outputs) {
    if (event.tombstone || event.article.source().key() != "v2") continue;
    for (const Output& t : outputs) {
      tombstone_after_kill |= t.tombstone && t.key == guid && t.partition == event.partition &&
                              t.offset == event.offset + 1;
    }
  }
  EXPECT_TRUE(tombstone_after_kill) << "no tombstone for the killed story " << guid;

  // Restart both: the index and the held embargo come back from the changelog.
  StopAll();
  Start(0);
  Start(1);
  WaitForAssignment();
  EXPECT_GT(MetricSum(HttpGet(ports_[1], "/metrics"), "newsd_state_store_records"), 0);
  Produce(1, "rewrite", absl::StrCat("Rates rise as central bank acts\n\n",
                                     Edited("and bond markets barely reacted to the "
                                            "statement in early trading")));
  std::optional<v1::Article> rewrite = WaitForEvent("rewrite", absl::Seconds(60));
  ASSERT_TRUE(rewrite.has_value()) << "see " << log_;
  EXPECT_EQ(rewrite->story().story_id(), original->id());
  EXPECT_EQ(rewrite->story().duplicate_of(), original->id());
  // A resend of the killed story stays killed.
  Produce(1, "v2-again", Ninjs(guid, 3, "usable", "Profit rises"), "application/ninjs+json");
  std::optional<v1::Article> resend = WaitForEvent("v2-again", absl::Seconds(60));
  ASSERT_TRUE(resend.has_value());
  EXPECT_TRUE(resend->story().retracted());
  EXPECT_THAT(resend->flags(), Contains("killed_story"));

  std::optional<v1::Article> held = WaitForEvent("embargo-later", later - absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(held.has_value()) << "held event lost across the restart; see " << log_;
  EXPECT_GE(absl::Now(), later);
  StopAll();

  // Every input has exactly one event (the released ones included).
  std::map<std::string, int> events_per_key;
  for (const Output& o : Outputs()) {
    if (!o.tombstone) ++events_per_key[o.article.source().key()];
  }
  for (const char* key : {"original", "pickup", "v1", "v2", "embargo-soon", "embargo-later",
                          "rewrite", "v2-again"}) {
    EXPECT_EQ(events_per_key[key], 1) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Delivery, StoryIntegrationTest,
                         ::testing::Values("EXACTLY_ONCE", "AT_LEAST_ONCE"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace newsd
