// Google Benchmark of the quotes and times stages on Reuters-21578 (research use
// only: ../shared/corpus/reuters21578/reuters21578.jsonl.gz, never shipped).
//
//   ./build/bench/quotes_times_bench [--benchmark_filter=Quotes]
//
// The first kArticles stories with a body are built as the decode stage builds
// plain text (headline, blank line, paragraphs), with their wire date as
// published_at, and run once through segment and entities (untimed); each
// benchmark then runs the quotes stage, the times stage, or both, over all of
// them. items_per_second is articles per second on one thread.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bench/eval_quotes_times_common.h"
#include "benchmark/benchmark.h"
#include "tests/stages/testing/corpus.h"

namespace newsd {
namespace {

constexpr size_t kArticles = 2000;

const std::vector<v1::Article>& Articles() {
  static const std::vector<v1::Article>* const kArticlesCache = [] {
    auto* out = new std::vector<v1::Article>;
    absl::StatusOr<std::string> data = testing::ReadFile(
        testing::CorpusPath("reuters21578/reuters21578.jsonl.gz"));
    if (!data.ok()) {
      std::fprintf(stderr, "%s\n", data.status().ToString().c_str());
      std::exit(1);
    }
    const StagePtr segment = eval::MakeStage("segment");
    const StagePtr entities = eval::MakeStage("entities");
    for (absl::string_view line : absl::StrSplit(*data, '\n', absl::SkipEmpty())) {
      const nlohmann::json j = nlohmann::json::parse(line);
      if (!j["body"].is_string() || !j["headline"].is_string()) continue;
      v1::Article a = eval::MakeArticle(j["headline"], j["body"], "en");
      absl::Time published;
      std::string err;
      // date_iso is "1987-02-26T15:01:01.790000", UTC without a zone designator.
      if (j["date_iso"].is_string() &&
          absl::ParseTime("%Y-%m-%d%ET%H:%M:%S", std::string(j["date_iso"]).substr(0, 19),
                          &published, &err)) {
        a.mutable_published_at()->set_seconds(absl::ToUnixSeconds(published));
      }
      StageContext ctx;
      if (!segment->Process(a, ctx).ok() || !entities->Process(a, ctx).ok()) continue;
      out->push_back(std::move(a));
      if (out->size() == kArticles) break;
    }
    return out;
  }();
  return *kArticlesCache;
}

void RunStages(benchmark::State& state, const std::vector<const char*>& names) {
  std::vector<StagePtr> stages;
  for (const char* n : names) stages.push_back(eval::MakeStage(n));
  const std::vector<v1::Article>& articles = Articles();
  size_t quotes = 0, times = 0;
  for (auto _ : state) {
    for (const v1::Article& original : articles) {
      v1::Article a = original;
      for (const StagePtr& s : stages) {
        if (!s->Process(a, StageContext()).ok()) state.SkipWithError("stage failed");
      }
      quotes += a.quotes_size();
      times += a.times_size();
      benchmark::DoNotOptimize(a);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * articles.size()));
  state.counters["quotes_per_article"] = benchmark::Counter(
      static_cast<double>(quotes) / (state.iterations() * articles.size()));
  state.counters["times_per_article"] = benchmark::Counter(
      static_cast<double>(times) / (state.iterations() * articles.size()));
}

void BM_Quotes(benchmark::State& state) { RunStages(state, {"quotes"}); }
void BM_Times(benchmark::State& state) { RunStages(state, {"times"}); }
void BM_QuotesAndTimes(benchmark::State& state) { RunStages(state, {"quotes", "times"}); }

BENCHMARK(BM_Quotes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Times)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QuotesAndTimes)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace newsd

BENCHMARK_MAIN();
