#include "stages/entities/entities.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"
#include "stages/entities/gazetteer_data.h"
#include "stages/common/tokens.h"

namespace newsd::stages {
namespace {

// Lower-case words that may sit inside a name between capitalised words
// ("Organization for the Prohibition of ...", "Charles de Gaulle", "bin Laden").
constexpr absl::string_view kConnectors[] = {
    "of", "for", "the", "de", "du", "des", "la", "le", "van", "von", "der", "den",
    "da", "di", "del", "dos", "das", "al", "el", "bin", "ibn", "abu", "ben", "&"};

// Verbs of saying after a name ("Lavrov said"): evidence for a person.
constexpr absl::string_view kReportingVerbs[] = {
    "said",    "says",    "told",     "added",    "noted",   "stated",  "explained",
    "argued",  "insisted", "warned",  "claimed",  "announced", "asked", "replied",
    "wrote",   "recalled", "admitted", "denied",  "urged",   "tells",   "adds",
    "believes", "thinks",  "confirmed", "commented", "responded", "acknowledged"};

// Direction words that make a part of a place ("Southern Indiana").
constexpr absl::string_view kDirections[] = {
    "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "central", "northeast", "northwest", "southeast", "southwest", "upper", "lower",
    "greater", "northeastern", "northwestern", "southeastern", "southwestern"};

// Legal-form suffixes of company names, as token keys.
constexpr absl::string_view kCompanySuffixes[] = {
    "inc", "corp", "co", "ltd", "plc", "llc", "ag", "sa", "nv", "gmbh", "lp", "group", "cos"};

// Head words of the institutions that are often named after a person ("Andy
// Warhol Foundation", "George Mason University", "John Glenn Research Center"):
// a first name and a surname before one of them are a mention of the person.
// Not firms: "Morgan Stanley Group", "Salomon Brothers Inc".
constexpr absl::string_view kEponymHeads[] = {
    "foundation", "institute", "museum", "center", "centre", "university", "college",
    "school", "library", "hall", "stadium", "arena", "airport", "prize", "award",
    "memorial", "trust", "fund", "gallery", "theatre", "theater"};

// Longest word (code points) of a name found by its shape, title or verb.
constexpr uint32_t kMaxNameWordLength = 64;

// Mentions a pronoun or definite description looks back through for its
// antecedent, most recent first, at most (besides the sentence limits). News
// sentences have a few dozen; this bounds the work on a megabyte-long sentence.
constexpr int kMaxReferenceLookBack = 256;

// Words before a lone unknown name that make it a place ("in Tbilisi").
constexpr absl::string_view kPlacePrepositions[] = {"in", "near"};

// Words before a city name that support reading it as the city ("from Geneva").
constexpr absl::string_view kCityPrepositions[] = {"in", "near", "at", "from", "to", "outside"};

// Words of a headline that Title Case leaves in lower case.
constexpr absl::string_view kTitleCaseSmallWords[] = {
    "a", "an", "the", "and", "but", "or", "nor", "for", "of", "on", "in", "at",
    "to", "by", "with", "from", "as", "into", "over", "after", "up", "vs"};

// Personal pronouns that refer back to a person named before them.
constexpr absl::string_view kMalePronouns[] = {"he", "him", "his", "himself"};
constexpr absl::string_view kFemalePronouns[] = {"she", "her", "hers", "herself"};
// First- and second-person pronouns: the interviewee's, in an interview.
constexpr absl::string_view kFirstPersonPronouns[] = {"i", "me", "my", "mine", "myself"};
constexpr absl::string_view kSecondPersonPronouns[] = {"you", "your", "yours", "yourself"};

// What a definite description ("the company", "the country") can refer back to.
enum class NominalKind : uint8_t { kOrg, kCountry, kCity, kRegion };
struct NominalHead {
  absl::string_view word;  // token key of the head noun
  NominalKind kind;
  // The antecedent's name must contain the head word capitalised ("the
  // university" → "University of Helsinki"), for heads that name a kind of
  // organisation rather than any organisation.
  bool in_name;
};
constexpr NominalHead kNominalHeads[] = {
    {"company", NominalKind::kOrg, false},     {"firm", NominalKind::kOrg, false},
    {"organization", NominalKind::kOrg, false}, {"organisation", NominalKind::kOrg, false},
    {"group", NominalKind::kOrg, false},       {"team", NominalKind::kOrg, false},
    {"club", NominalKind::kOrg, false},        {"party", NominalKind::kOrg, false},
    {"agency", NominalKind::kOrg, false},      {"band", NominalKind::kOrg, false},
    {"university", NominalKind::kOrg, true},   {"church", NominalKind::kOrg, true},
    {"ministry", NominalKind::kOrg, true},     {"council", NominalKind::kOrg, true},
    {"committee", NominalKind::kOrg, true},    {"institute", NominalKind::kOrg, true},
    {"foundation", NominalKind::kOrg, true},   {"association", NominalKind::kOrg, true},
    {"bank", NominalKind::kOrg, true},         {"league", NominalKind::kOrg, true},
    {"country", NominalKind::kCountry, false}, {"nation", NominalKind::kCountry, false},
    {"city", NominalKind::kCity, false},       {"town", NominalKind::kCity, false},
    {"capital", NominalKind::kCity, false},    {"state", NominalKind::kRegion, false},
    {"province", NominalKind::kRegion, false}, {"region", NominalKind::kRegion, false},
};

template <size_t N>
bool In(const absl::string_view (&list)[N], absl::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

bool IsWord(const Token& t) { return t.kind == Token::Kind::kWord; }

// A token key equals a literal. Inline (size first, then bytes): std::string ==
// const char* is an out-of-line libstdc++ call with a strlen, and these run for
// every token (16% of the stage's instructions before).
bool KeyIs(absl::string_view key, absl::string_view literal) { return key == literal; }

// "LibriVox", "PlayStation", "eBay": a lower-case letter followed by a capital.
bool IsCamelCase(const Token& t) { return t.camel_case; }

// Where a candidate's type and identity come from, strongest first.
enum class Evidence : uint8_t {
  kGazetteer,  // country, city, region, organisation, demonym list
  kTitle,      // a title or honorific before the name
  kKeyword,    // a head word ("University")
  kFirstName,  // starts with a known first name
  kCoref,      // repeats part of a name found elsewhere in the article
  kAcronym,    // an all-caps word, or the acronym of a name in the article
  kShape,      // two to four capitalised non-dictionary words
  kVerb,       // followed by a reporting verb
  kPlace,      // "in X", "X, Arkansas"
  kGivenName,  // a lone known first name ("Frank")
  kLexicon,    // a lone WordNet proper noun ("Gorbachev", "Tuscany")
};

float EvidenceConfidence(Evidence e) {
  switch (e) {
    case Evidence::kGazetteer: return 0.95f;
    case Evidence::kTitle: return 0.9f;
    case Evidence::kKeyword: return 0.8f;
    case Evidence::kFirstName: return 0.85f;
    case Evidence::kCoref: return 0.8f;
    case Evidence::kAcronym: return 0.6f;
    case Evidence::kShape: return 0.7f;
    case Evidence::kVerb: return 0.65f;
    case Evidence::kPlace: return 0.55f;
    case Evidence::kGivenName: return 0.6f;
    case Evidence::kLexicon: return 0.7f;
  }
  return 0.5f;
}

struct GeoInfo {
  uint64_t geonames_id = 0;
  std::string country_code;
  double latitude = 0;
  double longitude = 0;
  uint64_t population = 0;
  std::string feature_code;
  bool has_coordinates = false;  // latitude/longitude come from the data
};

// One mention with what is known about its entity.
struct Candidate {
  uint32_t begin = 0;  // token range [begin, end)
  uint32_t end = 0;
  std::string type;          // entity type
  std::string mention_type;  // "NORP" for a demonym of a country, else ""
  std::string key;           // grouping key, unique per real thing
  std::string name;          // canonical name ("" = from the text)
  std::string link;
  std::optional<GeoInfo> geo;
  std::string role;
  Evidence evidence = Evidence::kShape;
  // How the mention refers to its entity (Mention.kind).
  v1::Mention::Kind refers = v1::Mention::NAME;
};

// A maximal run of capitalised words (with connectors) in normal-case text.
struct Chunk {
  uint32_t begin;
  uint32_t end;
};

// A part of a chunk: a gazetteer name or unknown words.
struct Piece {
  uint32_t begin;  // token range [begin, end)
  uint32_t end;
  std::optional<GazEntry> entry;  // none: unknown words
};

// One gazetteer match after case checks: the chosen reading.
struct GazMatch {
  uint32_t end;
  GazEntry entry;
};

class Extractor {
 public:
  // `tokens`: the article's token stream (TextAnalysis::tokens); must outlive it.
  Extractor(const Gazetteer& gazetteer, const v1::Article& article,
            const std::vector<Token>& tokens)
      : g_(gazetteer), article_(article), text_(article.text()), tokens_(tokens) {}

  // The entities; the places of the dateline go to *dateline_places with their
  // confidence, entity_id naming an entity of the result.
  std::vector<v1::Entity> Run(
      std::vector<std::pair<v1::DatelinePlace, float>>* dateline_places);

 private:
  // Setup.
  void MarkSentences();
  // Fills words_ (see LowerCaseInArticle).
  void MarkLowerCaseWords();
  // The article writes `key` in lower case at least as often as capitalised
  // inside a sentence, not counting ALL-CAPS text ("the Scientology website" 15
  // times and "the scientology website" once: a name, not a common word).
  bool LowerCaseInArticle(absl::string_view key) const;
  void MarkCaseless(uint32_t begin_cp, uint32_t end_cp);
  bool IsTitleCaseOrAllCaps(uint32_t first, uint32_t last) const;
  void FindGazetteerMatches();
  std::optional<GazEntry> ChooseReading(uint32_t begin, uint32_t end, uint32_t pattern) const;
  void CollectContextCountries();
  std::optional<GazMatch> LongestMatch(uint32_t at, uint32_t limit) const;

  // Normal-case text.
  std::vector<Chunk> FindChunks() const;
  bool StartsChunk(uint32_t i) const;
  uint32_t ExtendChunk(uint32_t i, uint32_t end) const;
  uint32_t TrimChunkStart(const Chunk& chunk) const;
  void ProcessChunk(const Chunk& chunk);
  // The rules on the pieces of `chunk` (TrimChunkStart applied) up to the first
  // name typed by a head word: false, with *rest set to the chunk's remainder
  // after it, when that remainder is to be processed as a chunk; else true.
  bool ProcessPieces(const Chunk& chunk, Chunk* rest);
  void ClassifyRun(uint32_t begin, uint32_t end, const std::string& title, bool after_honorific,
                   uint32_t chunk_end);
  // Token index of the last head word ("University", "River") in [begin, end)
  // that heads the name, with its entity type in *type; -1 if none. With
  // `first_only`, the first such word instead (enough to tell whether there is one).
  int HeadKeyword(uint32_t begin, uint32_t end, std::string* type,
                  bool first_only = false) const;
  void ResolveSingles();
  void ResolveAcronyms();

  // ALL-CAPS / Title Case text.
  void ProcessCaseless();

  // Known places inside the names of organisations and facilities ("University
  // of Copenhagen", "Massachusetts Institute of Technology"), and people heading
  // the names of organisations, facilities and events ("Andy Warhol Foundation
  // for the Visual Arts", "Kennedy Space Center" after "John F. Kennedy"), as
  // mentions of their own.
  void AddNestedNames();
  // Pronouns and definite descriptions that refer back to a named entity.
  void ResolveReferences();
  // Whether the article is an interview: "interview(s/ed)" in the headline or
  // the first body sentence, next to a name ("Interview with Noam Chomsky",
  // "Wikinews interviews ...", "interviewed by ...") or after "an".
  bool IsInterview() const;

  // Output.
  Candidate FromGazetteer(uint32_t begin, uint32_t end, const GazEntry& e) const;
  std::string Surface(uint32_t begin, uint32_t end) const;
  std::string KeyOf(uint32_t begin, uint32_t end) const;
  // KeyOf without a trailing company suffix ("Inc", "Corp", "Ltd" ...).
  std::string OrgKey(uint32_t begin, uint32_t end) const;
  bool IsCommon(const Token& t) const;
  bool FollowedByReportingVerb(uint32_t end) const;
  // `t` is the plural of a word the article also uses in the singular ("Warhol
  // Polaroids" after "the Polaroid camera"): a thing, not a surname.
  bool IsPluralOfArticleWord(const Token& t) const;
  bool PlacePrepositionBefore(uint32_t begin) const;
  // ", Arkansas" / ", Australia" follows token `end`.
  bool IsFollowedByRegion(uint32_t end) const;
  // Token `token` is inside the dateline's span, before its first comma.
  bool InDateline(uint32_t token) const;
  // Groups the candidates into entities. Mentions inside the dateline span are
  // not emitted (the dateline is not body text) but still give an entity its
  // name, type, link and confidence; an entity named only there is left out.
  // The places (GPE, LOC) named in the dateline's place go to *dateline_places.
  std::vector<v1::Entity> Group(
      std::vector<std::pair<v1::DatelinePlace, float>>* dateline_places) const;

  const Gazetteer& g_;
  const v1::Article& article_;
  absl::string_view text_;
  const std::vector<Token>& tokens_;  // the shared token stream
  std::vector<uint32_t> symbols_;
  std::vector<int32_t> sentence_;   // sentence index of each token, -1 if none
  std::vector<uint8_t> initial_;    // first word of a sentence or quotation
  std::vector<uint8_t> caseless_;   // capitalisation carries no information
  std::vector<std::vector<GazMatch>> matches_;  // valid matches by first token
  // How the article writes each word (by key): in lower case and capitalised
  // inside normal-case sentences, and in capitals (words of any case in
  // normal-case text; a key is present iff the article has the word).
  struct WordStats {
    int lower = 0;
    int capitalised = 0;
    int all_caps = 0;
  };
  absl::flat_hash_map<absl::string_view, WordStats> words_;
  absl::flat_hash_set<std::string> context_countries_;
  // Countries of the subdivisions and countries named after a comma, by the
  // token they start at ("Paris, Texas": US at "Texas").
  absl::flat_hash_map<uint32_t, absl::flat_hash_set<std::string>> region_countries_;
  std::string dateline_country_;
  uint64_t dateline_city_ = 0;  // GeoNames id of the dateline's city, 0 if none
  std::vector<Candidate> candidates_;
  // Lone unknown capitalised words, resolved after all full names are known.
  std::vector<std::pair<uint32_t, uint32_t>> singles_;
  // Runs of two to four capitalised words no rule typed ("Dries Mertens", with
  // "dries" an English word), resolved after all other names are known.
  std::vector<std::pair<uint32_t, uint32_t>> untyped_runs_;
};

std::string Extractor::Surface(uint32_t begin, uint32_t end) const {
  return std::string(text_.substr(tokens_[begin].byte_begin,
                                  tokens_[end - 1].byte_end - tokens_[begin].byte_begin));
}

std::string Extractor::KeyOf(uint32_t begin, uint32_t end) const {
  std::string key;
  for (uint32_t i = begin; i < end; ++i) {
    if (!key.empty()) key.push_back(' ');
    key += tokens_[i].key;
  }
  return key;
}

std::string Extractor::OrgKey(uint32_t begin, uint32_t end) const {
  // "ChemLawn Corp" and "ChemLawn" are one company.
  while (end - begin > 1 && In(kCompanySuffixes, tokens_[end - 1].key)) --end;
  while (end - begin > 1 &&
         (KeyIs(tokens_[end - 1].key, ".") || KeyIs(tokens_[end - 1].key, ","))) {
    --end;
  }
  return KeyOf(begin, end);
}

bool Extractor::IsCommon(const Token& t) const {
  if (g_.IsCommonWord(t.key) || LowerCaseInArticle(t.key)) return true;
  // Plurals of common nouns ("Polaroids" when "polaroid" is a word).
  if (t.key.size() > 3 && t.key.back() == 's') {
    const absl::string_view singular(t.key.data(), t.key.size() - 1);
    return g_.IsCommonWord(singular) || LowerCaseInArticle(singular);
  }
  return false;
}

bool Extractor::IsPluralOfArticleWord(const Token& t) const {
  if (t.key.size() < 4 || t.key.back() != 's') return false;
  return words_.contains(absl::string_view(t.key).substr(0, t.key.size() - 1));
}

bool Extractor::FollowedByReportingVerb(uint32_t end) const {
  if (end < tokens_.size() && KeyIs(tokens_[end].key, ",")) return false;
  return end < tokens_.size() && In(kReportingVerbs, tokens_[end].key);
}

bool Extractor::InDateline(uint32_t token) const {
  if (!article_.dateline().has_span()) return false;
  const v1::Span& span = article_.dateline().span();
  if (span.end() <= span.begin() || tokens_[token].begin < span.begin() ||
      tokens_[token].end > span.end()) {
    return false;
  }
  // Only the places before the first comma ("GENEVA/BRUSSELS, Sept 12"), not a
  // misspelt date ("RENO, Nev., Mach 4").
  for (uint32_t t = token; t > 0 && tokens_[t - 1].begin >= span.begin(); --t) {
    if (KeyIs(tokens_[t - 1].key, ",")) return false;
  }
  return true;
}

bool Extractor::IsFollowedByRegion(uint32_t end) const {
  if (end + 1 >= tokens_.size() || !KeyIs(tokens_[end].key, ",")) return false;
  for (const GazMatch& m : matches_[end + 1]) {
    if (m.entry.kind != GazKind::kSubdivision && m.entry.kind != GazKind::kCountry) continue;
    // "Angela Merkel, Germany's chancellor": an appositive about a person.
    if (m.end < tokens_.size() && KeyIs(tokens_[m.end].key, "'s")) continue;
    return true;
  }
  return false;
}

bool Extractor::PlacePrepositionBefore(uint32_t begin) const {
  return begin > 0 && In(kCityPrepositions, tokens_[begin - 1].key);
}

void Extractor::MarkSentences() {
  sentence_.assign(tokens_.size(), -1);
  initial_.assign(tokens_.size(), 0);
  // The first word after the dateline span opens the lede's first sentence (the
  // segment stage leaves the dateline out of it), but is not taken for a
  // sentence start: ledes open with names ("First Union Corp said ...") far more
  // often than with common words, and a name's first word must not be trimmed.
  size_t lede = tokens_.size();
  if (const v1::Span& d = article_.dateline().span(); d.end() > d.begin()) {
    lede = static_cast<size_t>(
        std::lower_bound(tokens_.begin(), tokens_.end(), d.end(),
                         [](const Token& tk, uint32_t cp) { return tk.begin < cp; }) -
        tokens_.begin());
    while (lede < tokens_.size() && !IsWord(tokens_[lede]) &&
           tokens_[lede].kind != Token::Kind::kNumber) {
      ++lede;  // "<Versatile Corp> said ..."
    }
  }
  size_t t = 0;
  for (int s = 0; s < article_.sentences_size(); ++s) {
    const v1::Span& span = article_.sentences(s);
    while (t < tokens_.size() && tokens_[t].begin < span.begin()) ++t;
    bool first = true;
    for (; t < tokens_.size() && tokens_[t].end <= span.end(); ++t) {
      sentence_[t] = s;
      if (first && (IsWord(tokens_[t]) || tokens_[t].kind == Token::Kind::kNumber)) {
        initial_[t] = t != lede;
        first = false;
      }
    }
  }
  // Text outside any sentence (no segment stage): every paragraph start.
  if (article_.sentences_size() == 0 && !tokens_.empty()) initial_[0] = 1;
  // The first word of a quotation is capitalised like a sentence start.
  for (size_t i = 0; i + 1 < tokens_.size(); ++i) {
    const std::string& k = tokens_[i].key;
    if ((KeyIs(k, "\"") || KeyIs(k, "'") || KeyIs(k, "(")) &&
        IsWord(tokens_[i + 1]) && !tokens_[i + 1].space_before && tokens_[i].space_before) {
      initial_[i + 1] = 1;
    }
  }
}

void Extractor::MarkLowerCaseWords() {
  words_.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const Token& t = tokens_[i];
    if (!IsWord(t)) continue;
    WordStats& w = words_[t.key];
    if (t.all_caps) {
      if (!caseless_[i]) ++w.all_caps;
      continue;
    }
    if (!t.has_lower) continue;
    // A word glued into a host name, newsgroup or file name by a dot or slash
    // ("alt.religion.scientology", "example.com/scientology") does not count.
    auto glue = [&](size_t j) {
      return j < tokens_.size() && (KeyIs(tokens_[j].key, ".") || KeyIs(tokens_[j].key, "/"));
    };
    const bool dotted = (i > 0 && !t.space_before && glue(i - 1)) ||
                        (glue(i + 1) && i + 2 < tokens_.size() && !tokens_[i + 1].space_before &&
                         !tokens_[i + 2].space_before && IsWord(tokens_[i + 2]));
    if (dotted) continue;
    if (!t.capitalized) {
      ++w.lower;
    } else if (!initial_[i] && !caseless_[i]) {
      ++w.capitalised;
    }
  }
}

bool Extractor::LowerCaseInArticle(absl::string_view key) const {
  auto it = words_.find(key);
  return it != words_.end() && it->second.lower > 0 && it->second.lower >= it->second.capitalised;
}

bool Extractor::IsTitleCaseOrAllCaps(uint32_t first, uint32_t last) const {
  int words = 0;
  int lower = 0;
  int capital = 0;
  for (uint32_t i = first; i < last; ++i) {
    const Token& t = tokens_[i];
    if (!IsWord(t)) continue;
    ++words;
    if (t.has_lower) ++lower;
    if (t.capitalized && !In(kTitleCaseSmallWords, t.key) && t.key.size() > 3) ++capital;
    if (!t.capitalized && t.has_lower && !In(kTitleCaseSmallWords, t.key) && t.key.size() > 3) {
      return false;
    }
  }
  if (words < 3) return false;
  return lower * 5 <= words || capital >= 3;
}

void Extractor::MarkCaseless(uint32_t begin_cp, uint32_t end_cp) {
  // Tokens are in text order and do not overlap: the ones inside the span are
  // consecutive, from the first that begins in it (O(log n + span), not O(n) per
  // span).
  auto i = static_cast<size_t>(
      std::lower_bound(tokens_.begin(), tokens_.end(), begin_cp,
                       [](const Token& t, uint32_t cp) { return t.begin < cp; }) -
      tokens_.begin());
  for (; i < tokens_.size() && tokens_[i].end <= end_cp; ++i) caseless_[i] = 1;
}

std::optional<GazEntry> Extractor::ChooseReading(uint32_t begin, uint32_t end,
                                                 uint32_t pattern) const {
  const absl::Span<const GazEntry> entries = g_.entries(pattern);
  const bool caseless = caseless_[begin] != 0;
  bool all_caps = true;
  bool capitalised = true;
  for (uint32_t i = begin; i < end; ++i) {
    const Token& t = tokens_[i];
    if (!IsWord(t)) continue;
    all_caps = all_caps && t.all_caps;
    if (!t.capitalized && !In(kConnectors, t.key) && !KeyIs(t.key, "and")) capitalised = false;
  }
  if (!caseless && (!capitalised || !tokens_[begin].capitalized)) return std::nullopt;
  const bool single_common = end - begin == 1 && g_.IsCommonWord(tokens_[begin].key);
  // Reading preference: titles and non-entities decide the role of a word;
  // then organisations, countries, regions, demonyms, and places by score.
  std::optional<GazEntry> best;
  double best_score = -1;
  for (const GazEntry& e : entries) {
    if (e.case_sensitive && !all_caps) continue;
    double score = 0;
    switch (e.kind) {
      case GazKind::kTitle: score = 100; break;
      case GazKind::kNonEntity: score = 90; break;
      case GazKind::kOrg: score = 80; break;
      case GazKind::kCountry: score = 70; break;
      case GazKind::kRegion: score = 60; break;
      case GazKind::kDemonym: score = 50; break;
      case GazKind::kSubdivision: {
        if (single_common) continue;
        const GazSubdivision& s = g_.subdivisions()[e.index];
        score = 5.5 + (context_countries_.contains(s.country_code) ? 1.0 : 0) +
                (s.country_code == dateline_country_ ? 2.0 : 0);
        break;
      }
      case GazKind::kCity: {
        const GazCity& c = g_.cities()[e.index];
        // "Paris, Texas", "London, Ontario": a city of the region that follows.
        bool in_region = false;
        if (end + 1 < tokens_.size() && KeyIs(tokens_[end].key, ",")) {
          if (auto it = region_countries_.find(end + 1); it != region_countries_.end()) {
            if (!it->second.contains(c.country_code)) continue;
            in_region = true;
          }
        }
        // A city called like a common word ("Nice", "Reading") only when big and
        // capitalised where capitals mean something.
        if (single_common && (initial_[begin] || caseless) && !in_region) continue;
        // Without support from the article (its country mentioned, the
        // dateline, "in"/"at"/"from" before it), only big cities that are not
        // common words: "Obama", "Batman", "Man" are rarely the cities.
        // A national capital of 100,000 or more stands for its government
        // ("Washington said"); every city of the dateline ("GENEVA/BRUSSELS") is a
        // place.
        // WordNet knowing the name as a place ("Manchester", "Glasgow") supports
        // it too.
        const bool supported = in_region || InDateline(begin) ||
                               (end - begin == 1 && !single_common &&
                                !g_.IsFirstName(tokens_[begin].key) &&
                                g_.ProperNounType(tokens_[begin].key) == "LOC") ||
                               context_countries_.contains(c.country_code) ||
                               c.country_code == dateline_country_ || PlacePrepositionBefore(begin);
        const bool big_capital = c.feature_code == "PPLC" && c.population >= 100000;
        if (!supported && (single_common || (c.population < 1000000 && !big_capital))) continue;
        score = std::log10(static_cast<double>(c.population) + 1) +
                (c.feature_code == "PPLC" ? 1.0 : c.feature_code == "PPLA" ? 0.5 : 0) +
                (context_countries_.contains(c.country_code) ? 1.0 : 0) +
                (c.country_code == dateline_country_ ? 2.0 : 0) + (in_region ? 3.0 : 0) +
                (c.geonames_id == dateline_city_ ? 3.0 : 0);
        break;
      }
    }
    if (score > best_score) {
      best_score = score;
      best = e;
    }
  }
  return best;
}

void Extractor::FindGazetteerMatches() {
  std::vector<TokenAhoCorasick::Match> raw;
  g_.FindAll(symbols_, &raw);
  matches_.assign(tokens_.size(), {});
  // Countries of the subdivisions and countries named at each token, for "Paris,
  // Texas" and "London, Ontario".
  region_countries_.clear();
  for (const TokenAhoCorasick::Match& m : raw) {
    if (m.begin == 0 || !KeyIs(tokens_[m.begin - 1].key, ",") ||
        !tokens_[m.begin].capitalized) {
      continue;
    }
    for (const GazEntry& e : g_.entries(m.pattern)) {
      if (e.case_sensitive && !tokens_[m.begin].all_caps) continue;
      if (e.kind == GazKind::kSubdivision) {
        region_countries_[m.begin].insert(g_.subdivisions()[e.index].country_code);
      } else if (e.kind == GazKind::kCountry) {
        region_countries_[m.begin].insert(g_.countries()[e.index].code);
      }
    }
  }
  for (const TokenAhoCorasick::Match& m : raw) {
    if (!IsWord(tokens_[m.begin]) && tokens_[m.begin].kind != Token::Kind::kNumber) continue;
    // A name never continues into a longer hyphenated word ("Russia-based" is
    // fine, "Georgia-Pacific" is not Georgia).
    if (m.end + 1 < tokens_.size() && KeyIs(tokens_[m.end].key, "-") &&
        !tokens_[m.end].space_before && tokens_[m.end + 1].capitalized &&
        !tokens_[m.end + 1].space_before && g_.Symbol(tokens_[m.end + 1].key) == 0) {
      continue;
    }
    std::optional<GazEntry> e = ChooseReading(m.begin, m.end, m.pattern);
    if (e.has_value()) matches_[m.begin].push_back(GazMatch{m.end, *e});
  }
}

void Extractor::CollectContextCountries() {
  for (size_t i = 0; i < matches_.size(); ++i) {
    for (const GazMatch& m : matches_[i]) {
      if (m.entry.kind == GazKind::kCountry) {
        context_countries_.insert(g_.countries()[m.entry.index].code);
      } else if (m.entry.kind == GazKind::kDemonym && g_.demonyms()[m.entry.index].country >= 0) {
        context_countries_.insert(g_.countries()[g_.demonyms()[m.entry.index].country].code);
      }
    }
  }
  // The dateline place ("GENEVA", "ASTANA, Kazakhstan"): its biggest reading.
  if (!article_.dateline().place().empty()) {
    std::vector<Token> place = Tokenize(article_.dateline().place());
    std::vector<uint32_t> symbols;
    for (const Token& t : place) symbols.push_back(g_.Symbol(t.key));
    std::vector<TokenAhoCorasick::Match> raw;
    g_.FindAll(symbols, &raw);
    uint64_t best_population = 0;
    for (const TokenAhoCorasick::Match& m : raw) {
      for (const GazEntry& e : g_.entries(m.pattern)) {
        if (e.kind == GazKind::kCountry) {
          dateline_country_ = g_.countries()[e.index].code;
          best_population = ~0ull;
        } else if (e.kind == GazKind::kSubdivision && m.begin > 0 &&
                   KeyIs(place[m.begin - 1].key, ",")) {
          // "PARIS, Texas", "LONDON, Ontario": the region after the city.
          dateline_country_ = g_.subdivisions()[e.index].country_code;
          best_population = ~0ull;
        } else if (e.kind == GazKind::kCity &&
                   g_.cities()[e.index].population > best_population) {
          best_population = g_.cities()[e.index].population;
          dateline_country_ = g_.cities()[e.index].country_code;
        }
      }
    }
    // The dateline's city in the dateline's country ("PARIS, Texas": Paris,
    // Texas, GeoNames 4717560), which the article's other mentions of the name are.
    best_population = 0;
    for (const TokenAhoCorasick::Match& m : raw) {
      for (const GazEntry& e : g_.entries(m.pattern)) {
        if (e.kind != GazKind::kCity) continue;
        const GazCity& c = g_.cities()[e.index];
        if (c.country_code == dateline_country_ && c.population >= best_population) {
          best_population = c.population;
          dateline_city_ = c.geonames_id;
        }
      }
    }
  }
  // Readings were chosen without context: choose again with it.
  if (!context_countries_.empty() || !dateline_country_.empty()) FindGazetteerMatches();
}

std::optional<GazMatch> Extractor::LongestMatch(uint32_t at, uint32_t limit) const {
  std::optional<GazMatch> best;
  for (const GazMatch& m : matches_[at]) {
    if (m.end <= limit && (!best.has_value() || m.end > best->end)) best = m;
  }
  return best;
}

bool Extractor::StartsChunk(uint32_t i) const {
  const Token& t = tokens_[i];
  return !caseless_[i] && IsWord(t) && t.capitalized;
}

uint32_t Extractor::ExtendChunk(uint32_t i, uint32_t end) const {
  const int32_t sentence = sentence_[i];
  auto same_unit = [&](uint32_t k) {
    return k < tokens_.size() && sentence_[k] == sentence && !caseless_[k];
  };
  auto name_word = [&](uint32_t k) {
    return same_unit(k) && IsWord(tokens_[k]) && tokens_[k].capitalized;
  };
  bool grew = true;
  // Tokens [i, scanned) had their gazetteer names looked at: they end by `end`
  // (which only grows), so each token is looked at once, not once per growth.
  uint32_t scanned = i;
  while (grew) {
    grew = false;
    // A gazetteer name that starts inside the chunk extends it ("Bosnia and
    // Herzegovina", "Trinidad and Tobago").
    for (; scanned < end; ++scanned) {
      for (const GazMatch& m : matches_[scanned]) {
        if (m.end > end && same_unit(m.end - 1)) {
          end = m.end;
          grew = true;
        }
      }
    }
    if (!same_unit(end)) break;
    const Token& next = tokens_[end];
    if (name_word(end) && !KeyIs(next.key, "the") &&
        (next.space_before || KeyIs(tokens_[end - 1].key, "-") ||
         KeyIs(tokens_[end - 1].key, "&"))) {
      ++end;
      grew = true;
      continue;
    }
    // A hyphenated name part in lower case that is no English word ("Lee
    // Cheuk-yan", "Yau Wai-ching"; not "French-drafted").
    if (KeyIs(next.key, "-") && !next.space_before && end + 1 < tokens_.size() &&
        same_unit(end + 1) && IsWord(tokens_[end + 1]) && !tokens_[end + 1].space_before &&
        !tokens_[end + 1].capitalized && !g_.IsCommonWord(tokens_[end + 1].key) &&
        tokens_[end - 1].capitalized) {
      end += 2;
      grew = true;
      continue;
    }
    // An initial: "John F. Kennedy".
    if (KeyIs(next.key, ".") && !next.space_before && tokens_[end - 1].key.size() == 1 &&
        tokens_[end - 1].all_caps && name_word(end + 1)) {
      end += 2;
      grew = true;
      continue;
    }
    // Up to three connectors (words or attached hyphens) before a capitalised word.
    uint32_t k = end;
    while (k < end + 3 && same_unit(k)) {
      const Token& c = tokens_[k];
      const bool hyphen = KeyIs(c.key, "-") && !c.space_before && k + 1 < tokens_.size() &&
                          !tokens_[k + 1].space_before;
      // "the" only inside a name after another connector ("Organization for the
      // Prohibition ..."): "Rathbun the Scientology ..." is two names.
      const bool word = IsWord(c) && !c.capitalized && In(kConnectors, c.key) &&
                        (!KeyIs(c.key, "the") || k > end);
      const bool amp = KeyIs(c.key, "&");
      if (!hyphen && !word && !amp) break;
      ++k;
    }
    if (k > end && name_word(k) && !KeyIs(tokens_[k].key, "the")) {
      end = k + 1;
      grew = true;
    }
  }
  return end;
}

std::vector<Chunk> Extractor::FindChunks() const {
  std::vector<Chunk> chunks;
  uint32_t i = 0;
  const auto n = static_cast<uint32_t>(tokens_.size());
  while (i < n) {
    if (!StartsChunk(i)) {
      ++i;
      continue;
    }
    const uint32_t end = ExtendChunk(i, i + 1);
    chunks.push_back(Chunk{i, end});
    i = end;
  }
  return chunks;
}

uint32_t Extractor::TrimChunkStart(const Chunk& chunk) const {
  uint32_t b = chunk.begin;
  const Token& t = tokens_[b];
  std::optional<GazMatch> m = LongestMatch(b, chunk.end);
  const bool named = m.has_value() && m->entry.kind != GazKind::kNonEntity;
  if (named) return b;
  // "The" is not part of a name; a sentence-initial common word is not a name
  // ("Tomorrow", "Regarding", "During"), unless a first name starts a longer one.
  const bool drop = KeyIs(t.key, "the") ||
                    (initial_[b] && !t.all_caps && IsCommon(t) &&
                     !(g_.IsFirstName(t.key) && chunk.end - b > 1)) ||
                    (initial_[b] && t.all_caps && t.key.size() == 1);
  if (!drop) return b;
  ++b;
  while (b < chunk.end && !tokens_[b].capitalized) ++b;
  return b;
}

Candidate Extractor::FromGazetteer(uint32_t begin, uint32_t end, const GazEntry& e) const {
  Candidate c;
  c.begin = begin;
  c.end = end;
  c.evidence = Evidence::kGazetteer;
  // A linked thing: its link is its grouping key.
  auto linked = [&c](std::string type, std::string link, std::string name) {
    c.type = std::move(type);
    c.key = c.link = std::move(link);
    c.name = std::move(name);
  };
  auto country = [&](int32_t index) {
    const GazCountry& k = g_.countries()[index];
    linked("GPE", absl::StrCat("iso3166:", k.code), k.name);
    c.geo = GeoInfo{0, k.code, k.latitude, k.longitude, 0, "PCL",
                    k.latitude != 0 || k.longitude != 0};
  };
  switch (e.kind) {
    case GazKind::kCountry:
      country(static_cast<int32_t>(e.index));
      break;
    case GazKind::kDemonym: {
      const GazDemonym& d = g_.demonyms()[e.index];
      if (d.country >= 0) {
        country(d.country);
        c.mention_type = "NORP";
      } else {
        c.type = "NORP";
        c.name = d.word;
        c.key = absl::StrCat("NORP:", absl::AsciiStrToLower(d.word));
      }
      break;
    }
    case GazKind::kSubdivision: {
      const GazSubdivision& s = g_.subdivisions()[e.index];
      linked("GPE", absl::StrCat("iso3166-2:", s.code), s.name);
      c.geo = GeoInfo{0, s.country_code, 0, 0, 0, "ADM1"};
      break;
    }
    case GazKind::kCity: {
      const GazCity& k = g_.cities()[e.index];
      linked("GPE", absl::StrCat("geonames:", k.geonames_id), k.name);
      c.geo = GeoInfo{k.geonames_id, k.country_code, k.latitude, k.longitude, k.population,
                      k.feature_code, true};
      break;
    }
    case GazKind::kRegion: {
      const GazRegion& r = g_.regions()[e.index];
      linked(r.type, r.link.empty() ? absl::StrCat(r.type, ":", r.name) : r.link, r.name);
      c.link = r.link;
      GeoInfo geo;
      if (absl::StartsWith(r.link, "geonames:")) {
        absl::SimpleAtoi(r.link.substr(9), &geo.geonames_id);
        geo.feature_code = "CONT";
      } else if (absl::StartsWith(r.link, "iso3166-3:")) {
        geo.feature_code = "PCLH";  // GeoNames: historical political entity
      } else {
        geo.feature_code = "RGN";
      }
      c.geo = geo;
      break;
    }
    case GazKind::kOrg: {
      const GazOrg& o = g_.orgs()[e.index];
      linked(o.type, o.id, o.name);
      break;
    }
    case GazKind::kTitle:
    case GazKind::kNonEntity:
      break;
  }
  return c;
}

void Extractor::ClassifyRun(uint32_t begin, uint32_t end, const std::string& run_title,
                            bool after_honorific, uint32_t chunk_end) {
  const std::string no_title;
  const std::string* title_ptr = &run_title;
  while (true) {
    // Trim connectors and punctuation at both ends.
    while (begin < end && (!IsWord(tokens_[begin]) || !tokens_[begin].capitalized)) ++begin;
    while (end > begin && (!IsWord(tokens_[end - 1]) || !tokens_[end - 1].capitalized) &&
           !(end - begin >= 3 && KeyIs(tokens_[end - 2].key, "-") && IsWord(tokens_[end - 1]))) {
      --end;
    }
    if (begin >= end) return;
    // "Rosemarie Morbelli of Ingalls": a person's name does not go on with "of";
    // the words after it are a run of their own (this loop: a long run may have
    // many).
    uint32_t of = end;
    if (title_ptr->empty() && !after_honorific && g_.IsFirstName(tokens_[begin].key)) {
      for (uint32_t i = begin + 1; i + 1 < end; ++i) {
        if (KeyIs(tokens_[i].key, "of")) {
          of = i;
          break;
        }
      }
    }
    if (of == end) break;
    ClassifyRun(begin, of, *title_ptr, after_honorific, chunk_end);  // has no "of"
    begin = of + 1;
    title_ptr = &no_title;
    after_honorific = false;
  }
  const std::string& title = *title_ptr;
  const uint32_t words = end - begin;
  // No name has a word of more than 64 code points (a 200,000-letter "word").
  for (uint32_t i = begin; i < end; ++i) {
    if (tokens_[i].end - tokens_[i].begin > kMaxNameWordLength) return;
  }
  Candidate c;
  c.begin = begin;
  c.end = end;
  c.type = "PERSON";
  const Token& first = tokens_[begin];
  int common = 0;
  int capital_words = 0;
  bool acronym_inside = false;
  for (uint32_t i = begin; i < end; ++i) {
    if (!IsWord(tokens_[i]) || !tokens_[i].capitalized) continue;
    ++capital_words;
    if (IsCommon(tokens_[i]) && !g_.IsFirstName(tokens_[i].key)) ++common;
    if (tokens_[i].all_caps && tokens_[i].key.size() > 1) acronym_inside = true;
  }
  if (end == chunk_end && IsFollowedByRegion(end) && capital_words <= 3 && title.empty() &&
      !after_honorific) {
    // "Eureka Springs, Arkansas", "Preston, Victoria": a town of that region.
    c.type = "GPE";
    c.evidence = Evidence::kPlace;
  } else if (words == 1 && first.all_caps && first.key.size() >= 2 && first.key.size() <= 8 &&
      title.empty() && !after_honorific) {
    // An ordinary word in capitals ("NOTE", "US" as in "tell us") is no acronym,
    // unless the article writes it so again and never in lower case ("DAB 's Ben
    // Chan" ... "Elizabeth Quat of DAB"); nor is a version or model ("IE6", "F16").
    const auto word = words_.find(first.key);
    const bool repeated = word != words_.end() && word->second.all_caps >= 2 &&
                          first.key.size() >= 3 && !LowerCaseInArticle(first.key);
    if ((g_.IsCommonWord(first.key) && !repeated) ||
        std::any_of(first.key.begin(), first.key.end(),
                    [](char ch) { return absl::ascii_isdigit(ch); })) {
      return;
    }
    c.type = "ORG";
    c.evidence = Evidence::kAcronym;
  } else if (words == 1 && IsCamelCase(first)) {
    // "LibriVox", "PlayStation": brand and company names.
    c.type = "ORG";
    c.evidence = Evidence::kShape;
  } else if (!title.empty() || after_honorific) {
    c.evidence = Evidence::kTitle;
    c.role = title;
  } else if (words == 1) {
    singles_.emplace_back(begin, end);
    return;
  } else if (IsPluralOfArticleWord(tokens_[end - 1]) && !g_.IsFirstName(first.key)) {
    // "Warhol Polaroids": the name before a thing named after it.
    ClassifyRun(begin, end - 1, title, after_honorific, end - 1);
    return;
  } else if (g_.IsFirstName(first.key) && capital_words <= 4 && !acronym_inside) {
    c.evidence = Evidence::kFirstName;
  } else if (capital_words >= 2 && capital_words <= 4 && common == 0 && !acronym_inside) {
    c.evidence = Evidence::kShape;
    // "in Levico Terme", "near Kowloon West": a place, not a person (but "in
    // Aner Shalev's view").
    if (begin > 0 && In(kPlacePrepositions, tokens_[begin - 1].key) &&
        !(end < tokens_.size() && KeyIs(tokens_[end].key, "'s"))) {
      c.type = "GPE";
    }

  } else if (capital_words <= 3 && end == chunk_end && FollowedByReportingVerb(end) &&
             !acronym_inside) {
    c.evidence = Evidence::kVerb;
  } else {
    if (capital_words >= 2 && capital_words <= 4 && !acronym_inside) {
      untyped_runs_.emplace_back(begin, end);
    }
    return;
  }
  c.key = absl::StrCat(c.type, ":", OrgKey(begin, end));
  candidates_.push_back(std::move(c));
}

int Extractor::HeadKeyword(uint32_t begin, uint32_t end, std::string* type,
                           bool first_only) const {
  // English names are head-final ("Harvard University", "Red Sea") or the head
  // takes a complement ("University of Helsinki", "Centre for Social Evolution"):
  // a head word counts when it ends the words or a connector follows it.
  int found = -1;
  for (uint32_t i = begin; i < end; ++i) {
    if (!tokens_[i].capitalized || (i == begin && initial_[i])) continue;
    const bool head = i + 1 == end || (IsWord(tokens_[i + 1]) && !tokens_[i + 1].capitalized &&
                                       In(kConnectors, tokens_[i + 1].key));
    if (!head) continue;
    absl::string_view t = g_.KeywordType(Surface(i, i + 1));
    if (!t.empty()) {
      found = static_cast<int>(i);
      *type = std::string(t);
      if (first_only) break;
    }
  }
  return found;
}

void Extractor::ProcessChunk(const Chunk& whole_chunk) {
  // What follows a name typed by a head word is processed as a chunk of its own;
  // a loop rather than recursion, so a long chunk costs neither stack nor copies.
  Chunk whole = whole_chunk;
  while (true) {
    const Chunk chunk{TrimChunkStart(whole), whole.end};
    if (chunk.begin >= chunk.end) return;
    // A capitalised "The" inside a sentence starts the title of a publication,
    // band or organisation ("told The Huffington Post", "writes for The Onion"),
    // unless the rest is a known name or has a head word ("The Church of
    // Scientology"), which the rules below read.
    if (chunk.begin == whole.begin + 1 && KeyIs(tokens_[whole.begin].key, "the") &&
        tokens_[whole.begin].capitalized && !initial_[whole.begin]) {
      std::optional<GazMatch> m = LongestMatch(chunk.begin, chunk.end);
      std::string type;
      if (!(m.has_value() && m->end == chunk.end) &&
          HeadKeyword(chunk.begin, chunk.end, &type, /*first_only=*/true) < 0) {
        Candidate c;
        c.begin = chunk.begin;
        c.end = chunk.end;
        c.type = "ORG";
        c.key = absl::StrCat("ORG:", OrgKey(c.begin, c.end));
        c.evidence = Evidence::kShape;
        candidates_.push_back(std::move(c));
        return;
      }
    }
    if (ProcessPieces(chunk, &whole)) return;
  }
}

bool Extractor::ProcessPieces(const Chunk& chunk, Chunk* rest) {
  // The chunk in pieces: the longest gazetteer match at each position, else one
  // unknown word. Pieces are made as the rules below need them (the rules look
  // at most one piece ahead of the piece they decide), so that when a head word
  // ends the work early, the rest of a long chunk is not read.
  std::vector<Piece> raw;          // pieces as matched
  uint32_t raw_end = chunk.begin;  // where the next raw piece starts
  size_t settled = 0;              // raw pieces the city rule below has seen
  std::vector<Piece> pieces;       // settled pieces, adjacent unknown ones merged
  auto next_raw = [&]() {
    if (raw_end >= chunk.end) return false;
    std::optional<GazMatch> m = LongestMatch(raw_end, chunk.end);
    if (m.has_value()) {
      raw.push_back({raw_end, m->end, m->entry});
      raw_end = m->end;
    } else {
      raw.push_back({raw_end, raw_end + 1, {}});
      ++raw_end;
    }
    return true;
  };
  // Settles the next raw piece into `pieces`; false when all are settled.
  auto settle = [&]() {
    if (settled == raw.size() && !next_raw()) return false;
    if (settled + 1 == raw.size()) next_raw();  // the piece after it, if any
    const size_t k = settled++;
    Piece& p = raw[k];
    // A city or subdivision name next to a title or to unknown capitalised words
    // is part of a name ("President Vladimir Putin", "New York Times", "Valeska
    // Paris"), not a place.
    if (p.entry.has_value() &&
        (p.entry->kind == GazKind::kCity || p.entry->kind == GazKind::kSubdivision)) {
      auto unknown_name = [&](size_t j) {
        return j < raw.size() && !raw[j].entry.has_value() && tokens_[raw[j].begin].capitalized;
      };
      const bool after_title =
          k > 0 && raw[k - 1].entry.has_value() && raw[k - 1].entry->kind == GazKind::kTitle;
      // "Southern Indiana", "Northern Italy": a part of the place, kept as LOC.
      const bool after_direction = k > 0 && !raw[k - 1].entry.has_value() &&
                                   raw[k - 1].end - raw[k - 1].begin == 1 &&
                                   In(kDirections, tokens_[raw[k - 1].begin].key);
      // A one-word place named like a head word with its complement after it is
      // the head of a name ("University of Southern Indiana", not University,
      // Florida).
      const bool head_with_complement =
          p.end - p.begin == 1 && p.end < chunk.end && !tokens_[p.end].capitalized &&
          In(kConnectors, tokens_[p.end].key) && !g_.KeywordType(Surface(p.begin, p.end)).empty();
      if (head_with_complement ||
          (!after_direction &&
           (after_title || unknown_name(k + 1) || (k > 0 && unknown_name(k - 1))))) {
        p.entry.reset();
      }
    }
    // A month or weekday after a first name or an honorific is a surname
    // ("Theresa May", "Mrs. May"; "in May" stays the month).
    if (p.entry.has_value() && p.entry->kind == GazKind::kNonEntity && p.end - p.begin == 1 &&
        k > 0 && tokens_[p.begin].capitalized && !tokens_[p.begin].all_caps) {
      const Piece& before = raw[k - 1];
      const bool after_first_name = !before.entry.has_value() &&
                                    g_.IsFirstName(tokens_[before.end - 1].key) &&
                                    tokens_[before.end - 1].capitalized;
      const bool after_honorific = before.entry.has_value() &&
                                   before.entry->kind == GazKind::kTitle &&
                                   g_.titles()[before.entry->index].honorific;
      if (after_first_name || after_honorific) p.entry.reset();
    }
    // Adjacent unknown pieces form one run.
    if (!pieces.empty() && !p.entry.has_value() && !pieces.back().entry.has_value()) {
      pieces.back().end = p.end;
    } else {
      pieces.push_back(p);
    }
    return true;
  };
  // True once pieces[m] exists and no later raw piece can merge into it.
  auto ready = [&](size_t m) {
    while (pieces.size() <= m + 1) {
      if (!settle()) return pieces.size() > m;
    }
    return true;
  };
  // A head word in unknown words types the name from the first non-title piece
  // through the head and its complement ("University of Copenhagen", "Russian
  // Foreign Ministry"); what follows the head is another name ("Washington State
  // University Simon Ličen").
  for (size_t k = 0; ready(k); ++k) {
    if (pieces[k].entry.has_value()) continue;
    std::string type;
    const int head = HeadKeyword(pieces[k].begin, pieces[k].end, &type);
    if (head < 0) continue;
    size_t first = 0;
    while (first < k && pieces[first].entry.has_value() &&
           (pieces[first].entry->kind == GazKind::kTitle ||
            pieces[first].entry->kind == GazKind::kNonEntity)) {
      ++first;
    }
    // The complement after a connector runs to the next title or the chunk end.
    // (Pieces tile the chunk: a piece follows pieces[k] iff it ends before the
    // chunk does.)
    uint32_t end = static_cast<uint32_t>(head) + 1;
    if (end < chunk.end && !tokens_[end].capitalized) {
      end = chunk.end;
      for (size_t j = k + 1; ready(j); ++j) {
        if (pieces[j].entry.has_value() && pieces[j].entry->kind == GazKind::kTitle) {
          end = pieces[j].begin;
          break;
        }
      }
    }
    Candidate c;
    c.begin = pieces[first].begin;
    c.end = end;
    // "Troy Patterson of Slate Magazine": a person "of" the organisation.
    if (g_.IsFirstName(tokens_[c.begin].key)) {
      for (uint32_t i = c.begin + 1; i < static_cast<uint32_t>(head); ++i) {
        if (KeyIs(tokens_[i].key, "of") || KeyIs(tokens_[i].key, "from")) {
          ClassifyRun(c.begin, i, "", false, i);
          c.begin = i + 1;
          while (c.begin < c.end && !tokens_[c.begin].capitalized) ++c.begin;
          break;
        }
      }
    }
    while (c.end > c.begin && !tokens_[c.end - 1].capitalized) --c.end;
    c.type = type;
    c.key = absl::StrCat(type, ":", OrgKey(c.begin, c.end));
    c.evidence = Evidence::kKeyword;
    candidates_.push_back(std::move(c));
    if (end >= chunk.end) return true;
    *rest = Chunk{end, chunk.end};
    return false;
  }
  std::string title;
  bool honorific = false;
  for (const Piece& p : pieces) {
    if (!p.entry.has_value()) {
      ClassifyRun(p.begin, p.end, title, honorific, chunk.end);
      title.clear();
      honorific = false;
      continue;
    }
    if (p.entry->kind == GazKind::kTitle) {
      const GazTitle& t = g_.titles()[p.entry->index];
      honorific = t.honorific;
      title = t.honorific ? "" : Surface(p.begin, p.end);
      continue;
    }
    title.clear();
    honorific = false;
    if (p.entry->kind == GazKind::kNonEntity) continue;
    candidates_.push_back(FromGazetteer(p.begin, p.end, *p.entry));
  }
  return true;
}

void Extractor::ResolveSingles() {
  // Name words of the people found: "Lavrov" → "Sergey Lavrov".
  absl::flat_hash_map<std::string, size_t> person_words;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const Candidate& c = candidates_[i];
    if (c.type != "PERSON" || c.end - c.begin < 2) continue;
    for (uint32_t t = c.begin; t < c.end; ++t) {
      if (IsWord(tokens_[t]) && tokens_[t].capitalized) person_words.emplace(tokens_[t].key, i);
    }
  }
  // Distinctive words of organisations named by a head word: "Scientology"
  // after "Church of Scientology", "Harvard" after "Harvard University".
  absl::flat_hash_map<std::string, size_t> org_words;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const Candidate& c = candidates_[i];
    if (c.type != "ORG" || c.evidence != Evidence::kKeyword) continue;
    for (uint32_t t = c.begin; t < c.end; ++t) {
      const Token& w = tokens_[t];
      if (IsWord(w) && w.capitalized && !IsCommon(w) &&
          g_.KeywordType(Surface(t, t + 1)).empty()) {
        org_words.emplace(w.key, i);
      }
    }
  }
  auto after_place_preposition = [&](uint32_t begin) {
    return begin > 0 && In(kPlacePrepositions, tokens_[begin - 1].key);
  };
  // A place name that is also the name of a person in the article is the person
  // ("Jackson" after "Michael Jackson"), unless it follows "in".
  for (Candidate& c : candidates_) {
    if (c.end - c.begin != 1 || c.type != "GPE" || !c.mention_type.empty()) continue;
    if (c.link.rfind("iso3166:", 0) == 0) continue;
    auto it = person_words.find(tokens_[c.begin].key);
    if (it == person_words.end() || after_place_preposition(c.begin)) continue;
    const Candidate& person = candidates_[it->second];
    c.type = "PERSON";
    c.key = person.key;
    c.name.clear();
    c.link.clear();
    c.geo.reset();
    c.evidence = Evidence::kCoref;
  }
  // An untyped run is a person when it is joined by "and" / "or" to a person's
  // name and ends in a word that is no English word ("Romelu Lukaku, Kevin De
  // Bruyne, and Dries Mertens"; a comma alone
  // is as often an appositive: "John Dingell, D-Mich,"), or when the article
  // names that person so elsewhere. The person must have evidence of its own (a
  // first name, a title, WordNet), not merely a name's shape or a reporting
  // verb: firms are listed and "say" alike ("Morgan Stanley and Salomon
  // Brothers", "Business Day said").
  absl::flat_hash_map<std::string, size_t> people;
  absl::flat_hash_set<uint32_t> person_begins, person_ends;
  absl::flat_hash_set<absl::string_view> surnames;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const Candidate& c = candidates_[i];
    if (c.type != "PERSON" ||
        (c.evidence != Evidence::kFirstName && c.evidence != Evidence::kTitle &&
         c.evidence != Evidence::kLexicon)) {
      continue;
    }
    people.emplace(KeyOf(c.begin, c.end), i);
    person_begins.insert(c.begin);
    person_ends.insert(c.end);
    if (c.end - c.begin >= 2) surnames.insert(tokens_[c.end - 1].key);
  }
  auto conjunction = [&](uint32_t t) {
    return KeyIs(tokens_[t].key, "and") || KeyIs(tokens_[t].key, "or");
  };
  std::vector<std::pair<uint32_t, uint32_t>> listed;
  for (const auto& [begin, end] : untyped_runs_) {
    // "and" or ", and" between the run and the person's name.
    const bool after = (begin >= 2 && conjunction(begin - 1) && person_ends.contains(begin - 1)) ||
                       (begin >= 3 && conjunction(begin - 1) &&
                        KeyIs(tokens_[begin - 2].key, ",") && person_ends.contains(begin - 2));
    const bool before =
        (end + 1 < tokens_.size() && conjunction(end) && person_begins.contains(end + 1)) ||
        (end + 2 < tokens_.size() && KeyIs(tokens_[end].key, ",") && conjunction(end + 1) &&
         person_begins.contains(end + 2));
    // The surname is no English word ("Salomon Brothers", "Texas Instruments").
    if ((after || before) && !IsCommon(tokens_[end - 1])) {
      listed.emplace_back(begin, end);
      continue;
    }
    // A relative: the surname of a person the article names, after a word that is
    // no English word ("Ivanka Trump" after "Donald Trump").
    if (end - begin == 2 && surnames.contains(tokens_[end - 1].key) &&
        !IsCommon(tokens_[begin]) && tokens_[begin].capitalized && IsWord(tokens_[begin])) {
      listed.emplace_back(begin, end);
    }
  }
  for (const auto& [begin, end] : listed) {
    Candidate c;
    c.begin = begin;
    c.end = end;
    c.type = "PERSON";
    c.key = absl::StrCat("PERSON:", KeyOf(begin, end));
    c.evidence = Evidence::kShape;
    people.emplace(KeyOf(begin, end), candidates_.size());
    candidates_.push_back(std::move(c));
  }
  for (const auto& [begin, end] : untyped_runs_) {
    auto it = people.find(KeyOf(begin, end));
    if (it == people.end() || candidates_[it->second].begin == begin) continue;
    Candidate c;
    c.begin = begin;
    c.end = end;
    c.type = "PERSON";
    c.key = candidates_[it->second].key;
    c.evidence = Evidence::kCoref;
    candidates_.push_back(std::move(c));
  }
  // "Mr. Corbyn", "President Putin" after "Jeremy Corbyn", "Vladimir Putin": the
  // same person (the title stays the mention's role).
  for (Candidate& c : candidates_) {
    if (c.type != "PERSON" || c.evidence != Evidence::kTitle || c.end - c.begin != 1) continue;
    auto it = person_words.find(tokens_[c.begin].key);
    if (it == person_words.end()) continue;
    c.key = candidates_[it->second].key;
  }
  for (const auto& [begin, end] : singles_) {
    const Token& t = tokens_[begin];
    Candidate c;
    c.begin = begin;
    c.end = end;
    auto it = person_words.find(t.key);
    if (it != person_words.end()) {
      c.type = "PERSON";
      c.key = candidates_[it->second].key;
      c.evidence = Evidence::kCoref;
    } else if (auto org = org_words.find(t.key); org != org_words.end()) {
      c.type = "ORG";
      c.key = candidates_[org->second].key;
      c.evidence = Evidence::kCoref;
    } else if (g_.IsFirstName(t.key) && !initial_[begin] && !IsCommon(t)) {
      c.type = "PERSON";
      c.key = absl::StrCat("PERSON:", t.key);
      c.evidence = Evidence::kGivenName;
    } else if (begin > 0 && KeyIs(tokens_[begin - 1].key, "the") &&
               (KeyIs(t.key, "north") || KeyIs(t.key, "south") || KeyIs(t.key, "east") ||
                KeyIs(t.key, "west") || KeyIs(t.key, "midwest"))) {
      // "the West", "the South": a region (a following name was part of the
      // chunk: "the West Bank").
      c.type = "LOC";
      c.key = absl::StrCat("LOC:", t.key);
      c.evidence = Evidence::kPlace;
    } else if (IsCommon(t)) {
      continue;
    } else if (after_place_preposition(begin)) {
      // Before the verb test: "Officials in Frankfurt said".
      c.type = "GPE";
      c.key = absl::StrCat("GPE:", t.key);
      c.evidence = Evidence::kPlace;
    } else if (FollowedByReportingVerb(end)) {
      c.type = "PERSON";
      c.key = absl::StrCat("PERSON:", t.key);
      c.evidence = Evidence::kVerb;
    } else if (const absl::string_view type = g_.ProperNounType(t.key); !type.empty()) {
      // "Gorbachev agreed", "Brooklyn": a proper noun of one type in WordNet.
      c.type = std::string(type);
      c.key = absl::StrCat(c.type, ":", t.key);
      c.evidence = Evidence::kLexicon;
    } else {
      continue;
    }
    candidates_.push_back(std::move(c));
  }
  // A sentence's first word that is an English word starts no chunk ("Brown
  // said", "Cook met"), but is the person when the article names a person so
  // ("Gordon Brown", "Tim Cook").
  std::vector<uint8_t> covered(tokens_.size(), 0);
  for (const Candidate& c : candidates_) {
    for (uint32_t t = c.begin; t < c.end; ++t) covered[t] = 1;
  }
  for (uint32_t i = 0; i < tokens_.size(); ++i) {
    const Token& t = tokens_[i];
    // A verb or a possessive follows ("Brown said", "Cook's"), not a caption's
    // colon ("Image: ..."); no small word ("In the ...").
    const bool verb_after = i + 1 < tokens_.size() &&
                            ((IsWord(tokens_[i + 1]) && !tokens_[i + 1].capitalized) ||
                             KeyIs(tokens_[i + 1].key, "'s"));
    if (!initial_[i] || covered[i] || caseless_[i] || !IsWord(t) || !t.capitalized ||
        t.all_caps || !verb_after || In(kTitleCaseSmallWords, t.key)) {
      continue;
    }
    auto it = person_words.find(t.key);
    if (it == person_words.end() || tokens_[candidates_[it->second].end - 1].key != t.key) {
      continue;  // the surname only: "Gordon said" is rarely Gordon Brown
    }
    Candidate c;
    c.begin = i;
    c.end = i + 1;
    c.type = "PERSON";
    c.key = candidates_[it->second].key;
    c.evidence = Evidence::kCoref;
    candidates_.push_back(std::move(c));
  }
}

