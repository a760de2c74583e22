#include "stages/quotes/quotes.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/common/spans.h"
#include "stages/common/tokens.h"
#include "stages/common/unicode.h"
#include "stages/quotes/lexicon.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
// Longest single-quoted top-level quote searched for, in code points.
constexpr uint32_t kMaxSingleQuoteLength = 300;
// Tokens searched back from a comma for the name an apposition follows.
constexpr int kMaxAppositionTokens = 15;
// Words of a description after its determiner ("the top Russian minister").
constexpr int kMaxDescriptionWords = 6;
// Cue words tried on each side of a quote, nearest first, before the search for
// its cue gives up (a real paragraph has a handful; this bounds the work on
// megabytes of text with cue words that have no speaker).
constexpr int kMaxCueWordsTried = 256;

bool IsDoubleMark(UChar32 c) {
  return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E || c == 0x201F ||
         c == 0x00AB || c == 0x00BB;
}

bool IsSingleMark(UChar32 c) {
  return c == '\'' || c == 0x2018 || c == 0x2019 || c == 0x201A || c == 0x201B ||
         c == 0x2039 || c == 0x203A;
}

bool IsMark(UChar32 c) { return IsDoubleMark(c) || IsSingleMark(c); }

bool IsLetterOrDigit(UChar32 c) { return u_isalnum(c) != 0; }

// Characters after which a mark opens a quote (besides white space and the
// paragraph start), and before which a mark closes one.
bool OpensBefore(UChar32 c) {
  return c == '(' || c == '[' || c == '{' || c == '/' || c == ':' || c == 0x2014 ||
         c == 0x2013 || c == '-' || IsMark(c);
}
bool ClosesBefore(UChar32 c) {
  return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
         c == ')' || c == ']' || c == '}' || c == 0x2014 || c == 0x2013 || c == '-' ||
         c == 0x2026 || IsMark(c);
}

enum class MarkDir { kOpen, kClose, kAmbiguous };

// A token: a word (letters and digits with inner apostrophes, hyphens and
// periods) or one punctuation character. `lower` is lowercase with typographic
// punctuation folded to ASCII.
struct QuoteToken {
  uint32_t begin;
  uint32_t end;
  std::string lower;
  bool word;
  bool capitalized;
};

// A quote before attribution.
struct RawQuote {
  uint32_t open;   // position of the opening mark
  uint32_t close;  // position of the closing mark; kNone if unclosed
  uint32_t begin;  // first code point of the quote (after the mark and white space)
  uint32_t end;    // one past the last (before the mark, trailing white space dropped)
  size_t unit;     // index of the paragraph (text unit) holding it
  bool continued = false;
  bool unclosed = false;
};

// Who speaks, found from one cue.
struct Speaker {
  int entity = -1;  // index into article.entities, -1 if none
  std::string name;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool weak = false;  // a lone capitalised word at a sentence start
};

struct Attribution {
  Speaker speaker;
  uint32_t cue_begin = 0;
  uint32_t cue_end = 0;
  std::string cue;
};

// Everything one Process() call works on.
class QuoteFinder {
 public:
  // `analysis`: the token stream of article.text (stages/common/tokens.h); must
  // outlive the finder.
  QuoteFinder(v1::Article& article, const QuotesOptions& options,
              const TextAnalysis& analysis)
      : article_(article),
        options_(options),
        language_(QuoteLanguageFor(article.language())),
        analysis_(analysis),
        cps_(analysis.code_points),
        byte_of_(analysis.byte_offsets) {}

  absl::Status Run();

 private:
  absl::Status Decode();
  absl::Status BuildUnits();
  void Tokenize();
  absl::Status IndexPersons();
  MarkDir Direction(uint32_t i, uint32_t unit_begin, uint32_t unit_end) const;
  void ScanUnit(size_t unit, std::vector<RawQuote>* out) const;
  std::optional<uint32_t> SingleQuoteClose(uint32_t i, uint32_t unit_end) const;
  std::pair<uint32_t, uint32_t> Context(const RawQuote& q) const;
  int TokenAt(uint32_t cp) const;  // first token with begin >= cp
  bool Quoted(const QuoteToken& t) const { return quoted_[t.begin] != 0; }
  // [from, to) lies within units_[unit].
  std::optional<Attribution> FindCue(const RawQuote& q, size_t unit, uint32_t from,
                                     uint32_t to) const;
  // The attribution by the cue word tokens_[k] of a quote whose context is
  // [from, to), if it is a cue (outside any quote) with a speaker.
  std::optional<Attribution> CueAt(const RawQuote& q, int k, uint32_t from, uint32_t to) const;
  // The tokens of units_[unit] that are cue words outside any quote, in text
  // order (found the first time a quote of the unit needs them).
  const std::vector<int>& CueWords(size_t unit) const;
  std::optional<Speaker> SubjectBefore(int cue_token, uint32_t from) const;
  std::optional<Speaker> SubjectAfter(int token, uint32_t to) const;
  std::optional<Speaker> NounPhraseEndingAt(int k, uint32_t from) const;
  std::optional<Speaker> ResolvePronoun(int k, Gender gender) const;
  std::optional<Speaker> ResolveDescription(uint32_t begin, uint32_t end,
                                            const std::string& head) const;
  bool StartsClause(const RawQuote& q, uint32_t ctx_begin) const;
  bool AttributionFollows(const RawQuote& q, uint32_t ctx_end) const;
  bool ScareMarked(const RawQuote& q, uint32_t ctx_begin) const;
  bool IntroducedByPreviousUnit(const RawQuote& q) const;
  std::string Substr(uint32_t begin, uint32_t end) const;
  Speaker EntitySpeaker(int entity, uint32_t begin, uint32_t end) const;

