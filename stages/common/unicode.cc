#include "stages/common/unicode.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "unicode/bytestream.h"
#include "unicode/normalizer2.h"
#include "unicode/stringpiece.h"
#include "unicode/uchar.h"
#include "unicode/ucnv.h"
#include "unicode/unistr.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

// ICU's UTF-8 macros index with int32_t; longer inputs are walked in windows.
constexpr size_t kWindow = size_t{1} << 30;

const uint8_t* Bytes(absl::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

bool IsKeptControl(UChar32 c) {
  return c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

}  // namespace

size_t CountCodePoints(absl::string_view utf8) {
  // In well-formed UTF-8 every code point has exactly one non-continuation byte.
  size_t n = 0;
  for (const uint8_t b : absl::string_view(utf8)) {
    n += !U8_IS_TRAIL(b);
  }
  return n;
}

size_t CodePointToByteOffset(absl::string_view utf8, size_t cp) {
  size_t seen = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    if (!U8_IS_TRAIL(static_cast<uint8_t>(utf8[i]))) {
      if (seen == cp) return i;
      ++seen;
    }
  }
  return utf8.size();
}

std::optional<absl::string_view> CodePointSubstr(absl::string_view utf8, size_t begin,
                                                 size_t end) {
  if (begin > end) return std::nullopt;
  const size_t b = CodePointToByteOffset(utf8, begin);
  const size_t e = b + CodePointToByteOffset(utf8.substr(b), end - begin);
  if (e == utf8.size() && CountCodePoints(utf8.substr(b)) < end - begin) {
    return std::nullopt;
  }
  return utf8.substr(b, e - b);
}

size_t CodePointCursor::ByteOffset(size_t cp) {
  if (cp < cp_) cp_ = byte_ = 0;
  while (cp_ < cp && byte_ < text_.size()) {
    ++byte_;
    while (byte_ < text_.size() && U8_IS_TRAIL(static_cast<uint8_t>(text_[byte_]))) ++byte_;
    ++cp_;
  }
  return byte_;
}

std::optional<absl::string_view> CodePointCursor::Substr(size_t begin, size_t end) {
  if (begin > end) return std::nullopt;
  const size_t b = ByteOffset(begin);
  const size_t e = ByteOffset(end);
  if (cp_ < end) return std::nullopt;  // ran out of text
  return text_.substr(b, e - b);
}

bool IsNonAsciiUnicodeWhitespace(UChar32 c) { return u_isUWhiteSpace(c); }

absl::string_view TrimWhitespace(absl::string_view utf8) {
  // The *_UNSAFE macros are plain pointer arithmetic: any index type works.
  const uint8_t* s = Bytes(utf8);
  const int64_t len = static_cast<int64_t>(utf8.size());
  int64_t begin = 0;
  while (begin < len) {
    int64_t next = begin;
    UChar32 c;
    U8_NEXT_UNSAFE(s, next, c);
    if (!IsUnicodeWhitespace(c)) break;
    begin = next;
  }
  int64_t end = len;
  while (end > begin) {
    int64_t prev = end;
    UChar32 c;
    U8_PREV_UNSAFE(s, prev, c);
    if (!IsUnicodeWhitespace(c)) break;
    end = prev;
  }
  return utf8.substr(begin, end - begin);
}

bool IsBlank(absl::string_view utf8) { return TrimWhitespace(utf8).empty(); }

