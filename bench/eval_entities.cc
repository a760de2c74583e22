// Scores the entities stage on the GUM Wikinews gold (../shared/corpus/gum_wikinews/
// gold.jsonl, CC BY 4.0 annotations over CC BY 2.5 Wikinews text).
//
//   ./build/bench/eval_entities [--gold FILE] [--errors] [--dump]
//   ./build/bench/eval_entities --show FILE...   (entities of raw items, for a look)
//
// Gold: the named mentions (a PROPN token or a Wikipedia link) of GUM types
// person, organization and place, mapped to PERSON, ORG and PLACE. Predicted:
// every mention of a PERSON, ORG, GPE, LOC or FAC entity (LOC and FAC count as
// PLACE; a GPE matches PLACE or ORG, as OntoNotes GPE covers both a country and
// its government or team; NORP, EVENT and demonym mentions are not scored). A
// prediction is correct when its type is compatible with the gold type and
//   overlap: its span overlaps the gold span (one-to-one, closest spans first:
//            GUM spans are whole noun phrases, "the University of Helsinki",
//            "Russian Foreign Minister Sergey Lavrov"), or
//   exact:   its span equals the gold span with a leading "the"/"The" dropped.
// Prints precision, recall and F1 per type and overall for both, and the
// articles per second of the entities stage alone (segment runs first, untimed).
// --errors lists the misses (FN) and false alarms (FP) of the pronoun-free overlap
// score per article; --dump prints every predicted mention as a tab-separated line:
// article id, entity id, entity type, entity name, mention text, link, begin, end
// (code points), the scored type and the mention kind (NAME, PRONOUN, NOMINAL).
// The pronoun-free variants and the PROPN-only one score the predictions that are
// not PRONOUN mentions, and the names-as-written variant the NAME mentions only.
//
// Each article is built the way the decode stage builds plain text: text =
// headline + "\n\n" + body, paragraphs split at blank lines; then the segment and
// entities stages from the registry process it.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "pipeline/stage_registry.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"