  v1::Article& article_;
  const QuotesOptions& options_;
  const QuoteLanguage language_;
  const TextAnalysis& analysis_;
  const std::u32string& cps_;            // the text's code points (analysis_)
  const std::vector<uint32_t>& byte_of_;  // byte offset of every code point, and the end
  std::vector<std::pair<uint32_t, uint32_t>> units_;  // headline + paragraphs
  std::vector<QuoteToken> tokens_;
  std::vector<uint8_t> quoted_;  // per code point: inside a quote, marks included
  // PERSON, ORG and GPE mentions (who may speak: "the ministry said", "Russia
  // said") by end and by begin offset → (entity index, other offset).
  absl::flat_hash_map<uint32_t, std::pair<int, uint32_t>> speaker_ending_at_;
  absl::flat_hash_map<uint32_t, std::pair<int, uint32_t>> speaker_starting_at_;
  // PERSON mentions (begin, entity) in text order.
  std::vector<std::pair<uint32_t, int>> person_mentions_;
  std::vector<Gender> gender_;  // per entity
  // Per Gender g and index i into person_mentions_: the last index <= i whose
  // entity has gender g or kUnknown, -1 if none (ResolvePronoun's search).
  std::vector<int> last_compatible_[3];
  // Lowercase word of a PERSON entity's role → those entities in order, and
  // their PERSON mentions (begin, entity) in text order (ResolveDescription).
  absl::flat_hash_map<std::string, std::vector<int>> role_word_entities_;
  absl::flat_hash_map<std::string, std::vector<std::pair<uint32_t, int>>> role_word_mentions_;
  // Per unit, once needed: see CueWords(). cue_use_ is per token (kNone until
  // its unit is indexed).
  mutable std::vector<std::optional<std::vector<int>>> cue_words_;
  mutable std::vector<CueUse> cue_use_;
  // Article.sentences are in text order and do not overlap (what the segment
  // stage makes): Context() finds the sentence of a position by binary search.
  bool sentences_ordered_ = true;
  // First code point of every sentence and unit.
  absl::flat_hash_set<uint32_t> sentence_starts_;
  int last_speaker_ = -1;       // PERSON entity of the latest attributed quote
  int last_other_speaker_ = -1;  // ORG/GPE entity of the latest attributed quote
  std::string last_named_speaker_;  // speaker of the latest quote attributed to a name
};

absl::Status QuoteFinder::Decode() {
  if (analysis_.invalid_utf8_at.has_value()) {
    return absl::InvalidArgumentError("quotes: text is not valid UTF-8");
  }
  quoted_.assign(cps_.size() + 1, 0);
  return absl::OkStatus();
}

absl::Status QuoteFinder::BuildUnits() {
  const uint32_t n = static_cast<uint32_t>(cps_.size());
  auto add = [&](const v1::Span& s, absl::string_view what) -> absl::Status {
    if (absl::Status st = CheckSpan(s, n, what); !st.ok()) return st;
    if (s.end() > s.begin()) units_.emplace_back(s.begin(), s.end());
    return absl::OkStatus();
  };
  if (article_.paragraphs_size() > 0) {
    if (absl::Status st = add(article_.headline(), "headline"); !st.ok()) return st;
    for (const v1::Span& p : article_.paragraphs()) {
      if (absl::Status st = add(p, "paragraph"); !st.ok()) return st;
    }
  } else {  // no paragraph spans: every line is one
    uint32_t start = 0;
    for (uint32_t i = 0; i <= n; ++i) {
      if (i == n || cps_[i] == '\n') {
        if (i > start) units_.emplace_back(start, i);
        start = i + 1;
      }
    }
  }
  uint32_t previous_end = 0;
  for (const v1::Span& s : article_.sentences()) {
    if (absl::Status st = CheckSpan(s, n, "sentence"); !st.ok()) return st;
    sentence_starts_.insert(s.begin());
    if (s.begin() < previous_end) sentences_ordered_ = false;
    previous_end = s.end();
  }
  for (const auto& [begin, end] : units_) sentence_starts_.insert(begin);
  return absl::OkStatus();
}

