#include "pipeline/message_metrics.h"

#include <deque>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

// Whether the registry exposes a child of `family` with label `name`=`value`.
bool HasSeries(Metrics& metrics, const std::string& family, const std::string& name,
               const std::string& value) {
  for (const prometheus::MetricFamily& f : metrics.registry()->Collect()) {
    if (f.name != family) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      for (const prometheus::ClientMetric::Label& l : m.label) {
        if (l.name == name && l.value == value) return true;
      }
    }
  }
  return false;
}

TEST(ChildCacheTest, ResolvesEachLabelSetOnceWithStableReferences) {
  std::vector<std::string> resolved;
  std::deque<int> metrics;  // stands in for the family's children
  ChildCache<std::string, int> cache([&](const std::string& key) -> int& {
    resolved.push_back(key);
    return metrics.emplace_back(static_cast<int>(metrics.size()));
  });
  int& a = cache.Get("a");
  EXPECT_EQ(&cache.Get("a"), &a);
  int& b = cache.Get("b");
  EXPECT_NE(&a, &b);
  for (int i = 0; i < 40; ++i) cache.Get(absl::StrCat("k", i));  // grows past any block
  EXPECT_EQ(&cache.Get("a"), &a);
  EXPECT_EQ(&cache.Get("b"), &b);
  EXPECT_EQ(resolved.size(), 42u);
  EXPECT_EQ(resolved[0], "a");
  EXPECT_EQ(resolved[1], "b");
}

TEST(MessageMetricsTest, ResolvesTheSameChildrenAsMetrics) {
  Metrics metrics;
  MessageMetrics m(&metrics, {"decode", "segment"}, {"news.raw", "wire.raw"}, "news.events");
  EXPECT_EQ(&m.published(), &metrics.Published("news.events"));
  EXPECT_EQ(&m.consumed("news.raw"), &metrics.Consumed("news.raw"));
  EXPECT_EQ(&m.consumed("wire.raw"), &metrics.Consumed("wire.raw"));
  EXPECT_EQ(&m.consumed("other.raw"), &metrics.Consumed("other.raw"));  // pattern topic
  EXPECT_EQ(m.stage_duration(0), &metrics.StageDuration("decode"));
  EXPECT_EQ(m.stage_duration(1), &metrics.StageDuration("segment"));
  EXPECT_EQ(m.stage_duration(2), nullptr);
  EXPECT_EQ(&m.article_flags("truncated"), &metrics.ArticleFlags("truncated"));
  EXPECT_EQ(&m.dead_letters("decode", "invalid_argument"),
            &metrics.DeadLetters("decode", "invalid_argument"));
  EXPECT_EQ(&m.dead_letters("chain", "deadline_exceeded"),
            &metrics.DeadLetters("chain", "deadline_exceeded"));
  EXPECT_EQ(&m.inputs_skipped("decode", "tombstone"), &metrics.InputsSkipped("decode", "tombstone"));
  EXPECT_EQ(&m.changelog_produced(), &metrics.ChangelogRecords("produced"));
  m.published().Increment();
  m.consumed("news.raw").Increment(2);
  EXPECT_EQ(metrics.Published("news.events").Value(), 1);
  EXPECT_EQ(metrics.Consumed("news.raw").Value(), 2);
}

TEST(MessageMetricsTest, SeriesAppearWhenTheyDidBefore) {
  Metrics metrics;
  MessageMetrics m(&metrics, {"decode"}, {"news.raw"}, "news.events");
  // Known up front: exist at 0 from the start.
  EXPECT_TRUE(HasSeries(metrics, "newsd_messages_consumed_total", "topic", "news.raw"));
  EXPECT_TRUE(HasSeries(metrics, "newsd_events_published_total", "topic", "news.events"));
  EXPECT_TRUE(HasSeries(metrics, "newsd_stage_duration_seconds", "stage", "decode"));
  // Labels that come with the traffic: only once used.
  EXPECT_FALSE(HasSeries(metrics, "newsd_article_flags_total", "flag", "truncated"));
  EXPECT_FALSE(HasSeries(metrics, "newsd_dead_letters_total", "stage", "decode"));
  m.article_flags("truncated").Increment();
  m.dead_letters("decode", "invalid_argument").Increment();
  EXPECT_TRUE(HasSeries(metrics, "newsd_article_flags_total", "flag", "truncated"));
  EXPECT_TRUE(HasSeries(metrics, "newsd_dead_letters_total", "stage", "decode"));
}

// Histogram sample count of newsd_stage_duration_seconds{stage}.
uint64_t StageSamples(Metrics& metrics, const std::string& stage) {
  for (const prometheus::MetricFamily& f : metrics.registry()->Collect()) {
    if (f.name != "newsd_stage_duration_seconds") continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      for (const prometheus::ClientMetric::Label& l : m.label) {
        if (l.name == "stage" && l.value == stage) return m.histogram.sample_count;
      }
    }
  }
  return 0;
}

TEST(MessageMetricsTest, ObservesFlagsOfPublishedArticlesAndStageTimings) {
  Metrics metrics;
  MessageMetrics m(&metrics, {"decode", "segment"}, {"news.raw"}, "news.events");
  ChainResult result;
  result.event.mutable_article()->add_flags("truncated");
  result.event.add_stages()->mutable_duration()->set_nanos(1000);
  result.event.add_stages()->mutable_duration()->set_nanos(2000);
  result.more_events.emplace_back().mutable_article()->add_flags("truncated");
  m.ObserveChainResult(result);
  EXPECT_EQ(metrics.ArticleFlags("truncated").Value(), 2);
  EXPECT_EQ(StageSamples(metrics, "decode"), 1u);
  EXPECT_EQ(StageSamples(metrics, "segment"), 1u);

  // An all-skipped message: its first article is not published, its flags not counted.
  ChainResult skipped;
  skipped.all_skipped = true;
  skipped.event.mutable_article()->add_flags("truncated");
  skipped.event.add_stages();
  skipped.event.add_stages();
  skipped.event.add_stages();  // more timings than stages: the extra one is ignored
  m.ObserveChainResult(skipped);
  EXPECT_EQ(metrics.ArticleFlags("truncated").Value(), 2);
  EXPECT_EQ(StageSamples(metrics, "decode"), 2u);
}

}  // namespace
}  // namespace newsd
