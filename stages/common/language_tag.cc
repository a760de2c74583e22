#include "stages/common/language_tag.h"

#include <string>

#include "absl/strings/ascii.h"
#include "unicode/uloc.h"
#include "unicode/utypes.h"

namespace newsd::stages {

std::string NormalizeLanguageTag(absl::string_view tag) {
  const std::string trimmed(absl::StripAsciiWhitespace(tag));
  // ICU's buffers are bounded (ULOC_FULLNAME_CAPACITY); no real tag comes near.
  if (trimmed.empty() || trimmed.size() >= ULOC_FULLNAME_CAPACITY) return trimmed;
  std::string dashed = trimmed;
  for (char& c : dashed) {
    if (c == '_') c = '-';
  }
  char locale[ULOC_FULLNAME_CAPACITY];
  int32_t parsed = 0;
  UErrorCode status = U_ZERO_ERROR;
  uloc_forLanguageTag(dashed.c_str(), locale, sizeof locale, &parsed, &status);
  if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
      parsed != static_cast<int32_t>(dashed.size())) {
    return trimmed;
  }
  char out[ULOC_FULLNAME_CAPACITY];
  status = U_ZERO_ERROR;
  const int32_t length = uloc_toLanguageTag(locale, out, sizeof out, /*strict=*/true, &status);
  if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING || length <= 0) {
    return trimmed;
  }
  return std::string(out, length);
}

}  // namespace newsd::stages