void Extractor::ResolveAcronyms() {
  // Initials of multi-word names: "Organization for the Prohibition of Chemical
  // Weapons" → "OPCW".
  absl::flat_hash_map<std::string, std::string> by_initials;
  for (const Candidate& c : candidates_) {
    if (c.end - c.begin < 2 || c.type == "PERSON") continue;
    std::string initials;
    for (uint32_t t = c.begin; t < c.end; ++t) {
      if (IsWord(tokens_[t]) && tokens_[t].capitalized) {
        initials += absl::AsciiStrToLower(Surface(t, t + 1).substr(0, 1));
      }
    }
    if (initials.size() >= 2) by_initials.emplace(initials, c.key);
  }
  absl::flat_hash_map<std::string, const Candidate*> by_key;
  for (const Candidate& c : candidates_) by_key.emplace(c.key, &c);
  std::vector<std::pair<size_t, const Candidate*>> updates;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    Candidate& c = candidates_[i];
    if (c.evidence != Evidence::kAcronym) continue;
    std::string letters;
    for (char ch : tokens_[c.begin].key) {
      if (ch != '.') letters.push_back(ch);
    }
    auto it = by_initials.find(letters);
    if (it == by_initials.end()) continue;
    const Candidate* full = by_key.at(it->second);
    updates.emplace_back(i, full);
  }
  for (const auto& [i, full] : updates) {
    Candidate& c = candidates_[i];
    const Candidate copy = *full;
    c.type = copy.type;
    c.key = copy.key;
    c.name = copy.name;
    c.link = copy.link;
    c.geo = copy.geo;
    c.evidence = Evidence::kCoref;
  }
}

