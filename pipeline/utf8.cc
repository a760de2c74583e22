#include "pipeline/utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "unicode/utf8.h"

namespace newsd {
namespace {

// ICU's UTF-8 macros index with int32_t; longer inputs are walked in windows.
constexpr size_t kWindow = size_t{1} << 30;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

const uint8_t* Bytes(absl::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

}  // namespace

std::optional<size_t> FindInvalidUtf8(absl::string_view bytes) {
  size_t base = 0;
  while (base < bytes.size()) {
    const int32_t len = static_cast<int32_t>(std::min(bytes.size() - base, kWindow));
    const uint8_t* s = Bytes(bytes) + base;
    int32_t i = 0;
    while (i < len) {
      if (s[i] < 0x80) {
        ++i;
        // ASCII eight bytes at a time (no byte with its high bit set).
        uint64_t word;
        while (i + 8 <= len && (std::memcpy(&word, s + i, 8), (word & kHighBits) == 0)) i += 8;
        continue;
      }
      const int32_t start = i;
      UChar32 c;
      U8_NEXT(s, i, len, c);
      if (c < 0) {
        // A sequence cut by the window end is re-read from the next window.
        if (start + U8_MAX_LENGTH > len && base + len < bytes.size()) {
          i = start;
          break;
        }
        return base + start;
      }
    }
    base += i;
  }
  return std::nullopt;
}

size_t Utf8SequenceLength(absl::string_view bytes, size_t i) {
  if (i >= bytes.size()) return 0;
  const int32_t len = static_cast<int32_t>(std::min(bytes.size() - i, size_t{U8_MAX_LENGTH}));
  const uint8_t* s = Bytes(bytes) + i;
  int32_t n = 0;
  UChar32 c;
  U8_NEXT(s, n, len, c);
  return c < 0 ? 0 : static_cast<size_t>(n);
}

std::string ReplaceInvalidUtf8(absl::string_view bytes, size_t* replaced) {
  size_t count = 0;
  std::optional<size_t> bad = FindInvalidUtf8(bytes);
  if (!bad.has_value()) {
    if (replaced != nullptr) *replaced = 0;
    return std::string(bytes);
  }
  std::string out(bytes.substr(0, *bad));
  out.reserve(bytes.size() + 8);
  for (size_t i = *bad; i < bytes.size();) {
    const uint8_t b = Bytes(bytes)[i];
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    // U8_NEXT stops after the maximal subpart of an ill-formed sequence, which is
    // exactly the unit one U+FFFD replaces.
    const int32_t len =
        static_cast<int32_t>(std::min(bytes.size() - i, size_t{U8_MAX_LENGTH}));
    int32_t n = 0;
    UChar32 c;
    U8_NEXT(Bytes(bytes) + i, n, len, c);
    if (c < 0) {
      out.append("\xEF\xBF\xBD");
      ++count;
    } else {
      out.append(bytes.data() + i, static_cast<size_t>(n));
    }
    i += static_cast<size_t>(n);
  }
  if (replaced != nullptr) *replaced = count;
  return out;
}

}  // namespace newsd
