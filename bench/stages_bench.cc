// Speed of the foundation stages, alone and chained, on the seed article and on the
// 1,000 Reuters-21578 records of reut2-000.sgm (research use only: never shipped).
// Bytes processed are input bytes: the raw value for decode and the chain, the
// decoded Article.text for segment and language.
#include <zlib.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "pipeline/chain.h"
#include "stages/decode/decode.h"
#include "stages/language/language.h"
#include "stages/segment/segment.h"

namespace newsd {
namespace {

std::string ReadCorpusFile(absl::string_view relative) {
  const std::string path = absl::StrCat(NEWSD_CORPUS_DIR, "/", relative);
  gzFile file = gzopen(path.c_str(), "rb");  // reads plain files too
  if (file == nullptr) {
    std::cerr << "cannot open " << path << "\n";
    std::exit(1);
  }
  std::string out;
  char buffer[1 << 16];
  for (int n; (n = gzread(file, buffer, sizeof(buffer))) > 0;) out.append(buffer, n);
  gzclose(file);
  return out;
}

const std::string& Seed() {
  static const auto* const seed = new std::string(ReadCorpusFile("seed/lavrov-syria-2013.txt"));
  return *seed;
}

const std::vector<std::string>& ReutersRecords() {
  static const auto* const records = [] {
    const std::string sgm = ReadCorpusFile("reuters21578/original/reut2-000.sgm.gz");
    auto* out = new std::vector<std::string>;
    for (size_t pos = 0;;) {
      const size_t begin = sgm.find("<REUTERS", pos);
      const size_t end = sgm.find("</REUTERS>", begin);
      if (begin == std::string::npos || end == std::string::npos) break;
      out->push_back(sgm.substr(begin, end + 10 - begin));
      pos = end + 10;
    }
    return out;
  }();
  return *records;
}

StageContext Context(const std::string& payload) {
  StageContext ctx;
  ctx.payload = payload;
  return ctx;
}

v1::Article Decoded(const std::string& payload) {
  v1::Article article;
  if (!stages::DecodeStage({}).Process(article, Context(payload)).ok()) std::abort();
  return article;
}

const std::vector<v1::Article>& DecodedReuters() {
  static const auto* const articles = [] {
    auto* out = new std::vector<v1::Article>;
    for (const std::string& r : ReutersRecords()) out->push_back(Decoded(r));
    return out;
  }();
  return *articles;
}

const stages::SegmentStage& Segmenter() {
  static const auto* const stage = stages::SegmentStage::Create({})->release();
  return *stage;
}

// ---- decode ------------------------------------------------------------------

void BM_DecodeSeed(benchmark::State& state) {
  const stages::DecodeStage stage({});
  const StageContext ctx = Context(Seed());
  for (auto _ : state) {
    v1::Article article;
    benchmark::DoNotOptimize(stage.Process(article, ctx));
  }
  state.SetBytesProcessed(state.iterations() * Seed().size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeSeed);

void BM_DecodeReuters(benchmark::State& state) {
  const stages::DecodeStage stage({});
  const std::vector<std::string>& records = ReutersRecords();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& record = records[i++ % records.size()];
    v1::Article article;
    benchmark::DoNotOptimize(stage.Process(article, Context(record)));
    bytes += record.size();
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeReuters)->ThreadRange(1, 2)->UseRealTime();

// ---- segment -----------------------------------------------------------------

void BM_SegmentSeed(benchmark::State& state) {
  const v1::Article decoded = Decoded(Seed());
  for (auto _ : state) {
    v1::Article article = decoded;
    benchmark::DoNotOptimize(Segmenter().Process(article, StageContext()));
  }
  state.SetBytesProcessed(state.iterations() * decoded.text().size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SegmentSeed);

void BM_SegmentReuters(benchmark::State& state) {
  const std::vector<v1::Article>& articles = DecodedReuters();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    v1::Article article = articles[i++ % articles.size()];
    benchmark::DoNotOptimize(Segmenter().Process(article, StageContext()));
    bytes += article.text().size();
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SegmentReuters)->ThreadRange(1, 2)->UseRealTime();

// ---- language ----------------------------------------------------------------

void BM_LanguageSeed(benchmark::State& state) {
  const stages::LanguageStage stage({});
  const v1::Article decoded = Decoded(Seed());
  for (auto _ : state) {
    v1::Article article = decoded;
    benchmark::DoNotOptimize(stage.Process(article, StageContext()));
  }
  state.SetBytesProcessed(state.iterations() * decoded.text().size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LanguageSeed);

void BM_LanguageReuters(benchmark::State& state) {
  const stages::LanguageStage stage({});
  const std::vector<v1::Article>& articles = DecodedReuters();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    v1::Article article = articles[i++ % articles.size()];
    benchmark::DoNotOptimize(stage.Process(article, StageContext()));
    bytes += article.text().size();
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LanguageReuters)->ThreadRange(1, 2)->UseRealTime();

// ---- the chain (decode → segment → language), as the daemon runs it -----------

const Chain& DefaultChain() {
  static const Chain* const chain = [] {
    google::protobuf::RepeatedPtrField<v1::StageConfig> configs;
    for (const char* name : {"decode", "segment", "language"}) configs.Add()->set_name(name);
    return Chain::Create(configs)->release();
  }();
  return *chain;
}

void BM_ChainSeed(benchmark::State& state) {
  RawMessage message;
  message.value = Seed();
  message.headers = {{"published-at", "2013-09-12T12:00:00Z"}};
  for (auto _ : state) {
    ChainResult result = DefaultChain().Run(message, absl::Now());
    if (result.failure.has_value()) state.SkipWithError("chain failed");
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(state.iterations() * message.value.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChainSeed)->ThreadRange(1, 2)->UseRealTime();

void BM_ChainReuters(benchmark::State& state) {
  std::vector<RawMessage> messages;
  for (const std::string& r : ReutersRecords()) {
    messages.emplace_back();
    messages.back().value = r;
  }
  size_t i = state.thread_index() * 500, bytes = 0;
  for (auto _ : state) {
    const RawMessage& message = messages[i++ % messages.size()];
    ChainResult result = DefaultChain().Run(message, absl::Now());
    if (result.failure.has_value()) state.SkipWithError("chain failed");
    benchmark::DoNotOptimize(result);
    bytes += message.value.size();
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChainReuters)->ThreadRange(1, 2)->UseRealTime();

}  // namespace
}  // namespace newsd

BENCHMARK_MAIN();
