// Scores the quotes stage: quote spans and speakers.
//
//   ./build/bench/eval_quotes [--errors]
//
// 1. English spans on the GUM Wikinews gold (../shared/corpus/gum_wikinews/
//    gold.jsonl, 35 articles, 115 quotations: <quote> quotations and <q> scare
//    quotes / mentions, CC BY 4.0 over CC BY 2.5 text). A span matches when the
//    gold and predicted spans are equal after dropping white space and quote
//    marks at both ends and sentence punctuation at the end (GUM spans include the
//    marks, newsd's exclude them), "overlap" when they share a code point
//    (one-to-one). Kind: gold <q> should be SCARE, gold <quote> DIRECT/PARTIAL.
// 2. English speakers on bench/eval_quotes_speakers_en.tsv: the 59 <quote>
//    quotations of the 20 GUM news stories, speakers annotated by hand for this
//    evaluation. A speaker is right when one name contains the other's last word,
//    case-insensitively ("Ambassador Mohib" ~ "Mohib"), or the gold name is the
//    initials of the predicted one ("KCNA" ~ "Korean Central News Agency").
// 3. German on ../shared/corpus/quotes_de_wikinews/{dev,train}.jsonl (Petersen-
//    Frey & Biemann 2024, CC BY-NC-SA 4.0: evaluation only, never shipped): gold
//    quotations of type Direct (their discontinuous parts joined), predicted
//    quotes of kind DIRECT or PARTIAL; a span matches on overlap (one-to-one);
//    a speaker is right when the predicted speaker_span overlaps a gold speaker
//    span. No German entities: speakers come from the German cue verbs,
//    pronouns, descriptions and capitalised names.
// Articles are built as the decode stage builds plain text; segment, entities
// (English only) and quotes come from the registry.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "bench/eval_quotes_times_common.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace newsd::eval {
namespace {

using Range = std::pair<uint32_t, uint32_t>;

std::u32string Decode(const std::string& utf8) {
  std::u32string out;
  for (int32_t i = 0, n = static_cast<int32_t>(utf8.size()); i < n;) {
    UChar32 c;
    U8_NEXT(utf8.data(), i, n, c);
    out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

bool IsMarkOrSpace(char32_t c) {
  const UChar32 f = stages::FoldTypographic(static_cast<UChar32>(c));
  return f == '"' || f == '\'' || stages::IsUnicodeWhitespace(f);
}

// The span without white space and marks at both ends, and sentence punctuation
// at the end.
Range Normalize(const std::u32string& t, Range r) {
  auto trailing = [&](char32_t c) {
    return IsMarkOrSpace(c) || c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
           c == '?' || c == 0x2026;
  };
  while (r.first < r.second && IsMarkOrSpace(t[r.first])) ++r.first;
  while (r.second > r.first && trailing(t[r.second - 1])) --r.second;
  return r;
}

bool Overlaps(Range a, Range b) { return a.first < b.second && b.first < a.second; }

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

std::string LastWord(absl::string_view s) {
  std::vector<std::string> w = absl::StrSplit(s, ' ', absl::SkipEmpty());
  return w.empty() ? "" : Lower(w.back());
}

// "KCNA" for "Korean Central News Agency".
std::string Initials(absl::string_view name) {
  std::string out;
  for (absl::string_view w : absl::StrSplit(name, ' ', absl::SkipEmpty())) {
    if (absl::ascii_isupper(static_cast<unsigned char>(w[0]))) out.push_back(w[0]);
  }
  return out;
}

bool SameSpeaker(const std::string& gold, const std::string& predicted) {
  if (predicted.empty()) return false;
  if (Initials(predicted).size() > 1 && Initials(predicted) == gold) return true;
  return absl::StrContains(Lower(predicted), LastWord(gold)) ||
         absl::StrContains(Lower(gold), LastWord(predicted));
}

// One-to-one matching of predictions to gold, best (exact, then overlap) first:
// match[i] = index of the prediction matched to gold i, or -1.
std::vector<int> MatchSpans(const std::u32string& t, const std::vector<Range>& gold,
                            const std::vector<Range>& predicted, bool exact) {
  std::vector<int> match(gold.size(), -1);
  std::vector<bool> used(predicted.size(), false);
  for (int pass = 0; pass < (exact ? 1 : 2); ++pass) {
    for (size_t g = 0; g < gold.size(); ++g) {
      if (match[g] >= 0) continue;
      for (size_t p = 0; p < predicted.size(); ++p) {
        if (used[p]) continue;
        const bool ok = pass == 0 ? Normalize(t, gold[g]) == Normalize(t, predicted[p])
                                  : Overlaps(gold[g], predicted[p]);
        if (ok) {
          match[g] = static_cast<int>(p);
          used[p] = true;
          break;
        }
      }
    }
  }
  return match;
}

void Count(const std::vector<int>& match, size_t predicted, Counts* c) {
  for (int m : match) (m >= 0 ? c->tp : c->fn)++;
  c->fp += static_cast<int>(predicted) - static_cast<int>(
                                              std::count_if(match.begin(), match.end(),
                                                            [](int m) { return m >= 0; }));
}

std::string Utf8(const std::u32string& t, Range r) {
  std::string out;
  for (uint32_t i = r.first; i < r.second && i < t.size(); ++i) {
    stages::AppendUtf8(static_cast<UChar32>(t[i]), &out);
  }
  return out;
}

void English(bool errors) {
  const StagePtr segment = MakeStage("segment");
  const StagePtr entities = MakeStage("entities");
  const StagePtr quotes = MakeStage("quotes");
  // Hand-annotated speakers: (article, start) → speaker.
  std::map<std::pair<std::string, uint32_t>, std::string> speakers;
  {
    std::ifstream in(std::string(NEWSD_SOURCE_DIR) + "/bench/eval_quotes_speakers_en.tsv");
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> f = absl::StrSplit(line, '\t');
      uint32_t start;
      if (f.size() == 3 && absl::SimpleAtoi(f[1], &start)) speakers[{f[0], start}] = f[2];
    }
  }
  Counts exact, overlap, speaker;
  int kind_ok = 0, kind_total = 0, gold_total = 0;
  for (const nlohmann::json& g : ReadJsonl(std::string(NEWSD_CORPUS_DIR) +
                                           "/gum_wikinews/gold.jsonl")) {
    const std::string text = g["text"];
    const uint32_t body_offset = g["body_offset"];
    const std::u32string t = Decode(text);
    const std::string headline = Utf8(t, {0, body_offset >= 2 ? body_offset - 2 : 0});
    const std::string body = Utf8(t, {body_offset, static_cast<uint32_t>(t.size())});
    v1::Article a = MakeArticle(headline, body, "en");
    StageContext ctx;
    for (const StagePtr* s : {&segment, &entities, &quotes}) {
      if (absl::Status st = (*s)->Process(a, ctx); !st.ok()) {
        std::fprintf(stderr, "%s: %s\n", std::string(g["id"]).c_str(), st.ToString().c_str());
      }
    }
    std::vector<Range> gold, predicted;
    std::vector<std::string> tags;
    for (const nlohmann::json& q : g["quotations"]) {
      gold.emplace_back(q["start"], q["end"]);
      tags.push_back(q["tag"]);
    }
    for (const v1::Quote& q : a.quotes()) predicted.emplace_back(q.begin(), q.end());
    gold_total += static_cast<int>(gold.size());
    const std::vector<int> m_exact = MatchSpans(t, gold, predicted, true);
    const std::vector<int> m_overlap = MatchSpans(t, gold, predicted, false);
    Count(m_exact, predicted.size(), &exact);
    Count(m_overlap, predicted.size(), &overlap);
    for (size_t i = 0; i < gold.size(); ++i) {
      const int p = m_overlap[i];
      if (p >= 0) {
        ++kind_total;
        kind_ok += (tags[i] == "q") == (a.quotes(p).kind() == v1::QUOTE_KIND_SCARE);
      }
      auto it = speakers.find({g["id"], gold[i].first});
      if (it == speakers.end()) continue;
      const std::string predicted_speaker = p >= 0 ? a.quotes(p).speaker() : "";
      if (it->second == "-") {
        if (!predicted_speaker.empty()) ++speaker.fp;
        continue;
      }
      if (SameSpeaker(it->second, predicted_speaker)) {
        ++speaker.tp;
      } else {
        ++speaker.fn;
        if (!predicted_speaker.empty()) ++speaker.fp;
      }
      if (errors && !SameSpeaker(it->second, predicted_speaker)) {
        std::printf("  speaker %s@%u gold='%s' got='%s' %s\n", std::string(g["id"]).c_str(),
                    gold[i].first, it->second.c_str(), predicted_speaker.c_str(),
                    p >= 0 ? "" : "(quote missed)");
      }
    }
    if (errors) {
      for (size_t i = 0; i < gold.size(); ++i) {
        if (m_exact[i] < 0) {
          std::printf("  missed %s %s: %s\n", std::string(g["id"]).c_str(), tags[i].c_str(),
                      Utf8(t, gold[i]).substr(0, 80).c_str());
        }
      }
      for (size_t p = 0; p < predicted.size(); ++p) {
        if (std::find(m_exact.begin(), m_exact.end(), static_cast<int>(p)) == m_exact.end()) {
          std::printf("  extra  %s %s: %s\n", std::string(g["id"]).c_str(),
                      v1::QuoteKind_Name(a.quotes(p).kind()).c_str(),
                      a.quotes(p).text().substr(0, 80).c_str());
        }
      }
    }
  }
  std::printf("English, GUM Wikinews: %d gold quotations (<quote> and <q>)\n", gold_total);
  PrintPrf("  quote spans, exact (marks/punct. trimmed)", exact);
  PrintPrf("  quote spans, overlap", overlap);
  std::printf("  kind agreement on overlapping pairs (<q> ~ SCARE): %d/%d = %.3f\n", kind_ok,
              kind_total, kind_total ? static_cast<double>(kind_ok) / kind_total : 0);
  std::printf("English speakers: %zu hand-annotated <quote>s of the 20 news stories\n",
              speakers.size());
  PrintPrf("  speaker (name match)", speaker);
}

void German(const std::string& split, bool errors) {
  const StagePtr segment = MakeStage("segment", {{"locale", "de"}});
  const StagePtr quotes = MakeStage("quotes");
  Counts spans, speaker;
  int articles = 0, gold_total = 0;
  for (const nlohmann::json& d : ReadJsonl(std::string(NEWSD_CORPUS_DIR) +
                                           "/quotes_de_wikinews/" + split + ".jsonl")) {
    ++articles;
    const std::string headline = d["headline"];
    v1::Article a = MakeArticle(headline, d["body"], "de");
    StageContext ctx;
    if (!segment->Process(a, ctx).ok() || !quotes->Process(a, ctx).ok()) continue;
    const uint32_t shift = static_cast<uint32_t>(stages::CountCodePoints(headline)) + 2;
    const std::u32string t = Decode(a.text());
    std::vector<Range> gold;
    std::vector<std::vector<Range>> gold_speakers;
    for (const nlohmann::json& q : d["quotations"]) {
      if (q["type"] != "Direct" || q["quote"].empty()) continue;
      Range r{UINT32_MAX, 0};
      for (const nlohmann::json& part : q["quote"]) {
        r.first = std::min<uint32_t>(r.first, part[0].get<uint32_t>() + shift);
        r.second = std::max<uint32_t>(r.second, part[1].get<uint32_t>() + shift);
      }
      gold.push_back(r);
      gold_speakers.emplace_back();
      for (const nlohmann::json& part : q["speaker"]) {
        gold_speakers.back().emplace_back(part[0].get<uint32_t>() + shift,
                                          part[1].get<uint32_t>() + shift);
      }
    }
    gold_total += static_cast<int>(gold.size());
    std::vector<Range> predicted;
    std::vector<const v1::Quote*> predicted_quotes;
    for (const v1::Quote& q : a.quotes()) {
      if (q.kind() == v1::QUOTE_KIND_SCARE) continue;
      predicted.emplace_back(q.begin(), q.end());
      predicted_quotes.push_back(&q);
    }
    const std::vector<int> match = MatchSpans(t, gold, predicted, false);
    Count(match, predicted.size(), &spans);
    for (size_t i = 0; i < gold.size(); ++i) {
      if (gold_speakers[i].empty()) continue;
      const v1::Quote* q = match[i] >= 0 ? predicted_quotes[match[i]] : nullptr;
      const bool has = q != nullptr && !q->speaker().empty();
      bool right = false;
      if (has) {
        for (const Range& s : gold_speakers[i]) {
          right |= Overlaps(s, {q->speaker_span().begin(), q->speaker_span().end()});
        }
      }
      if (right) {
        ++speaker.tp;
      } else {
        ++speaker.fn;
        if (has) ++speaker.fp;
        if (errors) {
          std::printf("  speaker gold='%s' got='%s' quote='%s'\n",
                      Utf8(t, gold_speakers[i][0]).c_str(), has ? q->speaker().c_str() : "",
                      Utf8(t, gold[i]).substr(0, 60).c_str());
        }
      }
    }
  }
  std::printf("German, quotes_de_wikinews %s: %d articles, %d gold Direct quotations\n",
              split.c_str(), articles, gold_total);
  PrintPrf("  quote spans, overlap", spans);
  PrintPrf("  speaker (span overlap)", speaker);
}

}  // namespace
}  // namespace newsd::eval

int main(int argc, char** argv) {
  bool errors = false;
  for (int i = 1; i < argc; ++i) errors |= std::strcmp(argv[i], "--errors") == 0;
  newsd::eval::English(errors);
  newsd::eval::German("dev", errors);
  newsd::eval::German("train", errors);
  return 0;
}
