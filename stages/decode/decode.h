// The "decode" stage: turns the raw item bytes of a message into the Article's
// text, spans and metadata. It must be the first stage of the chain.
#ifndef NEWSD_STAGES_DECODE_DECODE_H_
#define NEWSD_STAGES_DECODE_DECODE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pipeline/stage.h"

namespace newsd::stages {

struct DecodeOptions {
  // Largest accepted value, in bytes (option "max_bytes", default 8 MiB).
  uint64_t max_bytes = uint64_t{8} << 20;
};

// Reads StageContext::payload and fills Article.format, text (NFC; headline,
// "\n\n", paragraphs joined by "\n\n"), headline and paragraph spans (code
// points), dateline, byline_text, wire, published_at, id (= wire.guid when the
// item has one) and flags. See document.h for how text and spans are laid out
// and formats.h for how the format is chosen (Content-Type header, then
// sniffing); plain_text.h and reuters_sgml.h describe the supported formats.
//
// Errors (the message becomes the dead-letter reason):
//   kInvalidArgument   "null value (tombstone)"; "empty value"; "whitespace-only
//                      value"; "binary content: NUL byte at byte N"; "binary
//                      content: N of the first M bytes are control characters"
//                      (both binary checks are skipped for a declared UTF-16/32
//                      charset); "invalid UTF-8 at byte N"; "unsupported markup
//                      document: root element <x>"; "<format> is not supported
//                      yet"; "no text: ..."; format-specific errors such as
//                      "truncated Reuters SGML record: no </REUTERS>";
//   kResourceExhausted "value of N bytes exceeds max_bytes (M)";
//   kInternal          ICU failure (normalization data missing).
// Thread-safe (no mutable state).
class DecodeStage final : public Stage {
 public:
  explicit DecodeStage(DecodeOptions options) : options_(options) {}

  absl::string_view name() const override { return "decode"; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

  const DecodeOptions& options() const { return options_; }

 private:
  DecodeOptions options_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_DECODE_H_