std::string CollapseWhitespace(absl::string_view utf8) {
  const absl::string_view trimmed = TrimWhitespace(utf8);
  std::string out;
  out.reserve(trimmed.size());
  const uint8_t* s = Bytes(trimmed);
  const int64_t len = static_cast<int64_t>(trimmed.size());
  bool in_space = false;
  for (int64_t i = 0; i < len;) {
    const int64_t start = i;
    UChar32 c;
    U8_NEXT_UNSAFE(s, i, c);
    if (IsUnicodeWhitespace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.append(trimmed.data() + start, i - start);
  }
  return out;
}

size_t RemoveControlCharacters(std::string* utf8) {
  std::string& s = *utf8;
  size_t out = 0;
  size_t removed = 0;
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const int64_t len = static_cast<int64_t>(s.size());
  for (int64_t i = 0; i < len;) {
    if (const uint8_t b = bytes[i]; b < 0x80) {
      // ASCII inline: its controls (general category Cc) are 0x00-0x1F and 0x7F.
      if ((b < 0x20 || b == 0x7F) && !IsKeptControl(b)) {
        ++removed;
      } else {
        s[out++] = static_cast<char>(b);
      }
      ++i;
      continue;
    }
    const int64_t start = i;
    UChar32 c;
    U8_NEXT_UNSAFE(bytes, i, c);
    if (u_charType(c) == U_CONTROL_CHAR && !IsKeptControl(c)) {
      ++removed;
      continue;
    }
    for (int64_t k = start; k < i; ++k) s[out++] = s[k];
  }
  s.resize(out);
  return removed;
}

absl::StatusOr<std::string> NormalizeNfc(absl::string_view utf8) {
  if (utf8.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError("text of 2 GiB or more cannot be NFC-normalized");
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) {
    return absl::InternalError(
        absl::StrCat("ICU NFC normalizer unavailable: ", u_errorName(status)));
  }
  const icu::StringPiece piece(utf8.data(), static_cast<int32_t>(utf8.size()));
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) {
    return std::string(utf8);
  }
  status = U_ZERO_ERROR;
  std::string out;
  out.reserve(utf8.size() + utf8.size() / 8);
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) {
    return absl::InternalError(
        absl::StrCat("ICU NFC normalization failed: ", u_errorName(status)));
  }
  return out;
}

bool IsUtf8Charset(absl::string_view charset) {
  std::string name = absl::AsciiStrToLower(charset);
  name.erase(std::remove_if(name.begin(), name.end(),
                            [](char c) { return c == '-' || c == '_'; }),
             name.end());
  return name == "utf8" || name == "usascii" || name == "ascii";
}

absl::StatusOr<std::string> ConvertToUtf8(absl::string_view bytes,
                                          absl::string_view charset) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX) / 2) {
    return absl::InvalidArgumentError("text of 1 GiB or more cannot be converted");
  }
  const std::string name(charset);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(name.c_str(), &status));
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown charset '", charset, "'"));
  }
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr,
                      &status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat("ICU converter setup failed for '", charset,
                                            "': ", u_errorName(status)));
  }
  icu::UnicodeString utf16;
  const char* source = bytes.data();
  const char* const source_begin = source;
  const char* const source_limit = bytes.data() + bytes.size();
  UChar buffer[4096];
  for (;;) {
    UChar* target = buffer;
    status = U_ZERO_ERROR;
    ucnv_toUnicode(conv.get(), &target, buffer + std::size(buffer), &source, source_limit,
                   nullptr, /*flush=*/true, &status);
    utf16.append(buffer, static_cast<int32_t>(target - buffer));
    if (status == U_BUFFER_OVERFLOW_ERROR) continue;
    if (U_FAILURE(status)) {
      char invalid[32];
      int8_t invalid_len = sizeof(invalid);
      UErrorCode ignored = U_ZERO_ERROR;
      ucnv_getInvalidChars(conv.get(), invalid, &invalid_len, &ignored);
      const size_t at = static_cast<size_t>(source - source_begin) -
                        static_cast<size_t>(U_SUCCESS(ignored) ? invalid_len : 0);
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ", charset, " byte sequence at byte ", at));
    }
    break;
  }
  std::string out;
  utf16.toUTF8String(out);
  return out;
}

void AppendUtf8(UChar32 c, std::string* out) {
  char buf[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  out->append(buf, n);
}

UChar32 FoldTypographic(UChar32 c) {
  switch (c) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x02BC:
      return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x00AB:
    case 0x00BB:
      return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x2212:
      return '-';
    case 0x2026:
      return '.';
    default:
      return c;
  }
}

std::string FoldTypography(absl::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  const uint8_t* s = Bytes(utf8);
  const int64_t len = static_cast<int64_t>(utf8.size());
  for (int64_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT_UNSAFE(s, i, c);
    AppendUtf8(FoldTypographic(c), &out);
  }
  return out;
}

}  // namespace newsd::stages
