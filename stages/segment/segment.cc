#include "stages/segment/segment.h"

#include <climits>
#include <functional>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"
#include "unicode/locid.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"

namespace newsd::stages {
namespace {

// Opening brackets and quotes that may precede an abbreviation: "(U.S." → "U.S.".
bool IsOpeningPunctuation(UChar32 c) {
  const int8_t type = u_charType(c);
  return type == U_START_PUNCTUATION || type == U_INITIAL_PUNCTUATION || c == '"' ||
         c == '\'';
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
      // Titles and ranks.
      "Mr.", "Mrs.", "Ms.", "Messrs.", "Mmes.", "Dr.", "Drs.", "Prof.", "Rev.", "Hon.",
      "Sen.", "Sens.", "Rep.", "Reps.", "Gov.", "Govs.", "Pres.", "Amb.", "Atty.", "Supt.",
      "Gen.", "Lt.", "Col.", "Maj.", "Capt.", "Cmdr.", "Cdr.", "Adm.", "Brig.", "Sgt.",
      "Cpl.", "Pvt.", "Det.", "Insp.", "Gens.", "Lt.Col.", "Lt.Gen.", "Maj.Gen.",
      "Sr.", "Jr.", "St.", "Mt.", "Ft.", "Sta.", "Msgr.", "Fr.",
      // Months (AP style and common variants).
      "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.",
      "Nov.", "Dec.",
      // U.S. states (AP style); dotted ones ("N.Y.") are covered by the initials rule.
      "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "Fla.", "Ga.", "Ill.",
      "Ind.", "Kan.", "Ky.", "La.", "Md.", "Mass.", "Mich.", "Minn.", "Miss.", "Mo.",
      "Mont.", "Neb.", "Nev.", "Okla.", "Ore.", "Pa.", "Tenn.", "Tex.", "Va.", "Vt.",
      "Wash.", "Wis.", "Wyo.", "W.Va.",
      // Latin and reference abbreviations.
      "e.g.", "i.e.", "cf.", "vs.", "Vs.", "approx.", "Approx.", "No.", "Nos.", "Fig.",
      "Vol.", "pp.", "ca.",
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
  locale.setKeywordValue("ss", "standard", status);
  std::unique_ptr<icu::BreakIterator> prototype(
      icu::BreakIterator::createSentenceInstance(locale, status));
  if (U_FAILURE(status) || prototype == nullptr) {
    return absl::InternalError(absl::StrCat("ICU sentence break iterator for '",
                                            options.locale, "': ", u_errorName(status)));
  }
  absl::flat_hash_set<std::string> abbreviations(DefaultAbbreviations().begin(),
                                                 DefaultAbbreviations().end());
  for (std::string& a : options.extra_abbreviations) abbreviations.insert(std::move(a));
  return std::unique_ptr<SegmentStage>(
      new SegmentStage(std::move(prototype), std::move(abbreviations)));
}

std::unique_ptr<icu::BreakIterator> SegmentStage::NewIterator() const {
  absl::MutexLock lock(&mu_);
  return std::unique_ptr<icu::BreakIterator>(prototype_->clone());
}

bool SegmentStage::IsSuppressed(const icu::UnicodeString& text, int32_t unit_begin,
                                int32_t at) const {
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
  const icu::UnicodeString token = text.tempSubStringBetween(begin, end);
  if (IsDottedInitials(token)) return true;
  std::string utf8;
  token.toUTF8String(utf8);
  return abbreviations_.contains(utf8);
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
  for (const v1::Span& unit : units) {
    const int32_t unit_begin = map.ToUtf16(unit.begin());
    const int32_t unit_end = map.ToUtf16(unit.end());
    if (unit_begin == unit_end) continue;
    int32_t start = unit_begin;
    for (int32_t at = it->following(unit_begin);
         at != icu::BreakIterator::DONE && at < unit_end; at = it->next()) {
      if (IsSuppressed(utf16, unit_begin, at)) continue;
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
  return absl::OkStatus();
}

}  // namespace newsd::stages