void Extractor::ProcessCaseless() {
  // Names found in normal-case text, by token keys: "sergey lavrov", "lavrov".
  absl::flat_hash_map<std::string, size_t> known;
  size_t longest = 1;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const Candidate& c = candidates_[i];
    known.emplace(KeyOf(c.begin, c.end), i);
    longest = std::max<size_t>(longest, c.end - c.begin);
    if (c.type == "PERSON" && c.end - c.begin >= 2) known.emplace(tokens_[c.end - 1].key, i);
  }
  absl::flat_hash_set<std::string> confirmed;
  for (const Candidate& c : candidates_) confirmed.insert(c.key);
  const auto n = static_cast<uint32_t>(tokens_.size());
  // End of the run of caseless tokens of one sentence that holds token i: the
  // same for every token of the run, so found once per run (not once per token,
  // which was quadratic in the length of an ALL-CAPS sentence).
  uint32_t limit = 0;
  // KeyOf(i, i + len) for every len: a prefix of key, ending at key_ends[len].
  std::string key;
  std::vector<size_t> key_ends;
  for (uint32_t i = 0; i < n;) {
    if (!caseless_[i] || !IsWord(tokens_[i])) {
      ++i;
      continue;
    }
    if (i >= limit) {
      limit = i;
      while (limit < n && caseless_[limit] && sentence_[limit] == sentence_[i]) ++limit;
    }
    // Known names first (they carry the article's own reading), then the gazetteer.
    std::optional<Candidate> found;
    const size_t max_len = known.empty() ? 0 : std::min<size_t>(longest, limit - i);
    key.clear();
    key_ends.assign(1, 0);
    for (size_t len = 1; len <= max_len; ++len) {
      if (!key.empty()) key.push_back(' ');  // as KeyOf
      key += tokens_[i + len - 1].key;
      key_ends.push_back(key.size());
    }
    for (size_t len = max_len; len >= 1 && !found; --len) {
      auto it = known.find(absl::string_view(key.data(), key_ends[len]));
      if (it == known.end()) continue;
      Candidate c = candidates_[it->second];
      c.begin = i;
      c.end = i + static_cast<uint32_t>(len);
      c.evidence = Evidence::kCoref;
      found = std::move(c);
    }
    if (!found) {
      std::optional<GazMatch> m = LongestMatch(i, limit);
      if (m.has_value() && m->entry.kind != GazKind::kTitle &&
          m->entry.kind != GazKind::kNonEntity) {
        Candidate c = FromGazetteer(i, m->end, m->entry);
        const bool common = m->end - i == 1 && g_.IsCommonWord(tokens_[i].key) &&
                            m->entry.kind != GazKind::kCountry;
        if ((!m->entry.case_sensitive && !common) || confirmed.contains(c.key)) found = c;
      }
    }
    if (found) {
      i = found->end;
      candidates_.push_back(*std::move(found));
    } else {
      ++i;
    }
  }
}

