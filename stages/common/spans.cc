#include "stages/common/spans.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "stages/common/unicode.h"
#include "unicode/utf16.h"

namespace newsd::stages {

v1::Span MakeSpan(uint32_t begin, uint32_t end) {
  v1::Span span;
  span.set_begin(begin);
  span.set_end(end);
  return span;
}

v1::Span TextBuilder::Append(absl::string_view utf8) {
  const uint32_t begin = code_points_;
  text_.append(utf8.data(), utf8.size());
  code_points_ += static_cast<uint32_t>(CountCodePoints(utf8));
  return MakeSpan(begin, code_points_);
}

std::string TextBuilder::Release() {
  code_points_ = 0;
  return std::exchange(text_, std::string());
}

absl::Status CheckSpan(const v1::Span& span, uint32_t text_code_points,
                       absl::string_view what) {
  if (span.begin() > span.end()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " [", span.begin(), ", ",
                                                   span.end(), ") has begin > end"));
  }
  if (span.end() > text_code_points) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " [", span.begin(), ", ", span.end(),
                     ") out of range for text of ", text_code_points, " code points"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::string_view> SpanText(absl::string_view text, const v1::Span& span) {
  std::optional<absl::string_view> sub = CodePointSubstr(text, span.begin(), span.end());
  if (!sub.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "span [", span.begin(), ", ", span.end(), ") out of range for text of ",
        CountCodePoints(text), " code points"));
  }
  return *sub;
}

Utf16CodePointMap::Utf16CodePointMap(const icu::UnicodeString& text) {
  const int32_t length = text.length();
  const char16_t* units = text.getBuffer();
  for (int32_t i = 0; i + 1 < length; ++i) {
    if (U16_IS_LEAD(units[i]) && U16_IS_TRAIL(units[i + 1])) {
      pair_cp_.push_back(static_cast<uint32_t>(i) -
                         static_cast<uint32_t>(pair_utf16_.size()));
      pair_utf16_.push_back(i);
      ++i;
    }
  }
  code_points_ = static_cast<uint32_t>(length) - static_cast<uint32_t>(pair_utf16_.size());
}

uint32_t Utf16CodePointMap::ToCodePoint(int32_t utf16) const {
  // Pairs whose lead surrogate starts before `utf16` each took two units.
  const auto pairs_before =
      std::lower_bound(pair_utf16_.begin(), pair_utf16_.end(), utf16) - pair_utf16_.begin();
  if (pairs_before > 0 && pair_utf16_[pairs_before - 1] + 1 == utf16) {
    // Between the halves of a pair: round up to the code point after the pair.
    return pair_cp_[pairs_before - 1] + 1;
  }
  return static_cast<uint32_t>(utf16) - static_cast<uint32_t>(pairs_before);
}

int32_t Utf16CodePointMap::ToUtf16(uint32_t cp) const {
  const auto pairs_before =
      std::lower_bound(pair_cp_.begin(), pair_cp_.end(), cp) - pair_cp_.begin();
  return static_cast<int32_t>(cp + static_cast<uint32_t>(pairs_before));
}

}  // namespace newsd::stages
