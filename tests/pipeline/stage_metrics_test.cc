#include "pipeline/stage_metrics.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

TEST(StageMetricsTest, ScopePrefixesTheStageName) {
  InMemoryStageMetrics backend;
  StageMetrics scope(&backend, "entities");
  StageCounter* c = scope.Counter("entities_total", "help");
  c->Add(3);
  c->Add(2);
  EXPECT_EQ(backend.Value("newsd_stage_entities_entities_total"), 5);
  EXPECT_EQ(backend.Value("newsd_stage_entities_other_total"), -1);
  // The same name gives the same counter.
  EXPECT_EQ(scope.Counter("entities_total", "help"), c);
  StageHistogram* h = scope.Histogram("seconds", "help", {0.1, 1});
  h->Observe(0.5);
  h->Observe(2);
  EXPECT_EQ(backend.Count("newsd_stage_entities_seconds"), 2);
  EXPECT_DOUBLE_EQ(backend.Value("newsd_stage_entities_seconds"), 2.5);
  EXPECT_EQ(backend.Count("newsd_stage_entities_entities_total"), -1);  // a counter
  EXPECT_THAT(backend.Names(), ::testing::ElementsAre("newsd_stage_entities_entities_total",
                                                      "newsd_stage_entities_seconds"));
}

TEST(StageMetricsTest, CountersAreThreadSafe) {
  InMemoryStageMetrics backend;
  StageCounter* c = StageMetrics(&backend, "s").Counter("n_total", "");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([c] {
      for (int i = 0; i < 10000; ++i) c->Add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(backend.Value("newsd_stage_s_n_total"), 40000);
}

TEST(StageMetricsTest, NoopAcceptsEverything) {
  StageMetrics scope(&NoopStageMetrics::Global(), "x");
  ASSERT_NE(scope.Counter("a_total", ""), nullptr);
  ASSERT_NE(scope.Histogram("b", "", {1}), nullptr);
  scope.Counter("a_total", "")->Add(1);
  scope.Histogram("b", "", {1})->Observe(1);
}

}  // namespace
}  // namespace newsd