void Extractor::AddNestedNames() {
  // People the article names with evidence of a person beyond a name's shape
  // (a first name, a title, a reporting verb, WordNet): full-name keys and the
  // surnames of full names.
  absl::flat_hash_map<std::string, size_t> people;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const Candidate& c = candidates_[i];
    if (c.type != "PERSON" || c.refers != v1::Mention::NAME ||
        c.evidence == Evidence::kShape || c.evidence == Evidence::kCoref) {
      continue;
    }
    people.emplace(KeyOf(c.begin, c.end), i);
    if (c.end - c.begin >= 2) people.emplace(tokens_[c.end - 1].key, i);
  }
  std::vector<Candidate> nested;
  for (const Candidate& c : candidates_) {
    if ((c.type != "ORG" && c.type != "FAC" && c.type != "EVENT") || c.end - c.begin < 2 ||
        !c.link.empty()) {
      continue;
    }
    // A firm's name ("Kidder Peabody and Co", "Merrell Dow Inc") holds no person.
    bool firm = c.end < tokens_.size() && In(kCompanySuffixes, tokens_[c.end].key);
    for (uint32_t t = c.begin; t < c.end && !firm; ++t) {
      firm = In(kCompanySuffixes, tokens_[t].key) || KeyIs(tokens_[t].key, "&") ||
             KeyIs(tokens_[t].key, "brothers");
    }
    // An eponym head word ends the name or comes before its complement.
    bool eponym_head = false;
    for (uint32_t t = c.begin + 1; t < c.end && !eponym_head; ++t) {
      eponym_head = In(kEponymHeads, tokens_[t].key) && tokens_[t].capitalized;
    }
    // A person heading the name: the longest prefix (at most 4 tokens, shorter
    // than the name, a capitalised word after it) that is a person named in the
    // article; else, before an eponym head word (kEponymHeads), a first name and
    // one more capitalised word that is neither an English word, a head word nor
    // a gazetteer name.
    const uint32_t longest = firm ? 0 : std::min<uint32_t>(4, c.end - c.begin - 1);
    for (uint32_t len = longest; len >= 1; --len) {
      const uint32_t end = c.begin + len;
      if (!IsWord(tokens_[end - 1]) || !tokens_[end - 1].capitalized ||
          !IsWord(tokens_[end]) || !tokens_[end].capitalized) {
        continue;
      }
      Candidate person;
      if (auto it = people.find(KeyOf(c.begin, end)); it != people.end()) {
        person.key = candidates_[it->second].key;
        person.evidence = Evidence::kCoref;
      } else if (len == 2 && eponym_head && In(kEponymHeads, tokens_[end].key) &&
                 g_.IsFirstName(tokens_[c.begin].key) && !IsCommon(tokens_[c.begin]) &&
                 !IsCommon(tokens_[c.begin + 1]) && !tokens_[c.begin + 1].all_caps &&
                 g_.KeywordType(Surface(c.begin + 1, end)).empty() &&
                 !LongestMatch(c.begin + 1, end).has_value()) {
        person.key = absl::StrCat("PERSON:", KeyOf(c.begin, end));
        person.evidence = Evidence::kFirstName;
      } else {
        continue;
      }
      person.begin = c.begin;
      person.end = end;
      person.type = "PERSON";
      nested.push_back(std::move(person));
      break;
    }
    // Known places inside the name.
    if (c.type == "EVENT") continue;
    for (uint32_t t = c.begin; t < c.end;) {
      std::optional<GazMatch> m = LongestMatch(t, c.end);
      if (!m.has_value() || m->end - t >= c.end - c.begin ||
          (m->entry.kind != GazKind::kCountry && m->entry.kind != GazKind::kCity &&
           m->entry.kind != GazKind::kSubdivision)) {
        ++t;
        continue;
      }
      // A place whose words are all English words is part of the name ("Pace
      // University", "Metro Toronto Convention Centre", "Golden Gate Bridge"); a
      // one-word subdivision WordNet does not know as a place only of a country
      // the article is about ("Centre" for Social Evolution is no region of
      // Burkina Faso; "Ohio" in "Ohio Edison Co" is Ohio).
      bool words_common = true;
      for (uint32_t w = t; w < m->end; ++w) {
        if (IsWord(tokens_[w]) && !IsCommon(tokens_[w])) words_common = false;
      }
      // Big cities of English words are the cities ("Long Beach Naval Shipyard"),
      // and so are subdivisions of a country the article is about ("New South
      // Wales" in an Australian story).
      if (m->entry.kind == GazKind::kCity && m->end - t > 1 &&
          g_.cities()[m->entry.index].population >= 100000) {
        words_common = false;
      }
      if (m->entry.kind == GazKind::kSubdivision &&
          (context_countries_.contains(g_.subdivisions()[m->entry.index].country_code) ||
           g_.subdivisions()[m->entry.index].country_code == dateline_country_)) {
        words_common = false;
      }
      const bool foreign_subdivision =
          m->entry.kind == GazKind::kSubdivision && m->end - t == 1 &&
          g_.ProperNounType(tokens_[t].key) != "LOC" &&
          !context_countries_.contains(g_.subdivisions()[m->entry.index].country_code) &&
          g_.subdivisions()[m->entry.index].country_code != dateline_country_;
      if (m->entry.kind != GazKind::kCountry && (words_common || foreign_subdivision)) {
        ++t;
        continue;
      }
      Candidate place = FromGazetteer(t, m->end, m->entry);
      nested.push_back(std::move(place));
      t = m->end;
    }
  }
  for (Candidate& c : nested) candidates_.push_back(std::move(c));
}

