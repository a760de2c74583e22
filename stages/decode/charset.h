// Bytes → UTF-8 for every decoder: BOMs, declared charsets (Content-Type charset,
// XML encoding declaration, HTML meta charset), mislabelled declarations, legacy
// charset detection (ICU ucsdet) and lenient replacement of ill-formed UTF-8.
//
// Rules and their sources:
//  * A byte order mark wins over every declaration (WHATWG Encoding Standard §4.1
//    "decode"; XML 1.0 Appendix F.1). UTF-8, UTF-16LE/BE and UTF-32LE/BE BOMs are
//    recognized and removed.
//  * Otherwise the transport charset (Content-Type) wins over the in-document
//    declaration (RFC 7303 §3.2 for XML; HTML Living Standard §13.2.3.2 for HTML),
//    which wins over detection.
//  * The labels "iso-8859-1", "latin1", "us-ascii" and "ascii" mean windows-1252, as
//    in the WHATWG Encoding Standard's label table; bytes 0x80–0x9F then decode to
//    the windows-1252 punctuation (“ ” ‘ ’ – — € …), flag "charset_mislabelled".
//  * A declared single-byte or multi-byte legacy charset on bytes that are valid
//    UTF-8 and contain at least one multi-byte sequence is ignored: the bytes are
//    read as UTF-8 (flag "charset_mislabelled"). Valid multi-byte UTF-8 sequences
//    practically never occur by chance in legacy-encoded text.
//  * Undeclared (or declared UTF-8) bytes that are not valid UTF-8: if no valid
//    multi-byte UTF-8 sequence occurs and ICU's detector names a legacy charset
//    with confidence >= `min_detect_confidence` (0–100), the bytes are converted
//    from it (flag "charset_guessed"); else every ill-formed sequence becomes
//    U+FFFD (flag "invalid_utf8_replaced", maximal subparts as in Unicode §3.9
//    "U+FFFD Substitution of Maximal Subparts").
#ifndef NEWSD_STAGES_DECODE_CHARSET_H_
#define NEWSD_STAGES_DECODE_CHARSET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/utf8.h"

namespace newsd::stages {

// Where a charset declaration comes from, strongest first.
struct CharsetHints {
  // Content-Type charset parameter ("" if none).
  std::string transport;
  // Charset declared inside the document: XML encoding declaration or HTML
  // <meta charset> / <meta http-equiv="Content-Type">; "" if none.
  std::string document;
};

// Limits and thresholds of the conversion.
struct CharsetOptions {
  // ICU detector confidence (0–100) needed to convert undeclared non-UTF-8 bytes
  // from a detected legacy charset instead of replacing them with U+FFFD.
  int32_t min_detect_confidence = 40;
  // Largest share of the input's code points that may be replacement characters
  // for undeclared ill-formed UTF-8; above it the input is rejected as not text.
  double max_invalid_ratio = 0.2;
};

// The payload as well-formed UTF-8, BOM removed.
struct Utf8Text {
  std::string text;
  // The charset the bytes were read as ("UTF-8", "windows-1252", "Shift_JIS", ...).
  std::string charset;
  // Findings: "charset_mislabelled", "charset_guessed", "invalid_utf8_replaced",
  // "invalid_bytes_replaced" (a declared legacy charset had illegal sequences).
  std::vector<std::string> flags;
};

// Converts `bytes` to UTF-8 following the rules in the file comment.
// Errors (kInvalidArgument): "unknown charset 'X'" for a declared name ICU does not
// know; "invalid UTF-8: N ill-formed sequences in M code points (first at byte B)"
// when the ratio exceeds options.max_invalid_ratio; "input of 1 GiB or more".
absl::StatusOr<Utf8Text> DecodeToUtf8(absl::string_view bytes, const CharsetHints& hints,
                                      const CharsetOptions& options = {});

// The encoding named by an XML declaration at the start of `bytes`
// (`<?xml version="1.0" encoding="ISO-8859-1"?>`, after an optional UTF-8 BOM and
// white space), "" if there is none (XML 1.0 §4.3.3).
std::string XmlDeclaredEncoding(absl::string_view bytes);

// The charset named by the first <meta charset="X"> or
// <meta http-equiv="Content-Type" content="...; charset=X"> in the first 1024
// bytes of an HTML document (HTML Living Standard §13.2.3.2 "prescan"), "" if none.
std::string HtmlDeclaredCharset(absl::string_view bytes);

// True if `bytes` starts with a UTF-16 or UTF-32 byte order mark (then NUL bytes
// are text, not binary content).
bool HasWideBom(absl::string_view bytes);

// ReplaceInvalidUtf8 (every ill-formed sequence → U+FFFD, maximal subparts,
// Unicode §3.9): the engine's, see pipeline/utf8.h.
using ::newsd::ReplaceInvalidUtf8;

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_CHARSET_H_