void QuoteFinder::Tokenize() {
  const uint32_t n = static_cast<uint32_t>(cps_.size());
  for (uint32_t i = 0; i < n;) {
    const UChar32 c = static_cast<UChar32>(cps_[i]);
    if (IsUnicodeWhitespace(c)) {
      ++i;
      continue;
    }
    QuoteToken t{i, i + 1, "", false, false};
    if (IsLetterOrDigit(c)) {
      uint32_t j = i + 1;
      while (j < n) {
        const UChar32 d = static_cast<UChar32>(cps_[j]);
        if (IsLetterOrDigit(d)) {
          ++j;
        } else if ((FoldTypographic(d) == '\'' || FoldTypographic(d) == '-' || d == '.') &&
                   j + 1 < n && IsLetterOrDigit(static_cast<UChar32>(cps_[j + 1])) &&
                   !IsDoubleMark(d)) {
          j += 2;
        } else {
          break;
        }
      }
      t.end = j;
      t.word = true;
      t.capitalized = u_isupper(c) || u_istitle(c);
    }
    t.lower.reserve(t.end - t.begin);
    for (uint32_t k = t.begin; k < t.end; ++k) {
      const auto c = static_cast<UChar32>(cps_[k]);
      if (c < 0x80) {  // ASCII: FoldTypographic keeps it, u_tolower is A-Z → a-z
        t.lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
      } else {
        AppendUtf8(u_tolower(FoldTypographic(c)), &t.lower);
      }
    }
    i = t.end;
    tokens_.push_back(std::move(t));
  }
}

absl::Status QuoteFinder::IndexPersons() {
  const uint32_t n = static_cast<uint32_t>(cps_.size());
  gender_.assign(article_.entities_size(), Gender::kUnknown);
  for (int e = 0; e < article_.entities_size(); ++e) {
    const v1::Entity& entity = article_.entities(e);
    const bool person = entity.type() == "PERSON";
    if (!person && entity.type() != "ORG" && entity.type() != "GPE") continue;
    std::vector<std::string> role_words =
        absl::StrSplit(absl::AsciiStrToLower(entity.role()), ' ', absl::SkipEmpty());
    if (!role_words.empty()) gender_[e] = GenderOfWord(role_words.back());
    for (const v1::Mention& m : entity.mentions()) {
      // Speakers are named; pronouns get this stage's own resolution (last
      // compatible speaker), which knows the quotation's turn structure.
      if (m.kind() != v1::Mention::NAME) continue;
      if (absl::Status st = CheckSpan(MakeSpan(m.begin(), m.end()), n, "mention");
          !st.ok()) {
        return st;
      }
      speaker_ending_at_[m.end()] = {e, m.begin()};
      speaker_starting_at_[m.begin()] = {e, m.end()};
      if (!person) continue;
      person_mentions_.emplace_back(m.begin(), e);
      int before = TokenAt(m.begin()) - 1;  // the honorific, "Ms" of "Ms. Jones"
      if (before >= 1 && tokens_[before].lower == ".") --before;
      if (before >= 0 && gender_[e] == Gender::kUnknown) {
        gender_[e] = GenderOfWord(tokens_[before].lower);
      }
    }
  }
  std::sort(person_mentions_.begin(), person_mentions_.end());
  for (const Gender g : {Gender::kUnknown, Gender::kMale, Gender::kFemale}) {
    std::vector<int>& last = last_compatible_[static_cast<int>(g)];
    last.resize(person_mentions_.size());
    int previous = -1;
    for (size_t i = 0; i < person_mentions_.size(); ++i) {
      const Gender e = gender_[person_mentions_[i].second];
      if (e == Gender::kUnknown || e == g) previous = static_cast<int>(i);
      last[i] = previous;
    }
  }
  std::vector<std::vector<std::string>> role_words(article_.entities_size());
  for (int e = 0; e < article_.entities_size(); ++e) {
    const v1::Entity& entity = article_.entities(e);
    if (entity.type() != "PERSON" || entity.role().empty()) continue;
    for (absl::string_view w : absl::StrSplit(entity.role(), ' ', absl::SkipEmpty())) {
      std::string word = absl::AsciiStrToLower(w);
      if (std::find(role_words[e].begin(), role_words[e].end(), word) != role_words[e].end()) {
        continue;
      }
      role_word_entities_[word].push_back(e);
      role_words[e].push_back(std::move(word));
    }
  }
  for (const std::pair<uint32_t, int>& m : person_mentions_) {
    for (const std::string& word : role_words[m.second]) role_word_mentions_[word].push_back(m);
  }
  return absl::OkStatus();
}

const std::vector<int>& QuoteFinder::CueWords(size_t unit) const {
  if (cue_words_.empty()) {
    cue_words_.resize(units_.size());
    cue_use_.assign(tokens_.size(), CueUse::kNone);
  }
  std::optional<std::vector<int>>& words = cue_words_[unit];
  if (words.has_value()) return *words;
  words.emplace();
  const auto [ub, ue] = units_[unit];
  for (int k = TokenAt(ub); k < static_cast<int>(tokens_.size()) && tokens_[k].end <= ue; ++k) {
    const QuoteToken& t = tokens_[k];
    if (!t.word || Quoted(t)) continue;
    cue_use_[k] = CueUseOf(language_, t.lower);
    if (cue_use_[k] != CueUse::kNone) words->push_back(k);
  }
  return *words;
}

int QuoteFinder::TokenAt(uint32_t cp) const {
  return static_cast<int>(
      std::lower_bound(tokens_.begin(), tokens_.end(), cp,
                       [](const QuoteToken& t, uint32_t v) { return t.begin < v; }) -
      tokens_.begin());
}

