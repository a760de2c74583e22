// Unicode helpers shared by stages, built on ICU: UTF-8 validation, code point
// counting and offsets, NFC normalization, whitespace trimming, control-character
// removal and charset conversion.
//
// Units: every `size_t` offset named `*_byte*` is a byte offset into a UTF-8
// string; every offset named `cp` / `*code_point*` counts Unicode code points
// (the unit of all spans in newsd.v1.Article). Functions taking "well-formed
// UTF-8" do not re-validate it: pass text through FindInvalidUtf8 (or a decoder
// that guarantees it) first.
#ifndef NEWSD_STAGES_COMMON_UNICODE_H_
#define NEWSD_STAGES_COMMON_UNICODE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/utf8.h"
#include "unicode/umachine.h"

namespace newsd::stages {

// FindInvalidUtf8 (byte offset of the first ill-formed UTF-8 sequence, or
// std::nullopt): the engine's, see pipeline/utf8.h.
using ::newsd::FindInvalidUtf8;

// Number of code points in well-formed UTF-8 `utf8`.
size_t CountCodePoints(absl::string_view utf8);

// Byte offset of code point number `cp` in well-formed UTF-8 `utf8`; utf8.size()
// when `cp` is at or past the end. O(cp).
size_t CodePointToByteOffset(absl::string_view utf8, size_t cp);

// The substring covering code points [begin, end) of well-formed UTF-8 `utf8`, or
// std::nullopt if begin > end or end is past the last code point. O(end).
std::optional<absl::string_view> CodePointSubstr(absl::string_view utf8, size_t begin,
                                                 size_t end);

// Maps code point offsets of one well-formed UTF-8 text to byte offsets by walking
// forward from the last answer: a sequence of non-decreasing queries costs
// O(text size) in all, where CodePointSubstr would cost O(offset) each. A query
// before the previous one restarts from the beginning. `utf8` must outlive it.
class CodePointCursor {
 public:
  explicit CodePointCursor(absl::string_view utf8) : text_(utf8) {}
  // Byte offset of code point `cp`; text size when `cp` is at or past the end.
  size_t ByteOffset(size_t cp);
  // Code points [begin, end), or std::nullopt if begin > end or end is past the end.
  std::optional<absl::string_view> Substr(size_t begin, size_t end);

 private:
  absl::string_view text_;
  size_t cp_ = 0;    // code point at byte_
  size_t byte_ = 0;
};

// True for code points with the Unicode White_Space property (ASCII space, TAB,
// LF, CR, FF, VT, NEL, NBSP, U+2000..U+200A, U+2028, U+2029, U+3000, ...).
// ASCII is answered inline (the same answers as ICU's u_isUWhiteSpace: tested).
bool IsNonAsciiUnicodeWhitespace(UChar32 c);
inline bool IsUnicodeWhitespace(UChar32 c) {
  if (c >= 0 && c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return IsNonAsciiUnicodeWhitespace(c);
}

// `utf8` without leading and trailing Unicode white space (see IsUnicodeWhitespace).
// `utf8` must be well-formed UTF-8.
absl::string_view TrimWhitespace(absl::string_view utf8);

// True if well-formed UTF-8 `utf8` is empty or only Unicode white space.
bool IsBlank(absl::string_view utf8);

// Replaces each maximal run of Unicode white space (including line breaks) in
// well-formed UTF-8 `utf8` with one ASCII space, and trims both ends.
std::string CollapseWhitespace(absl::string_view utf8);

// Removes control characters (general category Cc: U+0000..U+001F, U+007F,
// U+0080..U+009F) from well-formed UTF-8 `*utf8`, except TAB, LF, CR, VT and FF
// (which are white space). Returns the number of code points removed.
size_t RemoveControlCharacters(std::string* utf8);

// Unicode NFC of well-formed UTF-8 `utf8` (ICU Normalizer2, UTF-8 in and out;
// already-normalized text, the common case, is only checked and copied).
// Errors: kInvalidArgument for 2 GiB or more (ICU limit); kInternal if ICU fails
// (e.g. missing normalization data).
absl::StatusOr<std::string> NormalizeNfc(absl::string_view utf8);

// True if `charset` names UTF-8 or US-ASCII (case-insensitive, with or without
// dashes: "utf-8", "UTF8", "us-ascii", "ascii").
bool IsUtf8Charset(absl::string_view charset);

// Converts `bytes` encoded in `charset` (any name ICU knows: "ISO-8859-1",
// "windows-1252", "Shift_JIS", ...) to UTF-8.
// Errors (all kInvalidArgument): "unknown charset 'X'" for a name ICU does not
// know; "invalid X byte sequence at byte N" for bytes that are illegal in that
// charset; input of 1 GiB or more.
absl::StatusOr<std::string> ConvertToUtf8(absl::string_view bytes,
                                          absl::string_view charset);

// Appends code point `c` (a Unicode scalar value) to `out` as UTF-8.
void AppendUtf8(UChar32 c, std::string* out);

// The ASCII equivalent later stages match typographic punctuation with, one code
// point for one code point (so offsets stay valid): single quotes and apostrophes
// U+2018 U+2019 U+201A U+201B U+2032 U+02BC → '\''; double quotes U+201C U+201D
// U+201E U+201F U+2033 U+00AB U+00BB → '"'; hyphens and dashes U+2010–U+2015
// U+2212 → '-'; U+2026 (ellipsis) → '.'; any other `c` is returned unchanged.
// Article.text keeps the typographic characters (see the decode stage).
UChar32 FoldTypographic(UChar32 c);

// `utf8` (well-formed UTF-8) with FoldTypographic applied to every code point;
// the result has exactly as many code points as `utf8`.
std::string FoldTypography(absl::string_view utf8);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_COMMON_UNICODE_H_
