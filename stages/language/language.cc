#include "stages/language/language.h"

#include <algorithm>
#include <climits>
#include <cstdio>  // compact_lang_det.h uses FILE without including it.

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cld2/public/compact_lang_det.h"
#include "cld2/public/encodings.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

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

absl::StatusOr<LanguageGuess> DetectLanguage(absl::string_view text, absl::string_view hint,
                                             double min_confidence) {
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
  const CLD2::Language top = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(length), /*is_plain_text=*/true, &hints, /*flags=*/0, language3, percent3,
      normalized_score3, /*resultchunkvector=*/nullptr, &text_bytes, &reliable,
      &valid_prefix_bytes);
  if (static_cast<size_t>(valid_prefix_bytes) < length) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is not valid UTF-8 at byte ", valid_prefix_bytes));
  }
  guess.reliable = reliable;
  const std::string tag = Cld2CodeToBcp47(CLD2::LanguageCode(top));
  const float confidence =
      top == language3[0] ? static_cast<float>(percent3[0]) / 100.0f : 0.0f;
  if (!reliable || tag == "und" || confidence < min_confidence || confidence <= 0.0f) {
    return guess;
  }
  guess.language = tag;
  guess.confidence = confidence;
  return guess;
}

absl::Status LanguageStage::Process(v1::Article& article, const StageContext& ctx) const {
  absl::StatusOr<LanguageGuess> guess = DetectLanguage(
      article.text(), article.wire().declared_language(), options_.min_confidence);
  if (!guess.ok()) return guess.status();
  article.set_language(guess->language);
  article.set_language_confidence(guess->confidence);
  if (guess->language == "und" && !article.text().empty()) {
    article.add_flags("language_unreliable");
  }
  return absl::OkStatus();
}

}  // namespace newsd::stages