std::string QuoteFinder::Substr(uint32_t begin, uint32_t end) const {
  return article_.text().substr(byte_of_[begin], byte_of_[end] - byte_of_[begin]);
}

MarkDir QuoteFinder::Direction(uint32_t i, uint32_t unit_begin, uint32_t unit_end) const {
  const bool left_open = i == unit_begin ||
                         IsUnicodeWhitespace(static_cast<UChar32>(cps_[i - 1])) ||
                         OpensBefore(static_cast<UChar32>(cps_[i - 1]));
  const bool right_open = i + 1 >= unit_end ||
                          IsUnicodeWhitespace(static_cast<UChar32>(cps_[i + 1])) ||
                          ClosesBefore(static_cast<UChar32>(cps_[i + 1]));
  if (left_open && !right_open) return MarkDir::kOpen;
  if (!left_open && right_open) return MarkDir::kClose;
  return MarkDir::kAmbiguous;
}

// For a single mark at `i` that opens a top-level quote: the closing mark, if one
// follows in the unit before any double mark.
std::optional<uint32_t> QuoteFinder::SingleQuoteClose(uint32_t i, uint32_t unit_end) const {
  const uint32_t limit = std::min(unit_end, i + kMaxSingleQuoteLength);
  for (uint32_t j = i + 2; j < limit; ++j) {
    const UChar32 c = static_cast<UChar32>(cps_[j]);
    if (IsDoubleMark(c)) return std::nullopt;
    if (!IsSingleMark(c)) continue;
    const bool letter_after =
        j + 1 < unit_end && IsLetterOrDigit(static_cast<UChar32>(cps_[j + 1]));
    if (!letter_after && Direction(j, i, unit_end) == MarkDir::kClose) return j;
  }
  return std::nullopt;
}

void QuoteFinder::ScanUnit(size_t unit, std::vector<RawQuote>* out) const {
  const auto [ub, ue] = units_[unit];
  auto emit = [&](uint32_t open, uint32_t close, uint32_t end) {
    RawQuote q{open, close, open + 1, end, unit};
    while (q.begin < q.end && IsUnicodeWhitespace(static_cast<UChar32>(cps_[q.begin]))) {
      ++q.begin;
    }
    while (q.end > q.begin && IsUnicodeWhitespace(static_cast<UChar32>(cps_[q.end - 1]))) {
      --q.end;
    }
    q.unclosed = close == kNone;
    if (q.end > q.begin) out->push_back(q);
  };
  uint32_t open = kNone;
  int depth = 0;
  for (uint32_t i = ub; i < ue; ++i) {
    const UChar32 c = static_cast<UChar32>(cps_[i]);
    if (IsDoubleMark(c)) {
      const MarkDir dir = Direction(i, ub, ue);
      if (open == kNone) {
        if (dir != MarkDir::kClose) {
          open = i;
          depth = 1;
        }
      } else if (dir == MarkDir::kOpen) {
        ++depth;  // a double-marked quote inside the quote
      } else if (--depth == 0) {
        emit(open, i, i);
        open = kNone;
      }
    } else if (IsSingleMark(c) && open == kNone && Direction(i, ub, ue) == MarkDir::kOpen &&
               i + 1 < ue && u_isalpha(static_cast<UChar32>(cps_[i + 1]))) {
      // A top-level single-quoted quote; inside a double-quoted one single marks
      // only nest and are skipped (the outer quote is never split).
      if (std::optional<uint32_t> close = SingleQuoteClose(i, ue); close.has_value()) {
        emit(i, *close, *close);
        i = *close;
      }
    }
  }
  if (open != kNone) emit(open, kNone, ue);
}

// The sentences around a quote: from the start of the sentence holding the
// opening mark to the end of the sentence holding the closing mark, within the
// quote's unit.
std::pair<uint32_t, uint32_t> QuoteFinder::Context(const RawQuote& q) const {
  // (Not a structured binding: the lambda below captures them, which C++17 forbids.)
  const uint32_t ub = units_[q.unit].first;
  const uint32_t ue = units_[q.unit].second;
  uint32_t begin = ub;
  uint32_t end = ue;
  const uint32_t last = q.close == kNone ? q.end - 1 : q.close;
  if (sentences_ordered_) {
    // At most one sentence holds a position: the last that starts at or before it.
    auto holding = [&](uint32_t cp) -> const v1::Span* {
      auto it = std::upper_bound(
          article_.sentences().begin(), article_.sentences().end(), cp,
          [](uint32_t x, const v1::Span& s) { return x < s.begin(); });
      if (it == article_.sentences().begin()) return nullptr;
      const v1::Span& s = *std::prev(it);
      if (cp >= s.end() || s.end() <= ub || s.begin() >= ue) return nullptr;
      return &s;
    };
    if (const v1::Span* s = holding(q.open); s != nullptr) {
      begin = std::max<uint32_t>(s->begin(), ub);
    }
    if (const v1::Span* s = holding(last); s != nullptr) end = std::min<uint32_t>(s->end(), ue);
    return {begin, std::max(end, last + 1)};
  }
  bool found_begin = false;
  for (const v1::Span& s : article_.sentences()) {
    if (s.end() <= ub || s.begin() >= ue) continue;
    if (!found_begin && s.begin() <= q.open && q.open < s.end()) {
      begin = std::max<uint32_t>(s.begin(), ub);
      found_begin = true;
    }
    if (s.begin() <= last && last < s.end()) end = std::min<uint32_t>(s.end(), ue);
  }
  // A sentence break inside the marks may leave the closing mark and the cue
  // ("...positive.” he said") in a sentence of their own; extend to it.
  return {begin, std::max(end, last + 1)};
}

