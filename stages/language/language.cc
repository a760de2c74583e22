#include "stages/language/language.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>  // compact_lang_det.h uses FILE without including it.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cld2/public/compact_lang_det.h"
#include "cld2/public/encodings.h"
#include "stages/common/unicode.h"
#include "unicode/locid.h"
#include "unicode/utf.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

// Well-formed UTF-8 `text` with each noncharacter (Unicode §23.7: U+FDD0–U+FDEF
// and the last two code points of every plane) and each control character other
// than TAB, LF, CR (C0, DEL, C1), which CLD2's interchange-validity check refuses,
// replaced by as many spaces as it has bytes.
std::string ReplaceNonInterchange(absl::string_view text) {
  std::string out(text);
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t len = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < len;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    const bool control = (c >= 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                         (c >= 0x7F && c <= 0x9F);
    if (control || U_IS_UNICODE_NONCHAR(c)) {
      std::fill(out.begin() + start, out.begin() + i, ' ');
    }
  }
  return out;
}

// CLD2's language for a BCP-47 hint ("de-CH" → GERMAN, "zh-Hant" → CHINESE_T,
// "he" → HEBREW); UNKNOWN_LANGUAGE if CLD2 does not know it.
CLD2::Language HintLanguage(absl::string_view tag) {
  if (tag.empty()) return CLD2::UNKNOWN_LANGUAGE;
  std::string lower = absl::AsciiStrToLower(tag);
  std::replace(lower.begin(), lower.end(), '_', '-');
  if (absl::StartsWith(lower, "zh-hant") || lower == "zh-tw" || lower == "zh-hk" ||
      lower == "zh-mo") {
    return CLD2::CHINESE_T;
  }
  std::string primary = lower.substr(0, lower.find('-'));
  if (primary == "he") primary = "iw";
  if (primary == "jv") primary = "jw";
  if (primary == "yi") primary = "ji";
  return CLD2::GetLanguageFromName(primary.c_str());
}

// The script a language is most likely written in (ICU's likely subtags: "ar" →
// "Arab", "en" → "Latn"), Chinese scripts as one ("Hani"); "" if ICU does not know.
std::string LikelyScript(const std::string& tag) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale = icu::Locale::forLanguageTag(tag, status);
  if (U_FAILURE(status)) return "";
  locale.addLikelySubtags(status);
  if (U_FAILURE(status)) return "";
  std::string script = locale.getScript();
  if (script == "Hans" || script == "Hant") return "Hani";
  return script;
}

void AddFlag(v1::Article& article, absl::string_view flag) {
  for (const std::string& f : article.flags()) {
    if (f == flag) return;
  }
  article.add_flags(std::string(flag));
}

}  // namespace

std::string Cld2CodeToBcp47(absl::string_view code) {
  if (code.empty() || code == "un" || absl::StartsWith(code, "xx")) return "und";
  if (code == "iw") return "he";
  if (code == "jw") return "jv";
  if (code == "in") return "id";
  if (code == "ji") return "yi";
  if (code == "mo") return "ro";
  return std::string(code);
}

std::string PrimaryLanguage(absl::string_view tag) {
  std::string lower = absl::AsciiStrToLower(tag);
  std::replace(lower.begin(), lower.end(), '_', '-');
  if (lower.empty() || absl::StartsWith(lower, "x-") || absl::StartsWith(lower, "i-")) {
    return "";
  }
  // ICU's canonical form knows ISO 639-2 codes ("eng", "ger") and deprecated
  // ones ("iw", "in", "mo").
  const icu::Locale locale = icu::Locale::createCanonical(lower.c_str());
  std::string primary = locale.getLanguage();
  if (primary.empty() || locale.isBogus()) primary = lower.substr(0, lower.find('-'));
  if (primary == "und" || primary == "mul" || primary == "zxx" || primary == "mis") return "";
  // Not a language code ("english"): nothing to compare.
  if (primary.size() < 2 || primary.size() > 3 ||
      !std::all_of(primary.begin(), primary.end(), absl::ascii_isalpha)) {
    return "";
  }
  if (primary == "nb" || primary == "nn") return "no";
  return primary;
}

