#include "pipeline/prometheus_stage_metrics.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

std::string Scrape(prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

TEST(PrometheusStageMetricsTest, CountersAndHistogramsReachTheRegistry) {
  auto registry = std::make_shared<prometheus::Registry>();
  PrometheusStageMetrics backend(registry);
  StageMetrics scope(&backend, "quotes");
  StageCounter* c = scope.Counter("without_speaker_total", "Quotes without a speaker.");
  c->Add(2);
  EXPECT_EQ(scope.Counter("without_speaker_total", "Quotes without a speaker."), c);
  scope.Histogram("length_words", "Words per quote.", {5, 10})->Observe(7);
  const std::string text = Scrape(*registry);
  EXPECT_THAT(text, HasSubstr("# HELP newsd_stage_quotes_without_speaker_total Quotes without a speaker."));
  EXPECT_THAT(text, HasSubstr("newsd_stage_quotes_without_speaker_total 2"));
  EXPECT_THAT(text, HasSubstr("newsd_stage_quotes_length_words_bucket{le=\"5\"} 0"));
  EXPECT_THAT(text, HasSubstr("newsd_stage_quotes_length_words_bucket{le=\"10\"} 1"));
}

}  // namespace
}  // namespace newsd
