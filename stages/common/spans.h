// Span helpers: building Article.text with code point spans, checking spans, and
// mapping between UTF-16 (ICU) offsets and code point offsets.
//
// Every span here is a newsd.v1.Span: a half-open [begin, end) range of Unicode
// code points into Article.text (see proto/newsd/v1/article.proto).
#ifndef NEWSD_STAGES_COMMON_SPANS_H_
#define NEWSD_STAGES_COMMON_SPANS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newsd/v1/article.pb.h"
#include "unicode/unistr.h"

namespace newsd::stages {

// Returns a Span [begin, end) (code points).
v1::Span MakeSpan(uint32_t begin, uint32_t end);

// Builds a UTF-8 text piece by piece and returns each piece's code point span.
//
//   TextBuilder b;
//   v1::Span head = b.Append("Title");   // [0, 5)
//   b.Append("\n\n");
//   v1::Span para = b.Append("Body.");   // [7, 12)
class TextBuilder {
 public:
  // Appends well-formed UTF-8 `utf8`; returns its span in the text built so far.
  v1::Span Append(absl::string_view utf8);

  // Code points appended so far.
  uint32_t size_code_points() const { return code_points_; }
  const std::string& text() const { return text_; }
  // Moves the text out; the builder is empty afterwards.
  std::string Release();

 private:
  std::string text_;
  uint32_t code_points_ = 0;
};

// OK if `span` lies within a text of `text_code_points` code points and
// begin <= end; otherwise kInvalidArgument "<what> [b, e) out of range for text
// of N code points" (or "... has begin > end").
absl::Status CheckSpan(const v1::Span& span, uint32_t text_code_points,
                       absl::string_view what);

// The bytes of well-formed UTF-8 `text` covered by `span` (code points).
// Errors: kInvalidArgument if the span is inverted or out of range.
absl::StatusOr<absl::string_view> SpanText(absl::string_view text, const v1::Span& span);

// Maps offsets between UTF-16 code units and code points of one UTF-16 string.
// Costs nothing for text without supplementary-plane characters (the usual case);
// otherwise O(number of surrogate pairs) memory and O(log pairs) per lookup.
class Utf16CodePointMap {
 public:
  explicit Utf16CodePointMap(const icu::UnicodeString& text);

  // Code point offset of UTF-16 offset `utf16` (0..length). An offset between
  // the two halves of a surrogate pair maps to the code point after the pair.
  uint32_t ToCodePoint(int32_t utf16) const;
  // UTF-16 offset of code point offset `cp` (0..code_points()).
  int32_t ToUtf16(uint32_t cp) const;
  uint32_t code_points() const { return code_points_; }

 private:
  // UTF-16 offset of the lead surrogate of every surrogate pair, ascending.
  std::vector<int32_t> pair_utf16_;
  // Code point offset of every surrogate pair's code point, ascending.
  std::vector<uint32_t> pair_cp_;
  uint32_t code_points_ = 0;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_COMMON_SPANS_H_