namespace newsd {
namespace {

struct Span {
  uint32_t begin;
  uint32_t end;
  std::string type;  // gold: PERSON, ORG, PLACE; predicted: the stage's type
  std::string text;
};

struct Counts {
  int tp = 0;
  int fp = 0;
  int fn = 0;
};

std::string GoldType(const std::string& etype) {
  if (etype == "person") return "PERSON";
  if (etype == "organization") return "ORG";
  if (etype == "place") return "PLACE";
  return "";
}

std::string PredictedType(const std::string& type) {
  if (type == "PERSON" || type == "ORG") return type;
  if (type == "GPE" || type == "LOC" || type == "FAC") return "PLACE";
  return "";
}

// A GPE is a place and a government or team at once (OntoNotes); GUM types a
// country that acts ("Belgium won", "South Korea said") as organization, so a GPE
// prediction may match either. `predicted` is the stage's own type.
bool Compatible(const std::string& gold, const std::string& predicted) {
  if (predicted == "GPE") return gold == "PLACE" || gold == "ORG";
  return gold == PredictedType(predicted);
}

// English pronouns and pro-forms: GUM gives them the Wikipedia link of their
// coreference chain ("I" of an interviewee), which makes them "named" by the
// link criterion although they are not names. Written in capitals ("US", "IT")
// a word of two or more letters is an abbreviation, not the pronoun.
bool IsPronoun(const std::string& text) {
  if (text.size() >= 2 && std::none_of(text.begin(), text.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  static const auto* const kPronouns = new std::set<std::string>{
      "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you",
      "your", "yours", "yourself", "he", "him", "his", "himself", "she", "her", "hers",
      "herself", "it", "its", "itself", "they", "them", "their", "theirs", "themselves",
      "this", "that", "these", "those", "there", "here", "who", "whom", "whose", "which"};
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return kPronouns->count(lower) > 0;
}

// Code points of `text` that are a leading "the " of a span starting at `begin`.
uint32_t LeadingThe(const std::u32string& text, uint32_t begin, uint32_t end) {
  if (end - begin > 4 && (text[begin] == 't' || text[begin] == 'T') && text[begin + 1] == 'h' &&
      text[begin + 2] == 'e' && text[begin + 3] == ' ') {
    return 4;
  }
  return 0;
}

std::u32string ToU32(const std::string& utf8) {
  std::u32string out;
  for (size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? c : c & (0x3F >> (len - 1));
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (utf8[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

// Matches predictions to gold one-to-one; `exact` compares spans (gold without a
// leading "the"), else any overlap counts, the closest spans (intersection over
// union) first.
void Score(const std::vector<Span>& gold, const std::vector<Span>& predicted,
           const std::u32string& text, bool exact, std::map<std::string, Counts>* counts,
           std::vector<std::string>* errors) {
  struct Pair {
    double overlap;  // intersection over union of the two spans
    size_t g;
    size_t p;
  };
  std::vector<Pair> pairs;
  for (size_t g = 0; g < gold.size(); ++g) {
    for (size_t p = 0; p < predicted.size(); ++p) {
      if (!Compatible(gold[g].type, predicted[p].type)) continue;
      const uint32_t gb = gold[g].begin + (exact ? LeadingThe(text, gold[g].begin, gold[g].end) : 0);
      if (exact) {
        if ((gb == predicted[p].begin || gold[g].begin == predicted[p].begin) &&
            gold[g].end == predicted[p].end) {
          pairs.push_back({1, g, p});
        }
        continue;
      }
      const uint32_t b = std::max(gold[g].begin, predicted[p].begin);
      const uint32_t e = std::min(gold[g].end, predicted[p].end);
      const uint32_t u = std::max(gold[g].end, predicted[p].end) -
                         std::min(gold[g].begin, predicted[p].begin);
      if (b < e) pairs.push_back({static_cast<double>(e - b) / u, g, p});
    }
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& a, const Pair& b) { return a.overlap > b.overlap; });
  std::vector<bool> gold_used(gold.size()), predicted_used(predicted.size());
  for (const Pair& pair : pairs) {
    if (gold_used[pair.g] || predicted_used[pair.p]) continue;
    gold_used[pair.g] = predicted_used[pair.p] = true;
    ++(*counts)[gold[pair.g].type].tp;
  }
  for (size_t g = 0; g < gold.size(); ++g) {
    if (gold_used[g]) continue;
    ++(*counts)[gold[g].type].fn;
    if (errors) errors->push_back(absl::StrCat("  FN ", gold[g].type, " '", gold[g].text, "'"));
  }
  for (size_t p = 0; p < predicted.size(); ++p) {
    if (predicted_used[p]) continue;
    ++(*counts)[PredictedType(predicted[p].type)].fp;
    if (errors) {
      errors->push_back(absl::StrCat("  FP ", predicted[p].type, " '", predicted[p].text, "'"));
    }
  }
}

void Print(const char* title, const std::map<std::string, Counts>& counts) {
  std::cout << title << "\n";
  std::cout << absl::StrFormat("  %-8s %6s %6s %6s %7s %7s %7s\n", "type", "tp", "fp", "fn",
                               "P", "R", "F1");
  Counts all;
  auto line = [](const std::string& name, const Counts& c) {
    const double p = c.tp + c.fp ? static_cast<double>(c.tp) / (c.tp + c.fp) : 0;
    const double r = c.tp + c.fn ? static_cast<double>(c.tp) / (c.tp + c.fn) : 0;
    const double f = p + r ? 2 * p * r / (p + r) : 0;
    std::cout << absl::StrFormat("  %-8s %6d %6d %6d %7.3f %7.3f %7.3f\n", name, c.tp, c.fp,
                                 c.fn, p, r, f);
  };
  for (const auto& [type, c] : counts) {
    line(type, c);
    all.tp += c.tp;
    all.fp += c.fp;
    all.fn += c.fn;
  }
  line("overall", all);
}

// Runs decode → segment → language → entities on each raw item file and prints
// its entities, one per line.
int Show(const std::vector<std::string>& files) {
  std::vector<StagePtr> chain;
  for (const char* name : {"decode", "segment", "language", "entities"}) {
    v1::StageConfig config;
    config.set_name(name);
    absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
    if (!stage.ok()) {
      std::cerr << name << ": " << stage.status() << "\n";
      return 1;
    }
    chain.push_back(*std::move(stage));
  }
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    v1::Article article;
    StageContext ctx;
    ctx.payload = raw;
    for (const StagePtr& stage : chain) {
      if (absl::Status s = stage->Process(article, ctx); !s.ok()) {
        std::cerr << file << ": " << stage->name() << ": " << s << "\n";
        break;
      }
    }
    std::cout << file << "\n";
    for (const v1::Entity& e : article.entities()) {
      std::vector<std::string> mentions;
      for (const v1::Mention& m : e.mentions()) mentions.push_back(m.text());
      std::cout << absl::StrFormat("  %s %-6s %-40s %-22s %s [%s]\n", e.id(), e.type(),
                                   e.name(), e.link(), e.role(), absl::StrJoin(mentions, "|"));
    }
  }
  return 0;
}

// A mention that is a name as written: after an optional "the", it starts with
// an upper-case letter or a digit, and not with another determiner ("the team",
// "This organization" and "our country" are common-noun phrases that GUM links
// to Wikipedia through coreference).
bool IsNameAsWritten(std::string text) {
  if (text.rfind("the ", 0) == 0 || text.rfind("The ", 0) == 0) text = text.substr(4);
  if (text.empty()) return false;
  const auto c = static_cast<unsigned char>(text[0]);
  if (!(std::isupper(c) || std::isdigit(c) || c >= 0x80)) return false;
  const std::string first = text.substr(0, text.find(' '));
  for (const char* d : {"This", "That", "These", "Those", "A", "An", "Our", "My", "Your", "His",
                        "Her", "Its", "Their", "The"}) {
    if (first == d) return false;
  }
  return !IsPronoun(text);
}

int Main(int argc, char** argv) {
  if (argc > 2 && std::string(argv[1]) == "--show") {
    return Show(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::string gold_path = absl::StrCat(NEWSD_CORPUS_DIR, "/gum_wikinews/gold.jsonl");
  bool show_errors = false;
  bool dump = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--gold" && i + 1 < argc) gold_path = argv[++i];
    else if (arg == "--errors") show_errors = true;
    else if (arg == "--dump") dump = true;
    else {
      std::cerr << "usage: eval_entities [--gold FILE] [--errors] [--dump]\n";
      return 2;
    }
  }
  std::ifstream in(gold_path);
  if (!in) {
    std::cerr << "cannot open " << gold_path << "\n";
    return 1;
  }
  v1::StageConfig segment_config;
  segment_config.set_name("segment");
  v1::StageConfig entities_config;
  entities_config.set_name("entities");
  absl::StatusOr<StagePtr> segment = StageRegistry::Global().Create(segment_config);
  absl::StatusOr<StagePtr> entities = StageRegistry::Global().Create(entities_config);
  if (!segment.ok() || !entities.ok()) {
    std::cerr << "cannot create stages: " << segment.status() << " " << entities.status() << "\n";
    return 1;
  }
  std::map<std::string, Counts> overlap, exact, no_pronouns, capitalised, propn_overlap;
  double seconds = 0;
  int articles = 0;
  size_t bytes = 0;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json doc = nlohmann::json::parse(line);
    const std::string text = doc["text"];
    const std::u32string text32 = ToU32(text);
    v1::Article article;
    article.set_id(doc["id"].get<std::string>());
    article.set_language("en");
    stages::TextBuilder builder;
    size_t pos = 0;
    bool first = true;
    while (pos <= text.size()) {
      size_t next = text.find("\n\n", pos);
      if (next == std::string::npos) next = text.size();
      const v1::Span span = builder.Append(text.substr(pos, next - pos));
      if (first) *article.mutable_headline() = span;
      else if (span.end() > span.begin()) *article.add_paragraphs() = span;
      first = false;
      if (next == text.size()) break;
      builder.Append("\n\n");
      pos = next + 2;
    }
    article.set_text(builder.Release());
    StageContext ctx;
    if (absl::Status s = (*segment)->Process(article, ctx); !s.ok()) {
      std::cerr << article.id() << ": segment: " << s << "\n";
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    if (absl::Status s = (*entities)->Process(article, ctx); !s.ok()) {
      std::cerr << article.id() << ": entities: " << s << "\n";
      return 1;
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++articles;
    bytes += text.size();

    std::vector<Span> gold, gold_no_pronouns, gold_capitalised, gold_propn, predicted,
        predicted_no_pronouns, predicted_names;
    for (const auto& e : doc["entities"]) {
      const std::string type = GoldType(e["etype"]);
      const bool named = e["has_propn"].get<bool>() || !e["wikipedia"].is_null();
      if (type.empty() || !named) continue;
      Span s{e["start"].get<uint32_t>(), e["end"].get<uint32_t>(), type, e["text"]};
      gold.push_back(s);
      if (!IsPronoun(s.text)) gold_no_pronouns.push_back(s);
      if (IsNameAsWritten(s.text)) gold_capitalised.push_back(s);
      if (e["has_propn"].get<bool>()) gold_propn.push_back(s);
    }
    for (const v1::Entity& e : article.entities()) {
      for (const v1::Mention& m : e.mentions()) {
        const std::string type = m.type().empty() ? e.type() : m.type();
        if (dump) {
          std::cout << article.id() << "\t" << e.id() << "\t" << e.type() << "\t" << e.name()
                    << "\t" << m.text() << "\t" << e.link() << "\t" << m.begin() << "\t"
                    << m.end() << "\t" << type << "\t" << v1::Mention::Kind_Name(m.kind())
                    << "\n";
        }
        if (!PredictedType(type).empty()) {
          predicted.push_back({m.begin(), m.end(), type, m.text()});
          // The variants without gold pronouns (and PROPN-only) leave out predicted
          // pronouns too, and the names-as-written variant also predicted definite
          // descriptions.
          if (m.kind() != v1::Mention::PRONOUN) {
            predicted_no_pronouns.push_back(predicted.back());
            if (m.kind() == v1::Mention::NAME) predicted_names.push_back(predicted.back());
          }
        }
      }
    }
    std::vector<std::string> errors;
    Score(gold, predicted, text32, false, &overlap, nullptr);
    Score(gold_no_pronouns, predicted_no_pronouns, text32, false, &no_pronouns,
          show_errors ? &errors : nullptr);
    Score(gold_no_pronouns, predicted_no_pronouns, text32, true, &exact, nullptr);
    Score(gold_capitalised, predicted_names, text32, false, &capitalised, nullptr);
    Score(gold_propn, predicted_no_pronouns, text32, false, &propn_overlap, nullptr);
    if (show_errors) {
      std::cout << article.id() << "\n";
      for (const std::string& e : errors) std::cout << e << "\n";
    }
  }
  std::cout << "GUM Wikinews gold (" << gold_path << "): " << articles << " articles\n";
  Print("Named mentions (PROPN or Wikipedia link, as issue 4 defines them), overlap:", overlap);
  Print("Named mentions without pronouns (I, he, it, we ... linked by coreference), overlap:",
        no_pronouns);
  Print("Named mentions without pronouns, exact span (leading 'the' ignored):", exact);
  Print("Named mentions written as names ([the] + capitalised word; no pronoun or other "
        "determiner), overlap:",
        capitalised);
  Print("Mentions with a PROPN token only, overlap match:", propn_overlap);
  std::cout << absl::StrFormat(
      "entities stage: %d articles in %.3f s = %.0f articles/s, %.2f MB/s (one thread)\n",
      articles, seconds, articles / seconds, bytes / seconds / 1e6);
  return 0;
}

}  // namespace
}  // namespace newsd

int main(int argc, char** argv) { return newsd::Main(argc, argv); }