Speaker QuoteFinder::EntitySpeaker(int entity, uint32_t begin, uint32_t end) const {
  return Speaker{entity, article_.entities(entity).name(), begin, end};
}

std::optional<Speaker> QuoteFinder::ResolvePronoun(int k, Gender gender) const {
  auto compatible = [&](int e) {
    return gender_[e] == Gender::kUnknown || gender_[e] == gender;
  };
  const QuoteToken& t = tokens_[k];
  if (last_speaker_ >= 0 && compatible(last_speaker_)) {
    return EntitySpeaker(last_speaker_, t.begin, t.end);
  }
  // The last compatible PERSON mention before the pronoun.
  const auto before = static_cast<int>(
      std::lower_bound(person_mentions_.begin(), person_mentions_.end(), t.begin,
                       [](const std::pair<uint32_t, int>& m, uint32_t cp) {
                         return m.first < cp;
                       }) -
      person_mentions_.begin()) - 1;
  if (before >= 0) {
    const int i = last_compatible_[static_cast<int>(gender)][before];
    if (i >= 0) return EntitySpeaker(person_mentions_[i].second, t.begin, t.end);
  }
  // No PERSON entities (a language the entities stage does not cover): the last
  // speaker named without an entity.
  if (person_mentions_.empty() && !last_named_speaker_.empty()) {
    return Speaker{-1, last_named_speaker_, t.begin, t.end};
  }
  return std::nullopt;
}

std::optional<Speaker> QuoteFinder::ResolveDescription(uint32_t begin, uint32_t end,
                                                       const std::string& head) const {
  // The PERSON entities with `head` in their role, in order.
  auto candidates = role_word_entities_.find(head);
  if (candidates == role_word_entities_.end()) return Speaker{-1, Substr(begin, end), begin, end};
  const std::vector<int>& entities = candidates->second;
  int best = entities.front();
  if (std::binary_search(entities.begin(), entities.end(), last_speaker_)) {
    best = last_speaker_;
  } else {
    // The one mentioned last before the description.
    if (auto m = role_word_mentions_.find(head); m != role_word_mentions_.end()) {
      const std::vector<std::pair<uint32_t, int>>& mentions = m->second;
      auto it = std::lower_bound(
          mentions.begin(), mentions.end(), begin,
          [](const std::pair<uint32_t, int>& x, uint32_t cp) { return x.first < cp; });
      if (it != mentions.begin()) best = std::prev(it)->second;
    }
  }
  return EntitySpeaker(best, begin, end);
}

// The speaker named by the noun phrase whose last token is tokens_[k], which must
// start at or after `from`: a PERSON mention, a pronoun, a description or a
// capitalised name.
std::optional<Speaker> QuoteFinder::NounPhraseEndingAt(int k, uint32_t from) const {
  if (k < 0 || tokens_[k].begin < from || Quoted(tokens_[k])) return std::nullopt;
  const QuoteToken& t = tokens_[k];
  if (auto it = speaker_ending_at_.find(t.end); it != speaker_ending_at_.end()) {
    return EntitySpeaker(it->second.first, it->second.second, t.end);
  }
  if (!t.word) return std::nullopt;
  Gender gender;
  if (IsPersonPronoun(language_, t.lower, &gender)) return ResolvePronoun(k, gender);
  if (IsNeuterPronoun(language_, t.lower)) {
    if (last_other_speaker_ < 0) return std::nullopt;
    return EntitySpeaker(last_other_speaker_, t.begin, t.end);
  }
  // The object of a preposition is no subject ("after the meeting said").
  auto after_preposition = [&](int j) {
    return j > 0 && tokens_[j - 1].word && IsPreposition(language_, tokens_[j - 1].lower);
  };
  // A description: determiner + up to kMaxDescriptionWords words, headed by a
  // common noun (in English a capitalised head is a name: "the Refugee Council
  // Enver Solomon").
  for (int j = k - 1; j >= 0 && k - j <= kMaxDescriptionWords &&
                      !(language_ == QuoteLanguage::kEnglish && t.capitalized);
       --j) {
    const QuoteToken& d = tokens_[j];
    if (!d.word || d.begin < from || Quoted(d)) break;
    if (IsDeterminer(language_, d.lower)) {
      if (IsObliqueDeterminer(language_, d.lower) || after_preposition(j)) break;
      return ResolveDescription(d.begin, t.end, t.lower);
    }
  }
  // A capitalised name the entities stage did not find.
  if (!t.capitalized || (language_ == QuoteLanguage::kEnglish && t.lower == "i")) {
    return std::nullopt;
  }
  int j = k;
  while (j - 1 >= 0 && k - j < 3 && tokens_[j - 1].word && tokens_[j - 1].capitalized &&
         tokens_[j - 1].begin >= from && !Quoted(tokens_[j - 1])) {
    --j;
  }
  if (after_preposition(j)) return std::nullopt;
  Speaker name{-1, Substr(tokens_[j].begin, t.end), tokens_[j].begin, t.end};
  // A lone capitalised word opening a sentence may be an adverb ("Indes sagte
  // Müller"): the caller prefers a subject after the cue.
  name.weak = j == k && sentence_starts_.contains(tokens_[j].begin);
  return name;
}