bool Extractor::IsInterview() const {
  const uint32_t headline_end = article_.headline().end();
  int32_t first_body_sentence = -1;
  auto capitalised = [&](size_t k) {
    return k < tokens_.size() && IsWord(tokens_[k]) && tokens_[k].capitalized;
  };
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const bool in_headline = tokens_[i].end <= headline_end;
    if (!in_headline && first_body_sentence < 0) first_body_sentence = sentence_[i];
    if (!in_headline && sentence_[i] != first_body_sentence) break;
    const std::string& k = tokens_[i].key;
    if (!IsWord(tokens_[i]) ||
        (!KeyIs(k, "interview") && !KeyIs(k, "interviews") && !KeyIs(k, "interviewed"))) {
      continue;
    }
    // "Interview with Noam Chomsky", "interviewed by Wikinews", "An interview
    // with ...", "Wikinews interviews academic ...", "interviewed Tina
    // McKenzie"; not "replace interview with questionnaire".
    absl::string_view next;  // (a ternary with "" would view a destroyed temporary)
    if (i + 1 < tokens_.size()) next = tokens_[i + 1].key;
    if (capitalised(i + 1) || ((next == "with" || next == "by") && capitalised(i + 2)) ||
        (i > 0 && KeyIs(tokens_[i - 1].key, "an")) ||
        (i > 0 && !KeyIs(k, "interview") && capitalised(i - 1)) ||
        (KeyIs(k, "interview") && tokens_[i].capitalized && initial_[i])) {
      return true;
    }
  }
  return false;
}

