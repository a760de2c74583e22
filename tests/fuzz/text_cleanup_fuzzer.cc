// libFuzzer target: bytes → UTF-8 (charset.h, with the first byte choosing a
// declared charset) and text cleanup (text_cleanup.h); the results must be
// well-formed UTF-8.
#include <cstdlib>
#include <set>
#include <string>

#include "stages/common/unicode.h"
#include "stages/decode/charset.h"
#include "stages/decode/text_cleanup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  static const char* const kCharsets[] = {"", "UTF-8", "ISO-8859-1", "windows-1252",
                                          "Shift_JIS", "UTF-16", "windows-1251", "GB18030"};
  newsd::stages::CharsetHints hints;
  hints.transport = kCharsets[data[0] % std::size(kCharsets)];
  const absl::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<newsd::stages::Utf8Text> utf8 = newsd::stages::DecodeToUtf8(bytes, hints);
  if (!utf8.ok()) return 0;
  if (newsd::stages::FindInvalidUtf8(utf8->text).has_value()) std::abort();
  std::set<std::string> flags;
  const std::string clean = newsd::stages::CleanText(utf8->text, {true}, &flags);
  if (newsd::stages::FindInvalidUtf8(clean).has_value()) std::abort();
  if (newsd::stages::CountCodePoints(newsd::stages::FoldTypography(clean)) !=
      newsd::stages::CountCodePoints(clean)) {
    std::abort();
  }
  return 0;
}