std::optional<Speaker> QuoteFinder::SubjectBefore(int cue_token, uint32_t from) const {
  int k = cue_token - 1;
  for (int skipped = 0; k >= 0 && skipped < 3 && tokens_[k].word &&
                        IsSkippableBeforeCue(language_, tokens_[k].lower);
       ++skipped) {
    --k;
  }
  if (k < 0 || tokens_[k].begin < from) return std::nullopt;
  if (tokens_[k].lower == ",") {  // "Jane Doe, a spokeswoman for X, said"
    for (int j = k - 1; j >= 0 && k - j <= kMaxAppositionTokens; --j) {
      if (tokens_[j].begin < from || Quoted(tokens_[j])) break;
      if (tokens_[j].lower == ",") return NounPhraseEndingAt(j - 1, from);
    }
    return std::nullopt;
  }
  return NounPhraseEndingAt(k, from);
}

std::optional<Speaker> QuoteFinder::SubjectAfter(int k, uint32_t to) const {
  if (k < static_cast<int>(tokens_.size()) && tokens_[k].lower == ",") ++k;
  if (k >= static_cast<int>(tokens_.size()) || tokens_[k].end > to || Quoted(tokens_[k])) {
    return std::nullopt;
  }
  const QuoteToken& t = tokens_[k];
  if (auto it = speaker_starting_at_.find(t.begin); it != speaker_starting_at_.end()) {
    return EntitySpeaker(it->second.first, t.begin, it->second.second);
  }
  if (!t.word) return std::nullopt;
  Gender gender;
  if (IsPersonPronoun(language_, t.lower, &gender)) return ResolvePronoun(k, gender);
  // The words up to the first punctuation, lowercase function word or quote.
  int j = k;
  int last = k;
  const bool description = IsDeterminer(language_, t.lower);
  if (IsObliqueDeterminer(language_, t.lower)) return std::nullopt;
  for (++j; j < static_cast<int>(tokens_.size()) && j - k <= kMaxDescriptionWords; ++j) {
    const QuoteToken& w = tokens_[j];
    if (!w.word || w.end > to || Quoted(w)) break;
    // A description stops at a short lowercase word after its head ("a
    // spokeswoman for ..."); a name at the first lowercase word.
    const bool stop = description ? IsDeterminer(language_, w.lower) ||
                                        (!w.capitalized && w.lower.size() <= 4 && last > k)
                                  : !w.capitalized;
    if (stop) break;
    last = j;
  }
  if (description) {
    if (last == k) return std::nullopt;
    return ResolveDescription(t.begin, tokens_[last].end, tokens_[last].lower);
  }
  if (!t.capitalized) return std::nullopt;
  return Speaker{-1, Substr(t.begin, tokens_[last].end), t.begin, tokens_[last].end};
}

std::optional<Attribution> QuoteFinder::CueAt(const RawQuote& q, int k, uint32_t from,
                                              uint32_t to) const {
  const QuoteToken& t = tokens_[k];
  const CueUse use = cue_use_[k];
  if (use == CueUse::kNone) return std::nullopt;
  Attribution a;
  a.cue_begin = t.begin;
  a.cue_end = t.end;
  std::optional<Speaker> s;
  if (use == CueUse::kVerb) {
    s = SubjectBefore(k, from);
    if ((!s.has_value() || s->weak) && !TakesAddressee(t.lower)) {
      if (std::optional<Speaker> after = SubjectAfter(k + 1, to)) s = std::move(after);
    }
  } else if (use == CueUse::kPreposition) {
    int next = k + 1;
    if (t.lower == "according") {
      if (next >= static_cast<int>(tokens_.size()) || tokens_[next].lower != "to") {
        return std::nullopt;
      }
      a.cue_end = tokens_[next++].end;
    }
    s = SubjectAfter(next, to);
  } else {  // kPostQuote: right after the closing mark and a comma
    const int before = k - 1;
    if (before < 1 || tokens_[before].lower != "," || tokens_[before - 1].begin != q.close) {
      return std::nullopt;
    }
    s = SubjectAfter(k + 1, to);
  }
  if (!s.has_value()) return std::nullopt;
  a.speaker = *std::move(s);
  a.cue = Substr(a.cue_begin, a.cue_end);
  return a;
}