void Extractor::ResolveReferences() {
  if (candidates_.empty() || article_.sentences_size() == 0) return;
  std::vector<const Candidate*> names;
  std::vector<uint8_t> covered(tokens_.size(), 0);
  for (const Candidate& c : candidates_) {
    names.push_back(&c);
    for (uint32_t t = c.begin; t < c.end; ++t) covered[t] = 1;
  }
  std::sort(names.begin(), names.end(),
            [](const Candidate* a, const Candidate* b) { return a->begin < b->begin; });
  // The key of each candidate as a number (what the look-backs below index by).
  std::vector<uint32_t> key_of(candidates_.size());
  {
    absl::flat_hash_map<absl::string_view, uint32_t> ids;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      key_of[i] = ids.try_emplace(candidates_[i].key, static_cast<uint32_t>(ids.size()))
                      .first->second;
    }
  }
  auto key = [&](const Candidate* c) { return key_of[c - candidates_.data()]; };
  std::vector<uint8_t> person_of(candidates_.size());
  for (size_t i = 0; i < candidates_.size(); ++i) person_of[i] = candidates_[i].type == "PERSON";
  const size_t keys = candidates_.empty() ? 0 : *std::max_element(key_of.begin(), key_of.end()) + 1;
  // Gender of each person (by key), from the first name of a full-name mention.
  std::vector<NameGender> gender(keys, NameGender::kUnknown);
  std::vector<uint8_t> gender_known(keys, 0);
  for (const Candidate* c : names) {
    if (c->type != "PERSON" || c->end - c->begin < 2) continue;
    const NameGender g = g_.FirstNameGender(tokens_[c->begin].key);
    if (!gender_known[key(c)]) {
      gender_known[key(c)] = 1;
      gender[key(c)] = g;
    } else if (gender[key(c)] != g) {
      gender[key(c)] = NameGender::kUnknown;
    }
  }
  // The interviewee: the first person named in the headline, else in the
  // first body sentences.
  std::string interviewee;
  if (IsInterview()) {
    for (const Candidate* c : names) {
      if (c->type == "PERSON" && sentence_[c->begin] >= 0 && sentence_[c->begin] <= 2) {
        interviewee = c->key;
        break;
      }
    }
  }
  const uint32_t headline_end = article_.headline().end();
  // A paragraph that ends with "?" is a question (the interviewer's).
  // Paragraphs in text order without overlaps (as the segment stage makes them)
  // are searched by bisection, others one by one.
  bool paragraphs_ordered = true;
  for (int p = 1; p < article_.paragraphs_size(); ++p) {
    if (article_.paragraphs(p).begin() < article_.paragraphs(p - 1).end()) {
      paragraphs_ordered = false;
    }
  }
  auto paragraph_is_question = [&](uint32_t cp) {
    auto ends_with_question_mark = [&](uint32_t e) {
      // The last non-space token of the paragraph.
      auto it = std::lower_bound(tokens_.begin(), tokens_.end(), e,
                                 [](const Token& t, uint32_t x) { return t.end <= x; });
      if (it == tokens_.begin()) return false;
      --it;
      return KeyIs(it->key, "?");
    };
    if (paragraphs_ordered) {
      // The last paragraph starting at or before cp is the only one that may hold it.
      auto it = std::upper_bound(article_.paragraphs().begin(), article_.paragraphs().end(), cp,
                                 [](uint32_t x, const v1::Span& p) { return x < p.begin(); });
      if (it == article_.paragraphs().begin() || cp >= std::prev(it)->end()) return false;
      return ends_with_question_mark(std::prev(it)->end());
    }
    for (const v1::Span& p : article_.paragraphs()) {
      if (cp >= p.begin() && cp < p.end()) return ends_with_question_mark(p.end());
    }
    return false;
  };

  std::vector<Candidate> added;
  std::vector<int> mentions_so_far(keys, 0);  // by key
  size_t next_name = 0;
  // Mentions seen so far, most recent last: the name mention (of a resolved
  // pronoun, the name it was resolved to) and the sentence of the mention.
  struct Seen {
    const Candidate* name;
    int32_t sentence;
  };
  std::vector<Seen> seen;
  for (uint32_t i = 0; i < tokens_.size(); ++i) {
    while (next_name < names.size() && names[next_name]->end <= i) {
      ++mentions_so_far[key(names[next_name])];
      seen.push_back({names[next_name], sentence_[names[next_name]->begin]});
      ++next_name;
    }
    const Token& t = tokens_[i];
    if (!IsWord(t) || covered[i] || caseless_[i] || sentence_[i] < 0) continue;
    const int32_t sentence = sentence_[i];
    const Candidate* antecedent = nullptr;
    v1::Mention::Kind refers = v1::Mention::PRONOUN;
    uint32_t end = i + 1;
    const bool male = In(kMalePronouns, t.key);
    const bool female = !male && In(kFemalePronouns, t.key);
    if (male || female) {
      // Among the people of a compatible sex mentioned in this or the previous
      // sentence, the best by: mentions so far, +1 when the first name has the
      // pronoun's sex, +2 when the name is the subject of a reporting verb
      // before the pronoun in its sentence ("Lavrov said after meeting his
      // ..."); the most recent on a tie.
      int best = 0;
      const NameGender want = male ? NameGender::kMale : NameGender::kFemale;
      int looked = 0;
      for (auto it = seen.rbegin(); it != seen.rend() && looked < kMaxReferenceLookBack;
           ++it, ++looked) {
        const Candidate* c = it->name;
        if (it->sentence < sentence - 1) break;
        if (!person_of[c - candidates_.data()]) continue;
        const NameGender sex = gender[key(c)];
        if (sex != NameGender::kUnknown && sex != want) continue;
        const bool subject = it->sentence == sentence && sentence_[c->begin] == sentence &&
                             FollowedByReportingVerb(c->end);
        const int score = mentions_so_far[key(c)] + (sex == want ? 1 : 0) + (subject ? 2 : 0);
        if (score > best) {
          best = score;
          antecedent = c;
        }
      }
      // The pronoun tells the person's sex from now on.
      if (antecedent != nullptr) {
        NameGender& sex = gender[key(antecedent)];
        if (sex == NameGender::kUnknown) sex = want;
      }
    } else if (!interviewee.empty() && t.end > headline_end &&
               (In(kFirstPersonPronouns, t.key) || In(kSecondPersonPronouns, t.key)) &&
               (!KeyIs(t.key, "i") || t.all_caps)) {  // "the i" is a newspaper
      // In an interview, "I" answers and "you" is asked.
      const bool question = paragraph_is_question(t.begin);
      if (In(kFirstPersonPronouns, t.key) != question) {
        for (const Candidate* c : names) {
          if (c->key == interviewee) {
            antecedent = c;
            break;
          }
        }
      }
    } else if (KeyIs(t.key, "the") && i + 1 < tokens_.size() && !covered[i + 1] &&
               sentence_[i + 1] == sentence) {
      const Token& head = tokens_[i + 1];
      const NominalHead* nominal = nullptr;
      for (const NominalHead& h : kNominalHeads) {
        if (h.word == head.key) nominal = &h;
      }
      // "the city of Boston", "the company Apple", "the country's".
      const bool followed_by_name =
          i + 2 < tokens_.size() &&
          (KeyIs(tokens_[i + 2].key, "of") ||
           (IsWord(tokens_[i + 2]) && tokens_[i + 2].capitalized));
      if (nominal != nullptr && !head.capitalized && !followed_by_name) {
        refers = v1::Mention::NOMINAL;
        end = i + 2;
        const std::string capitalised = absl::StrCat(
            absl::AsciiStrToUpper(head.key.substr(0, 1)), head.key.substr(1));
        int looked = 0;
        for (auto it = seen.rbegin(); it != seen.rend() && looked < kMaxReferenceLookBack;
             ++it, ++looked) {
          const Candidate* c = it->name;
          if (it->sentence < sentence - 3) break;
          bool ok = false;
          switch (nominal->kind) {
            case NominalKind::kOrg:
              ok = c->type == "ORG" &&
                   (!nominal->in_name ||
                    absl::StrContains(Surface(c->begin, c->end), capitalised) ||
                    absl::StrContains(c->name, capitalised));
              break;
            case NominalKind::kCountry:
              ok = absl::StartsWith(c->link, "iso3166:");
              break;
            case NominalKind::kCity:
              ok = c->geo.has_value() && absl::StartsWith(c->geo->feature_code, "PPL");
              break;
            case NominalKind::kRegion:
              ok = absl::StartsWith(c->link, "iso3166-2:") ||
                   (c->type == "LOC" && c->geo.has_value() && c->geo->feature_code == "RGN");
              break;
          }
          if (ok) {
            antecedent = c;
            break;
          }
        }
      }
    }
    if (antecedent == nullptr) continue;
    ++mentions_so_far[key(antecedent)];
    seen.push_back({antecedent, sentence});
    Candidate c = *antecedent;
    c.begin = i;
    c.end = end;
    c.mention_type.clear();
    c.role.clear();
    c.evidence = Evidence::kCoref;
    c.refers = refers;
    added.push_back(std::move(c));
    i = end - 1;
  }
  for (Candidate& c : added) candidates_.push_back(std::move(c));
}

