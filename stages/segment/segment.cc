#include "stages/segment/segment.h"

#include <algorithm>
#include <climits>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "stages/common/spans.h"
#include "stages/common/tokens.h"
#include "stages/common/unicode.h"
#include "unicode/locid.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"

namespace newsd::stages {
namespace {

// Opening brackets and quotes that may precede an abbreviation: "(U.S." → "U.S.",
// "<N.Z." → "N.Z." (Reuters' company tags: "<N.Z. Forest Products Ltd>").
bool IsOpeningPunctuation(UChar32 c) {
  const int8_t type = u_charType(c);
  return type == U_START_PUNCTUATION || type == U_INITIAL_PUNCTUATION || c == '"' ||
         c == '\'' || c == '<';
}

// "F.", "U.S.", "D.C.", "N.Y.": one or more uppercase letters, each followed by a period.
bool IsDottedInitials(const icu::UnicodeString& token) {
  const int32_t n = token.length();
  if (n < 2 || n % 2 != 0) return false;
  for (int32_t i = 0; i < n; i += 2) {
    if (!u_isupper(token.charAt(i)) || token.charAt(i + 1) != u'.') return false;
  }
  return true;
}

// Closing punctuation that may follow a word: "He," → "He", "said)" → "said".
bool IsClosingPunctuation(UChar32 c) {
  const int8_t type = u_charType(c);
  return type == U_END_PUNCTUATION || type == U_FINAL_PUNCTUATION || c == ',' || c == ';' ||
         c == ':' || c == '!' || c == '?' || c == '"' || c == '\'';
}

// "The", "He", "I": an uppercase letter and then only lowercase letters.
bool IsTitlecaseWord(const icu::UnicodeString& word) {
  if (word.isEmpty() || !u_isupper(word.char32At(0))) return false;
  for (int32_t i = word.moveIndex32(0, 1); i < word.length(); i = word.moveIndex32(i, 1)) {
    if (!u_islower(word.char32At(i))) return false;
  }
  return true;
}

// "ST." → "St.", "INC." → "Inc.": a token in capitals (two letters or more) with
// only its first letter kept upper case; "" for any other token.
std::string TitlecasedCapitals(const icu::UnicodeString& token) {
  int letters = 0;
  for (int32_t i = 0; i < token.length(); i = token.moveIndex32(i, 1)) {
    const UChar32 c = token.char32At(i);
    if (u_islower(c)) return "";
    if (u_isalpha(c)) ++letters;
  }
  if (letters < 2) return "";
  icu::UnicodeString t(token);
  t.toLower(icu::Locale::getRoot());
  t.replace(0, 1, token.charAt(0));
  std::string utf8;
  t.toUTF8String(utf8);
  return utf8;
}

// A word after a break, as written but with opening punctuation skipped and
// closing punctuation and an apostrophe suffix cut off ("\"It's," → "It"), and
// the same without final periods ("Friday." → "Friday").
struct NextWord {
  std::string text;
  std::string bare;
  // An opening double quote came before it ("“The"), and it was not closed right
  // after the word (a nickname: C.J. "Pete" Silas).
  bool quoted = false;
};

// Up to `n` words of text[from, end).
std::vector<NextWord> NextWords(const icu::UnicodeString& text, int32_t from, int32_t end,
                                size_t n) {
  std::vector<NextWord> words;
  for (int32_t i = from; i < end && words.size() < n;) {
    while (i < end && IsUnicodeWhitespace(text.char32At(i))) i = text.moveIndex32(i, 1);
    bool quoted = false;
    while (i < end && IsOpeningPunctuation(text.char32At(i))) {
      const UChar32 c = text.char32At(i);
      quoted = quoted || c == '"' || u_charType(c) == U_INITIAL_PUNCTUATION ||
               c == 0x201E || c == 0x00AB;  // „ «
      i = text.moveIndex32(i, 1);
    }
    int32_t word_end = i;
    while (word_end < end && !IsUnicodeWhitespace(text.char32At(word_end))) {
      word_end = text.moveIndex32(word_end, 1);
    }
    if (word_end == i) break;
    icu::UnicodeString word = text.tempSubStringBetween(i, word_end);
    for (const UChar apostrophe : {u'\'', u'\u2019'}) {
      const int32_t k = word.indexOf(apostrophe);
      if (k > 0) word.truncate(k);
    }
    bool closed = false;
    while (!word.isEmpty() && IsClosingPunctuation(word.char32At(word.length() - 1))) {
      const UChar32 c = word.char32At(word.length() - 1);
      closed = closed || c == '"' || u_charType(c) == U_FINAL_PUNCTUATION;
      word.truncate(word.moveIndex32(word.length(), -1));
    }
    NextWord w;
    w.quoted = quoted && !closed;
    word.toUTF8String(w.text);
    w.bare = w.text;
    while (!w.bare.empty() && w.bare.back() == '.') w.bare.pop_back();
    words.push_back(std::move(w));
    i = word_end;
  }
  return words;
}

// Words that open a sentence and do not go on a name: after an abbreviation that
// may end a sentence ("U.S.", "Inc."), one of these starts the next sentence ("...
// in the U.S. He said", "Apple Inc. The company"), while any other capitalised
// word is taken for a name that continues it ("U.S. Treasury", "Apple Inc. Chief
// Executive"). Kept short: prepositions, adverbs and verbs that also follow a
// noun mid-sentence ("the U.S. in July", "the U.S. also said") are left out.
const absl::flat_hash_set<std::string>& SentenceStarters() {
  static const auto* const set = new absl::flat_hash_set<std::string>{
      // Articles, determiners, possessives.
      "A", "An", "The", "This", "These", "Those", "Some", "Many", "Most", "Several", "Both",
      "Each", "Every", "All", "No", "None", "Few", "Such", "Another", "Its", "Their", "His",
      "Her", "Our", "My", "Your",
      // Pronouns; "Mr." and friends open a sentence but never follow "U.S." in one.
      "I", "He", "She", "It", "We", "They", "You", "There", "Mr.", "Mrs.", "Ms.",
      // Conjunctions and sentence adverbs.
      "But", "However", "Meanwhile", "Moreover", "Furthermore", "Nevertheless",
      "Nonetheless", "Separately", "Overall", "Indeed", "If", "When", "While", "Although",
      "Though", "Because", "Unless",
  };
  return *set;
}

// Capitalised words after "U.S." that give away an archive capitalising every
// word after it ("the U.S. And Japan", "the U.S. Is unlikely", "U.S. Dlrs"), as
// Reuters-21578 does: function words and verbs that seldom open a sentence.
const absl::flat_hash_set<std::string>& CapitalisedAfterInitials() {
  static const auto* const set = new absl::flat_hash_set<std::string>{
      "And", "Or", "Nor", "To", "Of", "On", "For", "With", "From", "By", "At", "As",
      "Is", "Are", "Was", "Were", "Be", "Has", "Have", "Had", "Will", "Would", "Should",
      "Could", "Can", "Might", "Must", "Do", "Does", "Did", "Also", "Still", "Now",
      "Then", "Already", "Which", "Who", "Said", "Says", "Dlrs", "Dlr"};
  return *set;
}

// True if some dotted initials of two letters or more in `text` are followed by one
// of CapitalisedAfterInitials().
bool CapitalisesAfterInitials(const icu::UnicodeString& text) {
  for (int32_t dot = text.indexOf(u'.'); dot >= 0; dot = text.indexOf(u'.', dot + 1)) {
    const int32_t end = dot + 1;
    if (end >= text.length() || !IsUnicodeWhitespace(text.char32At(end))) continue;
    int32_t begin = end;
    while (begin > 0 && !IsUnicodeWhitespace(text.char32At(begin - 1))) {
      begin = text.moveIndex32(begin, -1);
    }
    while (begin < end && IsOpeningPunctuation(text.char32At(begin))) {
      begin = text.moveIndex32(begin, 1);
    }
    const icu::UnicodeString token = text.tempSubStringBetween(begin, end);
    if (token.length() < 4 || !IsDottedInitials(token)) continue;
    const std::vector<NextWord> next = NextWords(text, end, text.length(), 1);
    if (!next.empty() && CapitalisedAfterInitials().contains(next[0].text)) return true;
  }
  return false;
}

// Abbreviations that no name follows: times of day, weekdays and "etc.". After
// them a capitalised word starts a sentence ("at 5 p.m. Police said", "field work,
// etc. Manuscript review", "Showers Sat. Highs in the 60s") unless it carries on a
// time ("9 a.m. Friday", "5 p.m. Eastern", "9 a.m. Moscow time", "Sat. Jan. 5").
bool IsNeverBeforeName(absl::string_view token) {
  static const auto* const set = new absl::flat_hash_set<std::string>{
      "a.m.", "p.m.", "A.M.", "P.M.", "etc.", "Etc.", "Mon.", "Tue.", "Tues.", "Wed.",
      "Thu.", "Thur.", "Thurs.", "Fri.", "Sat.", "Sun."};
  return set->contains(token);
}

// Capitalised words that carry on a time of day: weekdays, months, time zones.
const absl::flat_hash_set<std::string>& TimeContinuations() {
  static const auto* const set = new absl::flat_hash_set<std::string>{
      "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
      "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
      "January", "February", "March", "April", "May", "June", "July", "August",
      "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr",
      "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
      "Eastern", "Central", "Pacific", "Mountain", "Atlantic", "Alaska", "Hawaii",
      "Greenwich", "Universal", "Local", "Daylight", "Standard", "Summer", "Winter",
  };
  return *set;
}

// True if [begin, end) of `text` is in title case or capitals (a headline: "U.S.
// And China Agree To Talks"): at least 3 of its words have 4 letters or more, and
// at least 80% of those are capitalised.
bool IsTitleCase(const icu::UnicodeString& text, int32_t begin, int32_t end) {
  int words = 0;
  int capitalised = 0;
  for (int32_t i = begin; i < end;) {
    while (i < end && !u_isalpha(text.char32At(i))) i = text.moveIndex32(i, 1);
    const int32_t word_begin = i;
    int letters = 0;
    while (i < end && u_isalpha(text.char32At(i))) {
      ++letters;
      i = text.moveIndex32(i, 1);
    }
    if (letters >= 4) {
      ++words;
      if (u_isupper(text.char32At(word_begin))) ++capitalised;
    }
  }
  return words >= 3 && capitalised * 5 >= words * 4;
}

// OK if every unit fits a text of `code_points` and they are ordered and disjoint;
// `name(i)` names unit i in the error message.
absl::Status CheckUnits(absl::Span<const v1::Span> units, uint32_t code_points,
                        const std::function<std::string(size_t)>& name) {
  uint32_t previous_end = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    if (absl::Status s = CheckSpan(units[i], code_points, name(i)); !s.ok()) return s;
    if (units[i].begin() < previous_end) {
      return absl::InvalidArgumentError(absl::StrCat(name(i), " [", units[i].begin(), ", ",
                                                     units[i].end(),
                                                     ") overlaps the span before it"));
    }
    previous_end = units[i].end();
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<absl::string_view>& DefaultAbbreviations() {
  static const auto* const list = new std::vector<absl::string_view>{
      // Titles and ranks: a name follows.
      "Mr.", "Mrs.", "Ms.", "Messrs.", "Mmes.", "Dr.", "Drs.", "Prof.", "Rev.", "Hon.",
      "Sen.", "Sens.", "Rep.", "Reps.", "Gov.", "Govs.", "Pres.", "Amb.", "Atty.", "Supt.",
      "Gen.", "Lt.", "Col.", "Maj.", "Capt.", "Cmdr.", "Cdr.", "Adm.", "Brig.", "Sgt.",
      "Cpl.", "Pvt.", "Det.", "Insp.", "Gens.", "Lt.Col.", "Lt.Gen.", "Maj.Gen.",
      "Mt.", "Ft.", "Sta.", "Msgr.", "Fr.",
      // Abbreviated first names: "Geo. A. Hormel", "Alex. Brown".
      "Geo.", "Alex.", "Chas.", "Wm.", "Jas.", "Thos.", "Benj.", "Robt.",
      // Latin and reference abbreviations: something follows ("vs. The Times").
      "e.g.", "i.e.", "E.g.", "I.e.", "cf.", "vs.", "Vs.", "approx.", "Approx.", "No.",
      "Nos.", "Nr.", "Fig.", "Vol.", "pp.", "ca.", "Lat.", "Long.",
  };
  return *list;
}

const std::vector<absl::string_view>& MayEndAbbreviations() {
  static const auto* const list = new std::vector<absl::string_view>{
      // After a name.
      "Jr.", "Sr.", "St.", "Ph.D.",
      // Months (AP style and common variants) and weekdays.
      "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.",
      "Nov.", "Dec.", "Mon.", "Tue.", "Tues.", "Wed.", "Thu.", "Thur.", "Thurs.", "Fri.",
      "Sat.", "Sun.",
      // U.S. states (AP style); dotted ones ("N.Y.") are covered by the initials rule.
      "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "Fla.", "Ga.", "Ill.",
      "Ind.", "Kan.", "Ky.", "La.", "Md.", "Mass.", "Mich.", "Minn.", "Miss.", "Mo.",
      "Mont.", "Neb.", "Nev.", "Okla.", "Ore.", "Pa.", "Tenn.", "Tex.", "Va.", "Vt.",
      "Wash.", "Wis.", "Wyo.", "W.Va.",
      // Inside company names ("Samsung Electronics Co. Ltd.", "Warner Bros.
      // Pictures") and addresses. "Inc.", "Corp.", "Ltd." are not listed: a name
      // seldom goes on after them, and a capital there starts a sentence.
      "Co.", "Cos.", "Bros.", "Dept.", "Univ.", "Ave.", "Blvd.", "Rd.",
      // Times of day and lists.
      "a.m.", "p.m.", "etc.", "Etc.",
  };
  return *list;
}

absl::StatusOr<std::unique_ptr<SegmentStage>> SegmentStage::Create(SegmentOptions options) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale = icu::Locale::forLanguageTag(options.locale, status);
  if (U_FAILURE(status) || locale.isBogus()) {
    return absl::InvalidArgumentError(
        absl::StrCat("locale '", options.locale, "' is not a valid BCP-47 tag"));
  }
  // CLDR's English suppressions keep a sentence going after "U.S." and "a.m." even
  // where the next one starts ("... in the U.S. He said"): for English the checks
  // of IsSuppressed() replace them.
  if (absl::string_view(locale.getLanguage()) != "en") {
    locale.setKeywordValue("ss", "standard", status);
  }
  std::unique_ptr<icu::BreakIterator> prototype(
      icu::BreakIterator::createSentenceInstance(locale, status));
  if (U_FAILURE(status) || prototype == nullptr) {
    return absl::InternalError(absl::StrCat("ICU sentence break iterator for '",
                                            options.locale, "': ", u_errorName(status)));
  }
  absl::flat_hash_set<std::string> abbreviations(DefaultAbbreviations().begin(),
                                                 DefaultAbbreviations().end());
  absl::flat_hash_set<std::string> may_end;
  for (absl::string_view a : MayEndAbbreviations()) {
    if (!abbreviations.contains(a)) may_end.emplace(a);
  }
  for (std::string& a : options.extra_abbreviations) {
    may_end.erase(a);
    abbreviations.insert(std::move(a));
  }
  return std::unique_ptr<SegmentStage>(new SegmentStage(
      std::move(prototype), std::move(abbreviations), std::move(may_end),
      options.publish_tokens));
}

std::unique_ptr<icu::BreakIterator> SegmentStage::NewIterator() const {
  absl::MutexLock lock(&mu_);
  return std::unique_ptr<icu::BreakIterator>(prototype_->clone());
}

bool SegmentStage::IsSuppressed(const icu::UnicodeString& text, int32_t unit_begin,
                                int32_t unit_end, int32_t at,
                                std::optional<bool>* capitalises_after_initials) const {
  // The word before the break: skip the white space before `at`, then the word.
  int32_t end = at;
  while (end > unit_begin) {
    const UChar32 c = text.char32At(end - 1);
    if (!IsUnicodeWhitespace(c)) break;
    end = text.moveIndex32(end, -1);
  }
  if (end == unit_begin || text.charAt(end - 1) != u'.') return false;
  int32_t begin = end;
  while (begin > unit_begin && !IsUnicodeWhitespace(text.char32At(begin - 1))) {
    begin = text.moveIndex32(begin, -1);
  }
  while (begin < end && IsOpeningPunctuation(text.char32At(begin))) {
    begin = text.moveIndex32(begin, 1);
  }
  icu::UnicodeString token = text.tempSubStringBetween(begin, end);
  std::string utf8;
  token.toUTF8String(utf8);
  const std::string capitals = TitlecasedCapitals(token);  // "ST." → "St."
  if (abbreviations_.contains(utf8) || abbreviations_.contains(capitals)) return true;
  bool initials = IsDottedInitials(token);
  if (!initials && !may_end_.contains(utf8) && !may_end_.contains(capitals)) {
    // The last part of a compound, as written: "EC-U.S." → "U.S.", "New
    // York-J.F." → "J.F.", "Tampa/St." → "St." (but not "747-SR.").
    const int32_t joint = std::max(token.lastIndexOf(u'-'), token.lastIndexOf(u'/'));
    if (joint < 0) return false;
    token = icu::UnicodeString(token, joint + 1);
    utf8.clear();
    token.toUTF8String(utf8);
    if (abbreviations_.contains(utf8)) return true;
    initials = IsDottedInitials(token);
    if (!initials && !may_end_.contains(utf8)) return false;
  }

  // An abbreviation that may end a sentence: it does when the next word starts one.
  const std::vector<NextWord> next = NextWords(text, at, unit_end, 4);
  if (next.empty()) return false;  // a break at the unit end
  // "The", "He", "Mr." start a sentence, and so does a quotation opening with a
  // capital ("Inc. \"Any company ..."); "A." is an initial ("J. A. Smith").
  bool starts = SentenceStarters().contains(next[0].text) ||
                (next[0].quoted && IsTitlecaseWord(icu::UnicodeString::fromUTF8(next[0].bare)));
  if (!starts && IsNeverBeforeName(utf8) &&
      IsTitlecaseWord(icu::UnicodeString::fromUTF8(next[0].bare)) &&
      !TimeContinuations().contains(next[0].bare)) {
    // "9 a.m. Police said" ends; "9 a.m. Moscow time", "9 a.m. New York time" go on.
    starts = true;
    for (size_t k = 1; k < next.size(); ++k) {
      if (next[k].bare == "time" || next[k].bare == "Time") starts = false;
    }
  }
  if (!starts) return true;
  if (initials && token.length() >= 4) {
    if (!capitalises_after_initials->has_value()) {
      *capitalises_after_initials = CapitalisesAfterInitials(text);
    }
    if (**capitalises_after_initials) return true;
  }
  return IsTitleCase(text, unit_begin, unit_end);
}

absl::StatusOr<std::vector<v1::Span>> SegmentStage::Segment(
    absl::string_view text, absl::Span<const v1::Span> units) const {
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat("text of ", text.size(), " bytes is too long to segment"));
  }
  if (std::optional<size_t> bad = FindInvalidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat("text is not valid UTF-8 at byte ", *bad));
  }
  const icu::UnicodeString utf16 = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  const Utf16CodePointMap map(utf16);
  if (absl::Status s = CheckUnits(units, map.code_points(),
                                  [](size_t i) { return absl::StrCat("units[", i, "]"); });
      !s.ok()) {
    return s;
  }

  std::vector<v1::Span> sentences;
  auto emit = [&](int32_t begin, int32_t end) {
    while (begin < end && IsUnicodeWhitespace(utf16.char32At(begin))) {
      begin = utf16.moveIndex32(begin, 1);
    }
    while (end > begin && IsUnicodeWhitespace(utf16.char32At(end - 1))) {
      end = utf16.moveIndex32(end, -1);
    }
    if (begin < end) sentences.push_back(MakeSpan(map.ToCodePoint(begin), map.ToCodePoint(end)));
  };
  std::unique_ptr<icu::BreakIterator> it = NewIterator();
  it->setText(utf16);
  std::optional<bool> capitalises_after_initials;  // CapitalisesAfterInitials(utf16)
  for (const v1::Span& unit : units) {
    const int32_t unit_begin = map.ToUtf16(unit.begin());
    const int32_t unit_end = map.ToUtf16(unit.end());
    if (unit_begin == unit_end) continue;
    int32_t start = unit_begin;
    for (int32_t at = it->following(unit_begin);
         at != icu::BreakIterator::DONE && at < unit_end; at = it->next()) {
      if (IsSuppressed(utf16, unit_begin, unit_end, at, &capitalises_after_initials)) continue;
      emit(start, at);
      start = at;
    }
    emit(start, unit_end);
  }
  return sentences;
}

