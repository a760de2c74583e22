#include "stages/decode/decode.h"

#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/decode/document.h"
#include "stages/decode/formats.h"

namespace newsd::stages {
namespace {

// How much of the payload the control-character heuristic samples.
constexpr size_t kBinarySampleBytes = 8192;

// A text never starts with many raw control characters; binary data does.
absl::Status CheckNotBinary(absl::string_view payload) {
  if (const void* nul = std::memchr(payload.data(), '\0', payload.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "binary content: NUL byte at byte ", static_cast<const char*>(nul) - payload.data()));
  }
  const absl::string_view sample = payload.substr(0, kBinarySampleBytes);
  size_t controls = 0;
  for (const unsigned char c : sample) {
    controls += (c < 0x20 && !absl::ascii_isspace(c)) || c == 0x7F;
  }
  if (controls * 10 > sample.size()) {
    return absl::InvalidArgumentError(absl::StrCat("binary content: ", controls, " of the first ",
                                                   sample.size(),
                                                   " bytes are control characters"));
  }
  return absl::OkStatus();
}

// UTF-16 and UTF-32 (with or without byte order suffix), UCS-2, UCS-4.
bool IsWideCharset(absl::string_view charset) {
  return absl::StartsWithIgnoreCase(charset, "utf-16") ||
         absl::StartsWithIgnoreCase(charset, "utf-32") ||
         absl::StartsWithIgnoreCase(charset, "ucs-");
}

}  // namespace

absl::Status DecodeStage::Process(v1::Article& article, const StageContext& ctx) const {
  if (ctx.payload_is_null) return absl::InvalidArgumentError("null value (tombstone)");
  const absl::string_view payload = ctx.payload;
  if (payload.size() > options_.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "value of ", payload.size(), " bytes exceeds max_bytes (", options_.max_bytes, ")"));
  }
  if (payload.empty()) return absl::InvalidArgumentError("empty value");
  if (absl::StripAsciiWhitespace(payload).empty()) {
    return absl::InvalidArgumentError("whitespace-only value");
  }
  DecodeInput input;
  input.payload = payload;
  input.content_type = ParseContentType(article.source().content_type());
  // NUL bytes are text in UTF-16/32, whose converters validate the bytes instead.
  if (!IsWideCharset(input.content_type.charset)) {
    if (absl::Status s = CheckNotBinary(payload); !s.ok()) return s;
  }
  absl::StatusOr<const FormatSpec*> format = SelectFormat(payload, input.content_type);
  if (!format.ok()) return format.status();
  if ((*format)->decode == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat((*format)->name, " is not supported yet"));
  }
  absl::StatusOr<DecodedDocument> doc = (*format)->decode(input);
  if (!doc.ok()) return doc.status();
  return AssembleArticle(*std::move(doc), article);
}

}  // namespace newsd::stages
