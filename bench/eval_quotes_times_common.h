// Shared by bench/eval_quotes and bench/eval_times: reading JSONL corpora,
// building an Article the way the decode stage builds plain text, running stages
// from the registry, and printing precision / recall / F1.
#ifndef NEWSD_BENCH_EVAL_QUOTES_TIMES_COMMON_H_
#define NEWSD_BENCH_EVAL_QUOTES_TIMES_COMMON_H_

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "pipeline/stage_registry.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"

namespace newsd::eval {

// Every line of a JSONL file; exits with a message if it cannot be read.
inline std::vector<nlohmann::json> ReadJsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// An article whose text is `headline` + "\n\n" + `body`, with one paragraph per
// blank-line separated block of the body (code point spans), in `language`.
inline v1::Article MakeArticle(const std::string& headline, const std::string& body,
                               const std::string& language) {
  v1::Article a;
  stages::TextBuilder b;
  *a.mutable_headline() = b.Append(headline);
  b.Append("\n\n");
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find("\n\n", start);
    if (end == std::string::npos) end = body.size();
    const v1::Span p = b.Append(absl::string_view(body).substr(start, end - start));
    if (p.end() > p.begin()) *a.add_paragraphs() = p;
    if (end == body.size()) break;
    b.Append("\n\n");
    start = end + 2;
  }
  a.set_text(b.Release());
  a.set_language(language);
  return a;
}

// The stage `name` with `options` from the registry; exits on error.
inline StagePtr MakeStage(const std::string& name,
                          const std::map<std::string, std::string>& options = {}) {
  v1::StageConfig config;
  config.set_name(name);
  for (const auto& [k, v] : options) (*config.mutable_options())[k] = v;
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  if (!stage.ok()) {
    std::fprintf(stderr, "stage %s: %s\n", name.c_str(), stage.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(stage);
}

struct Counts {
  int tp = 0;  // predictions that match a gold item
  int fp = 0;  // predictions that match none
  int fn = 0;  // gold items no prediction matches
};

inline void PrintPrf(const char* label, const Counts& c) {
  const double p = c.tp + c.fp == 0 ? 0 : static_cast<double>(c.tp) / (c.tp + c.fp);
  const double r = c.tp + c.fn == 0 ? 0 : static_cast<double>(c.tp) / (c.tp + c.fn);
  const double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
  std::printf("%-44s P=%.3f R=%.3f F1=%.3f  (tp=%d fp=%d fn=%d)\n", label, p, r, f, c.tp,
              c.fp, c.fn);
}

}  // namespace newsd::eval

#endif  // NEWSD_BENCH_EVAL_QUOTES_TIMES_COMMON_H_