absl::Status SegmentStage::Process(v1::Article& article, const StageContext& ctx) const {
  const bool has_headline = article.headline().end() > article.headline().begin();
  std::vector<v1::Span> units;
  if (has_headline) units.push_back(article.headline());
  units.insert(units.end(), article.paragraphs().begin(), article.paragraphs().end());
  const uint32_t code_points = static_cast<uint32_t>(CountCodePoints(article.text()));
  // Checked here too, to name the offending Article field in the error.
  if (absl::Status s = CheckUnits(units, code_points,
                                  [has_headline](size_t i) {
                                    if (has_headline && i == 0) return std::string("headline");
                                    return absl::StrCat("paragraphs[", i - has_headline, "]");
                                  });
      !s.ok()) {
    return s;
  }
  if (units.empty() && code_points > 0) units.push_back(MakeSpan(0, code_points));
  // A dateline opening a paragraph ("GENEVA, Sept 12 (Reuters) -") is not part of
  // its first sentence.
  const v1::Span& dateline = article.dateline().span();
  if (dateline.end() > dateline.begin()) {
    for (v1::Span& unit : units) {
      if (unit.begin() == dateline.begin() && dateline.end() <= unit.end()) {
        unit.set_begin(dateline.end());
      }
    }
  }
  absl::StatusOr<std::vector<v1::Span>> sentences = Segment(article.text(), units);
  if (!sentences.ok()) return sentences.status();
  article.clear_sentences();
  for (v1::Span& s : *sentences) *article.add_sentences() = std::move(s);
  // The token stream of the later stages, built once here with the sentences.
  std::optional<TextAnalysis> local;
  const TextAnalysis& analysis = TextAnalysisFor(article, ctx.analyses, &local);
  if (publish_tokens_) PublishTokens(analysis, &article);
  return absl::OkStatus();
}

}  // namespace newsd::stages
