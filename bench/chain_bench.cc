// Per-stage and whole-chain speed of the DEFAULT chain (DefaultConfig().stages(): decode
// → segment → language → entities → quotes → times → story ...), in-process, no Kafka,
// on two inputs:
//   Reuters  the Reuters-21578 records of reut2-000..002.sgm.gz (3,000 raw SGML
//            records; research use only: never shipped), cycled;
//   Seed     the seed article (plain text, 4 KB);
//   Large    (entities and quotes only) synthetic plain texts of 256 KiB and 1 MiB, a
//            short pattern repeated, for how the stages scale with the text size:
//              Names       "John Smith Acme Corp United Nations Geneva " (one line:
//                          all of it is a Title Case headline);
//              Caps        "THE PRESIDENT OF FRANCE SAID " (one ALL-CAPS line);
//              Quotes      "\"We will go,\" said John Smith. \"No\", he said \"and\" ";
//              NamesBody   a one-line headline, then Names as one body sentence;
//              QuotesBody  a one-line headline, then Quotes with "," for "." (one
//                          body sentence).
//            Names/Caps/Quotes are the inputs of `newsd extract` that took 13-64 s
//            per 1-2 MB text when these stages were quadratic.
// One benchmark iteration = one article, so the reported time is ns/article;
// bytes_per_second is MB/s of the raw input (the Kafka value) for every benchmark,
// so the stages' MB/s add up like their times. Each stage is timed alone on articles
// prepared by the stages before it (untimed), exactly as the chain would hand them
// over; Chain runs the whole chain through Chain::Run (as the daemon's workers do,
// including the ArticleEvent and per-stage timings), and ChainSerialize adds the
// event's serialization (what the daemon then produces).
//
//   ./build/bench/chain_bench [--benchmark_filter=Reuters] [--benchmark_format=json]
//   ./build/bench/chain_bench --benchmark_filter=Large
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "pipeline/chain.h"
#include "pipeline/config.h"
#include "pipeline/stage_registry.h"
#include "tests/stages/testing/corpus.h"