// The nearest cue in [from, to) (outside any quote) with a speaker; of two as
// near, the earlier. The cue words are tried nearest first, outwards from the
// quote, at most kMaxCueWordsTried on each side.
std::optional<Attribution> QuoteFinder::FindCue(const RawQuote& q, size_t unit,
                                                uint32_t from, uint32_t to) const {
  const std::vector<int>& cue_words = CueWords(unit);
  const uint32_t quote_end = q.close == kNone ? q.end : q.close + 1;
  // The tokens in the context: from the first at or after `from` to the first
  // that ends after `to`.
  const int first = TokenAt(from);
  // Index of the first token that ends after `cp`.
  auto ending_after = [&](uint32_t cp) {
    return static_cast<int>(std::upper_bound(tokens_.begin(), tokens_.end(), cp,
                                             [](uint32_t x, const QuoteToken& t) { return x < t.end; }) -
                            tokens_.begin());
  };
  const int stop = std::max(first, ending_after(to));
  // Tokens before the quote (ending by its opening mark) are nearer the later they
  // are; tokens after it (starting at or after its end) the earlier they are.
  // Tokens in between are inside the quote, so no cue.
  auto cue_index = [&](int token) {
    return static_cast<int>(std::lower_bound(cue_words.begin(), cue_words.end(), token) -
                            cue_words.begin());
  };
  const int before_end = std::min(stop, ending_after(q.open));
  const int after_begin = std::max(first, TokenAt(quote_end));
  const int cue_first = cue_index(first);
  int left = cue_index(before_end) - 1;  // index into cue_words, moving down
  int right = cue_index(after_begin);     // moving up
  const int cue_stop = cue_index(stop);
  std::optional<Attribution> best;
  uint32_t best_distance = kNone;
  int best_token = std::numeric_limits<int>::max();
  auto consider = [&](int k, uint32_t distance) {
    if (distance >= kNone) return;
    if (distance > best_distance || (distance == best_distance && k > best_token)) return;
    if (std::optional<Attribution> a = CueAt(q, k, from, to); a.has_value()) {
      best = std::move(a);
      best_distance = distance;
      best_token = k;
    }
  };
  // Tokens neither before nor after (none in text from the segment stage): all.
  for (int c = cue_index(std::max(first, before_end)); c < cue_stop && cue_words[c] < after_begin;
       ++c) {
    const QuoteToken& t = tokens_[cue_words[c]];
    consider(cue_words[c], t.begin >= quote_end ? t.begin - quote_end : q.open - t.end);
  }
  int tried_left = 0;
  int tried_right = 0;
  while (true) {
    const bool has_left = left >= cue_first && tried_left < kMaxCueWordsTried;
    const bool has_right = right < cue_stop && tried_right < kMaxCueWordsTried;
    if (!has_left && !has_right) break;
    const uint32_t left_distance = has_left ? q.open - tokens_[cue_words[left]].end : kNone;
    const uint32_t right_distance =
        has_right ? tokens_[cue_words[right]].begin - quote_end : kNone;
    int k;
    uint32_t distance;
    if (has_left && (!has_right || left_distance <= right_distance)) {
      k = cue_words[left--];
      distance = left_distance;
      ++tried_left;
    } else {
      k = cue_words[right++];
      distance = right_distance;
      ++tried_right;
    }
    // Every cue word left is farther (or as far and later).
    if (distance > best_distance || (distance == best_distance && k > best_token)) break;
    consider(k, distance);
    if (best_token == k) break;
  }
  return best;
}

// True if the quote opens its clause: nothing before it in the sentence, or a
// colon, or a cue verb (and comma) right before it.
bool QuoteFinder::StartsClause(const RawQuote& q, uint32_t ctx_begin) const {
  int k = TokenAt(q.open) - 1;
  if (k < 0 || tokens_[k].end <= ctx_begin) return true;
  if (tokens_[k].lower == ":") return true;
  if (tokens_[k].lower == "," && k > 0) --k;
  return tokens_[k].word && CueUseOf(language_, tokens_[k].lower) == CueUse::kVerb;
}

// True if a cue follows the closing mark: ",” Lavrov said" / ",” said Lavrov".
bool QuoteFinder::AttributionFollows(const RawQuote& q, uint32_t ctx_end) const {
  if (q.close == kNone) return false;
  int k = TokenAt(q.close + 1);
  if (k < static_cast<int>(tokens_.size()) && tokens_[k].lower == ",") ++k;
  for (int n = 0; n < 5 && k < static_cast<int>(tokens_.size()); ++n, ++k) {
    const QuoteToken& t = tokens_[k];
    if (t.end > ctx_end || !t.word) return false;
    if (CueUseOf(language_, t.lower) != CueUse::kNone) return true;
  }
  return false;
}

// True if the quote opens its unit and the unit before ends with ':' or ','.
bool QuoteFinder::IntroducedByPreviousUnit(const RawQuote& q) const {
  if (q.unit == 0) return false;
  const int k = TokenAt(q.open);
  if (k == 0 || tokens_[k].begin != q.open) return false;
  const QuoteToken& before = tokens_[k - 1];
  return before.begin >= units_[q.unit - 1].first && before.end <= units_[q.unit - 1].second &&
         (before.lower == ":" || before.lower == ",") && TokenAt(units_[q.unit].first) == k;
}

bool QuoteFinder::ScareMarked(const RawQuote& q, uint32_t ctx_begin) const {
  const int k = TokenAt(q.open) - 1;
  return k >= 0 && tokens_[k].begin >= ctx_begin && IsScareMarker(tokens_[k].lower);
}