absl::StatusOr<LanguageGuess> DetectLanguage(absl::string_view text, absl::string_view hint,
                                             double min_confidence,
                                             double secondary_min_share) {
  LanguageGuess guess;
  if (text.empty()) return guess;
  // CLD2 takes an int length: a longer text is cut at a code point boundary.
  size_t length = std::min<size_t>(text.size(), INT_MAX);
  while (length < text.size() && U8_IS_TRAIL(static_cast<uint8_t>(text[length]))) --length;
  const CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING,
                                HintLanguage(hint)};
  CLD2::Language language3[3];
  int percent3[3];
  double normalized_score3[3];
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix_bytes = 0;
  absl::string_view input = text.substr(0, length);
  std::string interchange;  // `input` without what CLD2 refuses, if it refuses anything
  for (;;) {
    CLD2::ExtDetectLanguageSummaryCheckUTF8(
        input.data(), static_cast<int>(input.size()), /*is_plain_text=*/true, &hints,
        /*flags=*/0, language3, percent3, normalized_score3, /*resultchunkvector=*/nullptr,
        &text_bytes, &reliable, &valid_prefix_bytes);
    if (static_cast<size_t>(valid_prefix_bytes) >= input.size()) break;
    // CLD2 checks "interchange valid" UTF-8: well-formed text with a noncharacter
    // (U+FFFE, U+FDD0, U+10FFFF...) or a control character fails it too. Such code
    // points become spaces of the same length in a copy (byte offsets unchanged),
    // once; only ill-formed UTF-8 is an error.
    if (std::optional<size_t> bad = FindInvalidUtf8(input)) {
      return absl::InvalidArgumentError(absl::StrCat("text is not valid UTF-8 at byte ", *bad));
    }
    if (!interchange.empty()) {
      return absl::InternalError(absl::StrCat("CLD2 refuses well-formed UTF-8 at byte ",
                                              valid_prefix_bytes));
    }
    interchange = ReplaceNonInterchange(input);
    input = interchange;
  }
  guess.reliable = reliable;
  // CLD2's languages with their shares, largest first (CLD2 sorts them so).
  std::vector<std::pair<std::string, int>> languages;
  int covered = 0;
  for (int i = 0; i < 3; ++i) {
    if (language3[i] == CLD2::UNKNOWN_LANGUAGE || percent3[i] <= 0) continue;
    std::string tag = Cld2CodeToBcp47(CLD2::LanguageCode(language3[i]));
    if (tag == "und") continue;
    covered += percent3[i];
    languages.emplace_back(std::move(tag), percent3[i]);
  }
  if (languages.empty()) return guess;
  // Shares are whole percents: compared as such, so that 0.19 asked for admits 19%.
  auto at_least = [](int percent, double share) { return percent >= share * 100 - 1e-6; };
  // A text in two scripts that CLD2 splits between their languages: each part is
  // clear even when neither has the majority CLD2's verdict asks for. (Languages
  // of one script that CLD2 splits evenly, Swedish and Norwegian, are a doubt
  // rather than a mix.)
  const bool mixed = languages.size() >= 2 && covered >= 80 &&
                     LikelyScript(languages[0].first) != LikelyScript(languages[1].first);
  if (!(reliable || mixed) || !at_least(languages[0].second, min_confidence)) return guess;
  guess.language = languages[0].first;
  guess.confidence = static_cast<float>(languages[0].second) / 100.0f;
  if (languages.size() >= 2 && at_least(languages[1].second, secondary_min_share) &&
      languages[1].first != guess.language) {
    guess.secondary_language = languages[1].first;
    guess.secondary_share = static_cast<float>(languages[1].second) / 100.0f;
  }
  return guess;
}

absl::Status LanguageStage::Process(v1::Article& article, const StageContext& ctx) const {
  absl::StatusOr<LanguageGuess> guess =
      DetectLanguage(article.text(), article.wire().declared_language(),
                     options_.min_confidence, options_.secondary_min_share);
  if (!guess.ok()) return guess.status();
  article.set_language(guess->language);
  article.set_language_confidence(guess->confidence);
  article.set_secondary_language(guess->secondary_language);
  article.set_secondary_language_share(guess->secondary_share);
  if (guess->language == "und") {
    if (!article.text().empty()) AddFlag(article, "language_unreliable");
    return absl::OkStatus();
  }
  const std::string declared = PrimaryLanguage(article.wire().declared_language());
  if (!declared.empty() && declared != PrimaryLanguage(guess->language)) {
    AddFlag(article, "language_mismatch");
  }
  return absl::OkStatus();
}

}  // namespace newsd::stages