void SetGeo(const GeoInfo& info, v1::Geo* geo) {
  geo->set_geonames_id(info.geonames_id);
  geo->set_country_code(info.country_code);
  if (info.has_coordinates) {
    geo->set_latitude(info.latitude);
    geo->set_longitude(info.longitude);
  }
  geo->set_population(info.population);
  geo->set_feature_code(info.feature_code);
}

std::vector<v1::Entity> Extractor::Group(
    std::vector<std::pair<v1::DatelinePlace, float>>* dateline_places) const {
  struct Group {
    std::vector<const Candidate*> mentions;
  };
  std::vector<std::string> order;
  absl::flat_hash_map<std::string, Group> groups;
  std::vector<const Candidate*> sorted;
  for (const Candidate& c : candidates_) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](const Candidate* a, const Candidate* b) { return a->begin < b->begin; });
  for (const Candidate* c : sorted) {
    auto [it, inserted] = groups.try_emplace(c->key);
    if (inserted) order.push_back(c->key);
    it->second.mentions.push_back(c);
  }
  const uint32_t headline_end = article_.headline().end();
  const double text_cps = std::max<double>(1, tokens_.empty() ? 1 : tokens_.back().end);
  // The dateline span, and the end of its place ("ASTANA, Kazakhstan" in
  // "ASTANA, Kazakhstan (AP) —").
  const v1::Span& dateline = article_.dateline().span();
  uint32_t place_end = dateline.end();
  if (std::optional<absl::string_view> d =
          CodePointSubstr(text_, dateline.begin(), dateline.end());
      d.has_value() && !article_.dateline().place().empty() &&
      absl::StartsWith(*d, article_.dateline().place())) {
    place_end = dateline.begin() +
                static_cast<uint32_t>(CountCodePoints(article_.dateline().place()));
  }
  auto in_dateline = [&](const Candidate* c) {
    return dateline.end() > dateline.begin() && tokens_[c->begin].begin >= dateline.begin() &&
           tokens_[c->end - 1].end <= dateline.end();
  };
  std::vector<v1::Entity> out;
  std::vector<double> raw;
  // Dateline places by their first token, with the index of their entity in
  // `out` (-1 if none).
  struct Place {
    uint32_t begin;
    v1::DatelinePlace place;
    float confidence;
    int entity;
  };
  std::vector<Place> places;
  for (const std::string& key : order) {
    const Group& group = groups.at(key);
    v1::Entity e;
    std::optional<uint32_t> place_begin;
    // The entity's name, type, link and confidence come from its name mentions.
    const Candidate* best = group.mentions.front();
    for (const Candidate* c : group.mentions) {
      if (c->refers == v1::Mention::NAME) {
        best = c;
        break;
      }
    }
    int names = 0;
    std::string longest;
    double weight = 0;
    bool in_headline = false;
    float confidence = 0;
    for (const Candidate* c : group.mentions) {
      v1::Mention dateline_mention;
      const bool dated = in_dateline(c);
      v1::Mention* m = dated ? &dateline_mention : e.add_mentions();
      m->set_begin(tokens_[c->begin].begin);
      m->set_end(tokens_[c->end - 1].end);
      m->set_text(Surface(c->begin, c->end));
      if (!c->mention_type.empty() && c->mention_type != c->type) m->set_type(c->mention_type);
      m->set_kind(c->refers);
      if (c->refers != v1::Mention::NAME) {
        if (!dated) weight += 0.25;
        continue;
      }
      if (dated) {
        if (m->end() <= place_end && !place_begin.has_value()) place_begin = m->begin();
      } else {
        ++names;
        weight += c->mention_type.empty() ? 1.0 : 0.5;
        in_headline = in_headline || m->end() <= headline_end;
      }
      confidence = std::max(confidence, EvidenceConfidence(c->evidence));
      if (!c->name.empty() && best->name.empty()) best = c;
      if (e.role().empty() && !c->role.empty()) e.set_role(c->role);
      // The name is the longest mention, preferring one in normal case over an
      // ALL-CAPS headline's.
      auto has_lower = [](const std::string& t) {
        return std::any_of(t.begin(), t.end(), [](char ch) { return absl::ascii_islower(ch); });
      };
      if (c->evidence != Evidence::kAcronym &&
          std::make_pair(has_lower(m->text()), m->text().size()) >
              std::make_pair(has_lower(longest), longest.size())) {
        longest = m->text();
      }
      if (c->type != "NORP" && !c->geo.has_value() && best->type == "NORP") best = c;
    }
    e.set_type(best->type);
    e.set_name(!best->name.empty() ? best->name
               : !longest.empty()  ? longest
                                   : Surface(group.mentions[0]->begin, group.mentions[0]->end));
    e.set_link(best->link);
    if (best->geo.has_value()) SetGeo(*best->geo, e.mutable_geo());
    // More mentions = more confidence that the reading is right.
    confidence = std::min(1.0f, confidence + 0.02f * (std::max(names, 1) - 1));
    e.set_confidence(confidence);
    const bool emitted = e.mentions_size() > 0;
    if (place_begin.has_value() && (e.type() == "GPE" || e.type() == "LOC")) {
      Place p{*place_begin, {}, confidence, emitted ? static_cast<int>(out.size()) : -1};
      p.place.set_name(e.name());
      p.place.set_type(e.type());
      p.place.set_link(e.link());
      if (e.has_geo()) *p.place.mutable_geo() = e.geo();
      places.push_back(std::move(p));
    }
    if (!emitted) continue;
    const double first = e.mentions(0).begin() / text_cps;
    raw.push_back(weight + (in_headline ? 2.0 : 0.0) + (1.0 - first));
    out.push_back(std::move(e));
  }
  const double max_raw = raw.empty() ? 1 : *std::max_element(raw.begin(), raw.end());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].set_salience(static_cast<float>(std::round(raw[i] / max_raw * 1000) / 1000));
    out[i].set_id(absl::StrCat("e", i + 1));
  }
  std::sort(places.begin(), places.end(),
            [](const Place& a, const Place& b) { return a.begin < b.begin; });
  for (Place& p : places) {
    if (p.entity >= 0) p.place.set_entity_id(out[p.entity].id());
    dateline_places->emplace_back(std::move(p.place), p.confidence);
  }
  return out;
}

