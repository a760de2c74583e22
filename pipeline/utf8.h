// UTF-8 validation and repair for the engine, built on ICU's U8_NEXT (unicode/utf8.h).
//
// Every proto3 `string` field must hold well-formed UTF-8: libprotobuf logs an error
// when serializing anything else, and readers in other languages (Python, Java)
// refuse to parse the whole message. Strings that come from outside newsd (Kafka
// header values, keys, stage error messages quoting input) pass through here before
// they reach a `string` field or a header a reader decodes as text.
//
// "Ill-formed" is the Unicode standard's definition (Unicode 15 §3.9, D92): overlong
// forms, surrogates (U+D800..U+DFFF), values above U+10FFFF and truncated sequences.
#ifndef NEWSD_PIPELINE_UTF8_H_
#define NEWSD_PIPELINE_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace newsd {

// Byte offset of the first ill-formed UTF-8 sequence in `bytes`, or std::nullopt if
// `bytes` is entirely well-formed. A leading ASCII run is skipped fast; inputs over
// 2^31 bytes are handled (walked in windows, since ICU indexes with int32_t).
std::optional<size_t> FindInvalidUtf8(absl::string_view bytes);

// `bytes` with every ill-formed sequence replaced by U+FFFD, one replacement per
// maximal subpart (Unicode §3.9 "U+FFFD Substitution of Maximal Subparts", the
// practice of the WHATWG Encoding Standard). `*replaced` (if not null) receives the
// number of replacements; well-formed input is returned unchanged.
std::string ReplaceInvalidUtf8(absl::string_view bytes, size_t* replaced = nullptr);

// Length in bytes (1..4) of the well-formed sequence starting at `bytes[i]`, or 0 if
// the sequence there is ill-formed (or `i` is at or past the end).
size_t Utf8SequenceLength(absl::string_view bytes, size_t i);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_UTF8_H_