namespace newsd {
namespace {

// The default chain's stage configs, as `newsd run` without stages uses them.
const google::protobuf::RepeatedPtrField<v1::StageConfig>& StageConfigs() {
  static const auto* const configs =
      new google::protobuf::RepeatedPtrField<v1::StageConfig>(DefaultConfig().stages());
  return *configs;
}
// A fixed wall-clock time for StageContext::now, so runs are reproducible.
const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string ReadCorpusFile(absl::string_view relative) {
  absl::StatusOr<std::string> data = testing::ReadFile(testing::CorpusPath(relative));
  if (!data.ok()) {
    std::cerr << data.status() << "\n";
    std::exit(1);
  }
  return *std::move(data);
}

StagePtr MakeStage(const v1::StageConfig& config) {
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  if (!stage.ok()) {
    std::cerr << config.name() << ": " << stage.status() << "\n";
    std::exit(1);
  }
  return *std::move(stage);
}

const std::vector<StagePtr>& Stages() {
  static const auto* const stages = [] {
    auto* out = new std::vector<StagePtr>;
    for (const v1::StageConfig& config : StageConfigs()) out->push_back(MakeStage(config));
    return out;
  }();
  return *stages;
}

// One raw message and the article as each stage receives it (input[k] = the article
// after stages 0..k-1; input[0] is empty).
struct Prepared {
  RawMessage message;
  std::vector<v1::Article> input;
};

StageContext Context(const RawMessage& message) {
  StageContext ctx;
  ctx.payload = message.value;
  ctx.payload_is_null = message.value_is_null;
  ctx.headers = &message.headers;
  ctx.now = kNow;
  return ctx;
}

std::vector<Prepared> Prepare(std::vector<RawMessage> messages) {
  std::vector<Prepared> out;
  int64_t offset = 0;
  for (RawMessage& message : messages) {
    Prepared p;
    p.message = std::move(message);
    // As Chain::Run starts it: id "topic/partition/offset" unless decode finds a guid.
    v1::Article article;
    article.set_id(absl::StrCat("news.raw/0/", offset));
    article.mutable_source()->set_topic("news.raw");
    article.mutable_source()->set_partition(0);
    article.mutable_source()->set_offset(offset++);
    const StageContext ctx = Context(p.message);
    bool ok = true;
    for (size_t k = 0; k < Stages().size() && ok; ++k) {
      p.input.push_back(article);
      ok = Stages()[k]->Process(article, ctx).ok();
    }
    if (ok) out.push_back(std::move(p));  // dead-lettered records are left out
  }
  if (out.empty()) {
    std::cerr << "chain_bench: every input was rejected by a stage\n";
    std::exit(1);
  }
  return out;
}

const std::vector<Prepared>& Reuters() {
  static const auto* const prepared = [] {
    std::vector<RawMessage> messages;
    for (const char* file : {"reut2-000.sgm.gz", "reut2-001.sgm.gz", "reut2-002.sgm.gz"}) {
      for (std::string& r : testing::SplitReutersRecords(
               ReadCorpusFile(absl::StrCat("reuters21578/original/", file)))) {
        messages.emplace_back();
        messages.back().value = std::move(r);
      }
    }
    return new std::vector<Prepared>(Prepare(std::move(messages)));
  }();
  return *prepared;
}

const std::vector<Prepared>& Seed() {
  static const auto* const prepared = [] {
    std::vector<RawMessage> messages(1);
    messages[0].value = ReadCorpusFile("seed/lavrov-syria-2013.txt");
    messages[0].headers = {{"published-at", "2013-09-12T12:00:00Z"}};
    return new std::vector<Prepared>(Prepare(std::move(messages)));
  }();
  return *prepared;
}

const std::vector<Prepared>& Input(int which) { return which == 0 ? Reuters() : Seed(); }

// The Large inputs (see the file comment): text = headline + unit repeated and cut
// to size_bytes.
struct LargeText {
  const char* name;
  const char* headline;
  const char* unit;
};
constexpr LargeText kLargeTexts[] = {
    {"Names", "", "John Smith Acme Corp United Nations Geneva "},
    {"Caps", "", "THE PRESIDENT OF FRANCE SAID "},
    {"Quotes", "", "\"We will go,\" said John Smith. \"No\", he said \"and\" "},
    {"NamesBody", "Report on things\n", "John Smith Acme Corp United Nations Geneva "},
    {"QuotesBody", "Report on things\n",
     "\"We will go,\" said John Smith, \"No\", he said \"and\" "},
};
constexpr size_t kLargeSizes[] = {256 << 10, 1 << 20};  // bytes of the body

// Prepared once per (text, size), when a benchmark first needs it.
const Prepared& Large(int text, int size) {
  static auto* const cache = new std::map<std::pair<int, int>, Prepared>();
  auto it = cache->find({text, size});
  if (it == cache->end()) {
    const LargeText& t = kLargeTexts[text];
    std::string body;
    while (body.size() < kLargeSizes[size]) body += t.unit;
    body.resize(kLargeSizes[size]);
    std::vector<RawMessage> messages(1);
    messages[0].value = absl::StrCat(t.headline, body);
    it = cache->emplace(std::make_pair(text, size), std::move(Prepare(std::move(messages))[0]))
             .first;
  }
  return it->second;
}

void BM_StageLarge(benchmark::State& state, int stage, int text, int size) {
  const Prepared& p = Large(text, size);
  const Stage& s = *Stages()[stage];
  for (auto _ : state) {
    state.PauseTiming();  // the copy is not the stage's work
    v1::Article article = p.input[stage];
    state.ResumeTiming();
    benchmark::DoNotOptimize(s.Process(article, Context(p.message)));
    state.PauseTiming();  // nor is freeing it
    article = v1::Article();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(p.message.value.size()));
  state.SetItemsProcessed(state.iterations());
}

void BM_Stage(benchmark::State& state, int stage, int which) {
  const std::vector<Prepared>& inputs = Input(which);
  const Stage& s = *Stages()[stage];
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const Prepared& p = inputs[i++ % inputs.size()];
    state.PauseTiming();  // the copy is not the stage's work
    v1::Article article = p.input[stage];
    state.ResumeTiming();
    benchmark::DoNotOptimize(s.Process(article, Context(p.message)));
    bytes += static_cast<int64_t>(p.message.value.size());
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}

void BM_Chain(benchmark::State& state, int which, bool serialize) {
  static const Chain* const chain = Chain::Create(StageConfigs())->release();
  const std::vector<Prepared>& inputs = Input(which);
  size_t i = state.thread_index() * (inputs.size() / 2);
  int64_t bytes = 0, out_bytes = 0;
  for (auto _ : state) {
    const Prepared& p = inputs[i++ % inputs.size()];
    ChainResult result = chain->Run(p.message, kNow);
    if (result.failure.has_value()) state.SkipWithError("chain failed");
    if (serialize) {
      std::string value = result.event.SerializeAsString();
      out_bytes += static_cast<int64_t>(value.size());
      benchmark::DoNotOptimize(value);
    }
    benchmark::DoNotOptimize(result);
    bytes += static_cast<int64_t>(p.message.value.size());
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
  if (serialize) {
    state.counters["event_bytes"] =
        benchmark::Counter(static_cast<double>(out_bytes) / state.iterations());
  }
}

// Registered by hand so the names read "Stage/entities/Reuters", "Chain/Reuters".
int Register() {
  for (int which = 0; which < 2; ++which) {
    const char* input = which == 0 ? "Reuters" : "Seed";
    for (int k = 0; k < StageConfigs().size(); ++k) {
      benchmark::RegisterBenchmark(absl::StrCat("Stage/", StageConfigs()[k].name(), "/", input).c_str(),
                                   [k, which](benchmark::State& s) { BM_Stage(s, k, which); })
          ->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark(absl::StrCat("Chain/", input).c_str(),
                                 [which](benchmark::State& s) { BM_Chain(s, which, false); })
        ->Unit(benchmark::kMicrosecond)
        ->ThreadRange(1, 2)
        ->UseRealTime();
    benchmark::RegisterBenchmark(absl::StrCat("ChainSerialize/", input).c_str(),
                                 [which](benchmark::State& s) { BM_Chain(s, which, true); })
        ->Unit(benchmark::kMicrosecond);
  }
  // "Stage/entities/Large/Names/1MiB".
  for (int k = 0; k < StageConfigs().size(); ++k) {
    const std::string& name = StageConfigs()[k].name();
    if (name != "entities" && name != "quotes") continue;
    for (int text = 0; text < static_cast<int>(std::size(kLargeTexts)); ++text) {
      for (int size = 0; size < static_cast<int>(std::size(kLargeSizes)); ++size) {
        const size_t kib = kLargeSizes[size] >> 10;
        benchmark::RegisterBenchmark(
            absl::StrCat("Stage/", name, "/Large/", kLargeTexts[text].name, "/",
                         kib >= 1024 ? absl::StrCat(kib >> 10, "MiB") : absl::StrCat(kib, "KiB"))
                .c_str(),
            [k, text, size](benchmark::State& s) { BM_StageLarge(s, k, text, size); })
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  return 0;
}
const int kRegistered = Register();

}  // namespace
}  // namespace newsd

BENCHMARK_MAIN();
