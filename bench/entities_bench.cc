// Speed of the entities stage on the 1,000 Reuters-21578 records of reut2-000.sgm
// (research use only: never shipped) and on the seed article. Each record is
// decoded and segmented once, outside the timed loop; the loop runs only the
// entities stage on a copy of the article. Bytes processed = Article.text bytes.
//   ./build/bench/entities_bench
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "pipeline/stage_registry.h"
#include "tests/stages/testing/corpus.h"

namespace newsd {
namespace {

std::string ReadCorpusFile(absl::string_view relative) {
  absl::StatusOr<std::string> data = testing::ReadFile(testing::CorpusPath(relative));
  if (!data.ok()) {
    std::cerr << data.status() << "\n";
    std::exit(1);
  }
  return *std::move(data);
}

StagePtr MakeStage(const char* name) {
  v1::StageConfig config;
  config.set_name(name);
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  if (!stage.ok()) {
    std::cerr << name << ": " << stage.status() << "\n";
    std::exit(1);
  }
  return *std::move(stage);
}

// Articles as the entities stage sees them in the default chain.
std::vector<v1::Article> Prepare(const std::vector<std::string>& raw) {
  const StagePtr decode = MakeStage("decode");
  const StagePtr segment = MakeStage("segment");
  const StagePtr language = MakeStage("language");
  std::vector<v1::Article> out;
  for (const std::string& value : raw) {
    v1::Article article;
    StageContext ctx;
    ctx.payload = value;
    if (!decode->Process(article, ctx).ok() || !segment->Process(article, ctx).ok() ||
        !language->Process(article, ctx).ok()) {
      continue;
    }
    out.push_back(std::move(article));
  }
  return out;
}

const std::vector<v1::Article>& Reuters() {
  static const auto* const articles = [] {
    const std::vector<std::string> records = testing::SplitReutersRecords(
        ReadCorpusFile("reuters21578/original/reut2-000.sgm.gz"));
    return new std::vector<v1::Article>(Prepare(records));
  }();
  return *articles;
}

const std::vector<v1::Article>& Seed() {
  static const auto* const articles =
      new std::vector<v1::Article>(Prepare({ReadCorpusFile("seed/lavrov-syria-2013.txt")}));
  return *articles;
}

void RunEntities(benchmark::State& state, const std::vector<v1::Article>& articles) {
  static const StagePtr stage = MakeStage("entities");
  StageContext ctx;
  size_t i = 0;
  int64_t bytes = 0;
  size_t entities = 0;
  for (auto _ : state) {
    v1::Article article = articles[i];
    if (!stage->Process(article, ctx).ok()) state.SkipWithError("entities failed");
    bytes += static_cast<int64_t>(article.text().size());
    entities += article.entities_size();
    benchmark::DoNotOptimize(article);
    i = (i + 1) % articles.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["articles/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["entities/article"] =
      static_cast<double>(entities) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

void BM_EntitiesReuters(benchmark::State& state) { RunEntities(state, Reuters()); }
BENCHMARK(BM_EntitiesReuters)->Unit(benchmark::kMicrosecond);

void BM_EntitiesSeed(benchmark::State& state) { RunEntities(state, Seed()); }
BENCHMARK(BM_EntitiesSeed)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace newsd

BENCHMARK_MAIN();