std::vector<v1::Entity> Extractor::Run(
    std::vector<std::pair<v1::DatelinePlace, float>>* dateline_places) {
  symbols_.reserve(tokens_.size());
  for (const Token& t : tokens_) symbols_.push_back(g_.Symbol(t.key));
  caseless_.assign(tokens_.size(), 0);
  MarkSentences();
  // ALL-CAPS or Title Case headline and sentences, and the dateline.
  for (int s = 0; s < article_.sentences_size(); ++s) {
    const v1::Span& span = article_.sentences(s);
    auto first = static_cast<uint32_t>(
        std::lower_bound(tokens_.begin(), tokens_.end(), span.begin(),
                         [](const Token& t, uint32_t cp) { return t.begin < cp; }) -
        tokens_.begin());
    uint32_t last = first;
    while (last < tokens_.size() && tokens_[last].end <= span.end()) ++last;
    const bool headline = span.end() <= article_.headline().end();
    bool caps = true;
    int words = 0;
    for (uint32_t i = first; i < last; ++i) {
      if (!IsWord(tokens_[i])) continue;
      ++words;
      caps = caps && !tokens_[i].has_lower;
    }
    if ((caps && words >= 2) || (headline && IsTitleCaseOrAllCaps(first, last))) {
      MarkCaseless(span.begin(), span.end());
    }
  }
  if (article_.dateline().has_span() && article_.dateline().span().end() > 0) {
    MarkCaseless(article_.dateline().span().begin(), article_.dateline().span().end());
  }
  MarkLowerCaseWords();
  FindGazetteerMatches();
  CollectContextCountries();
  for (const Chunk& chunk : FindChunks()) ProcessChunk(chunk);
  ResolveSingles();
  ResolveAcronyms();
  ProcessCaseless();
  AddNestedNames();
  ResolveReferences();
  return Group(dateline_places);
}

absl::Mutex& GazetteerCacheMutex() {
  static absl::Mutex mu(absl::kConstInit);
  return mu;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EntitiesStage>> EntitiesStage::Create(EntitiesOptions options) {
  if (options.min_confidence < 0 || options.min_confidence > 1) {
    return absl::InvalidArgumentError("min_confidence must be in [0, 1]");
  }
  // One parsed gazetteer per population threshold, shared by all stages.
  static auto* cache = new std::map<uint64_t, std::shared_ptr<const Gazetteer>>();
  std::shared_ptr<const Gazetteer> gazetteer;
  {
    absl::MutexLock lock(&GazetteerCacheMutex());
    auto it = cache->find(options.min_city_population);
    if (it == cache->end()) {
      absl::StatusOr<std::unique_ptr<const Gazetteer>> loaded =
          Gazetteer::Load(GazetteerData(), options.min_city_population);
      if (!loaded.ok()) {
        return absl::InternalError(
            absl::StrCat("compiled gazetteer: ", loaded.status().message()));
      }
      it = cache->emplace(options.min_city_population, std::move(*loaded)).first;
    }
    gazetteer = it->second;
  }
  return CreateWithGazetteer(std::move(options), std::move(gazetteer));
}

std::unique_ptr<EntitiesStage> EntitiesStage::CreateWithGazetteer(
    EntitiesOptions options, std::shared_ptr<const Gazetteer> gazetteer) {
  return std::unique_ptr<EntitiesStage>(
      new EntitiesStage(std::move(options), std::move(gazetteer)));
}

absl::Status EntitiesStage::Process(v1::Article& article, const StageContext& ctx) const {
  article.clear_entities();
  if (article.has_dateline()) article.mutable_dateline()->clear_places();
  std::optional<TextAnalysis> local;
  const TextAnalysis& analysis = TextAnalysisFor(article, ctx.analyses, &local);
  if (std::optional<size_t> bad = analysis.invalid_utf8_at; bad.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("text is not valid UTF-8 at byte ", *bad));
  }
  const uint32_t cps = analysis.size();
  if (absl::Status s = CheckSpan(article.headline(), cps, "headline"); !s.ok()) return s;
  if (absl::Status s = CheckSpan(article.dateline().span(), cps, "dateline.span"); !s.ok()) {
    return s;
  }
  for (int i = 0; i < article.sentences_size(); ++i) {
    if (absl::Status s = CheckSpan(article.sentences(i), cps, absl::StrCat("sentences[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  const std::string& language = article.language();
  const std::string primary = language.substr(0, language.find('-'));
  if (!primary.empty() && primary != "und" &&
      std::find(options_.languages.begin(), options_.languages.end(), primary) ==
          options_.languages.end()) {
    static constexpr absl::string_view kSkipped = "entities_skipped_language";
    if (std::find(article.flags().begin(), article.flags().end(), kSkipped) ==
        article.flags().end()) {
      article.add_flags(std::string(kSkipped));
    }
    return absl::OkStatus();
  }
  Extractor extractor(*gazetteer_, article, analysis.tokens);
  std::vector<std::pair<v1::DatelinePlace, float>> places;
  std::vector<v1::Entity> entities = extractor.Run(&places);
  // Ids stay dense after filtering.
  absl::flat_hash_map<std::string, std::string> new_ids;
  for (v1::Entity& e : entities) {
    if (e.confidence() < options_.min_confidence) continue;
    std::string id = absl::StrCat("e", article.entities_size() + 1);
    new_ids[e.id()] = id;
    e.set_id(std::move(id));
    *article.add_entities() = std::move(e);
  }
  for (auto& [place, confidence] : places) {
    if (confidence < options_.min_confidence) continue;
    auto it = new_ids.find(place.entity_id());
    place.set_entity_id(it == new_ids.end() ? "" : it->second);
    *article.mutable_dateline()->add_places() = std::move(place);
  }
  return absl::OkStatus();
}

}  // namespace newsd::stages