absl::Status QuoteFinder::Run() {
  if (absl::Status s = Decode(); !s.ok()) return s;
  if (absl::Status s = BuildUnits(); !s.ok()) return s;
  Tokenize();
  if (absl::Status s = IndexPersons(); !s.ok()) return s;

  std::vector<RawQuote> raw;
  for (size_t u = 0; u < units_.size(); ++u) ScanUnit(u, &raw);
  for (size_t i = 0; i + 1 < raw.size(); ++i) {
    RawQuote& q = raw[i];
    const RawQuote& next = raw[i + 1];
    if (!q.unclosed || next.unit != q.unit + 1) continue;
    uint32_t first = units_[next.unit].first;
    while (first < next.open && IsUnicodeWhitespace(static_cast<UChar32>(cps_[first]))) {
      ++first;
    }
    if (first == next.open) {
      q.unclosed = false;
      raw[i + 1].continued = true;
    }
  }
  for (const RawQuote& q : raw) {
    const uint32_t last = q.close == kNone ? q.end : q.close + 1;
    std::fill(quoted_.begin() + q.open, quoted_.begin() + last, 1);
  }

  article_.clear_quotes();
  bool any_unclosed = false;
  const v1::Quote* previous = nullptr;
  size_t previous_unit = 0;
  for (const RawQuote& q : raw) {
    const auto [ctx_begin, ctx_end] = Context(q);
    v1::Quote& out = *article_.add_quotes();
    out.set_begin(q.begin);
    out.set_end(q.end);
    out.set_text(Substr(q.begin, q.end));
    out.set_continued(q.continued);
    out.set_unclosed(q.unclosed);
    any_unclosed |= q.unclosed;

    int words = 0;
    for (int k = TokenAt(q.begin); k < static_cast<int>(tokens_.size()) &&
                                   tokens_[k].end <= q.end;
         ++k) {
      words += tokens_[k].word;
    }
    // Mid-sentence, only a capitalised quote followed by its cue stands on its own
    // ("which has “gathered widespread support,” Lavrov noted" is partial).
    const bool direct = q.continued || StartsClause(q, ctx_begin) ||
                        (AttributionFollows(q, ctx_end) &&
                         (u_isupper(static_cast<UChar32>(cps_[q.begin])) ||
                          !u_isalpha(static_cast<UChar32>(cps_[q.begin]))));
    std::optional<Attribution> a;
    if (!q.continued && !ScareMarked(q, ctx_begin)) {
      a = FindCue(q, q.unit, ctx_begin, ctx_end);
      if (!a.has_value() && direct) {
        a = FindCue(q, q.unit, units_[q.unit].first, units_[q.unit].second);
      }
      if (!a.has_value() && direct && IntroducedByPreviousUnit(q)) {
        // "Obama tweeted: ¶ “Cool clock, Ahmed.”"
        a = FindCue(q, q.unit - 1, units_[q.unit - 1].first, units_[q.unit - 1].second);
      }
    }
    if (q.continued) {
      out.set_kind(v1::QUOTE_KIND_DIRECT);
    } else if (ScareMarked(q, ctx_begin) ||
               (!direct && !a.has_value() && words <= static_cast<int>(options_.scare_max_words))) {
      out.set_kind(v1::QUOTE_KIND_SCARE);
      previous = &out;
      previous_unit = q.unit;
      continue;
    } else {
      out.set_kind(direct ? v1::QUOTE_KIND_DIRECT : v1::QUOTE_KIND_PARTIAL);
    }

    if (a.has_value()) {
      if (a->speaker.entity < 0 && !a->speaker.weak) last_named_speaker_ = a->speaker.name;
      out.set_speaker(a->speaker.name);
      out.set_cue(a->cue);
      *out.mutable_cue_span() = MakeSpan(a->cue_begin, a->cue_end);
      *out.mutable_speaker_span() = MakeSpan(a->speaker.begin, a->speaker.end);
      if (a->speaker.entity >= 0) {
        const v1::Entity& e = article_.entities(a->speaker.entity);
        out.set_speaker_entity_id(e.id());
        (e.type() == "PERSON" ? last_speaker_ : last_other_speaker_) = a->speaker.entity;
      }
    } else if (previous != nullptr && !previous->speaker().empty() &&
               (q.continued || (out.kind() == v1::QUOTE_KIND_DIRECT &&
                                q.unit <= previous_unit + 1))) {
      // A continued quote, or a bare direct quote after an attributed one.
      out.set_speaker(previous->speaker());
      out.set_speaker_entity_id(previous->speaker_entity_id());
      *out.mutable_speaker_span() = previous->speaker_span();
    }
    previous = &out;
    previous_unit = q.unit;
  }
  if (any_unclosed &&
      std::find(article_.flags().begin(), article_.flags().end(), "quote_unclosed") ==
          article_.flags().end()) {
    article_.add_flags("quote_unclosed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status QuotesStage::Process(v1::Article& article, const StageContext& ctx) const {
  std::optional<TextAnalysis> local;
  QuoteFinder finder(article, options_, TextAnalysisFor(article, ctx.analyses, &local));
  return finder.Run();
}

}  // namespace newsd::stages
