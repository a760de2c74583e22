// Plain-text items (FORMAT_PLAIN_TEXT).
#ifndef NEWSD_STAGES_DECODE_PLAIN_TEXT_H_
#define NEWSD_STAGES_DECODE_PLAIN_TEXT_H_

#include "absl/status/statusor.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes a plain-text item: UTF-8 unless the content type declares another
// charset (converted with ICU); a leading BOM is skipped; CR LF and CR end lines.
//  * The first non-blank line is the headline.
//  * The remaining lines are the body: if blank lines separate body lines, each
//    blank-line separated block is a paragraph (its lines joined with one space);
//    otherwise every non-blank line is a paragraph. Lines are trimmed.
//  * A first body paragraph that is a short "By ..." line (at most 10 words, not
//    ending like a sentence) followed by more paragraphs is the byline; it is
//    removed from the body.
//  * A dateline ("GENEVA, Sept 12 (Reuters) - ...", with a date or an agency) at
//    the start of the first paragraph fills the dateline, which stays in the text.
//  * Control characters other than TAB/LF/CR/VT/FF are removed (flag
//    "control_chars_removed").
// Errors (kInvalidArgument): "invalid UTF-8 at byte N" (byte offset into the
// payload); charset errors from PayloadToUtf8.
absl::StatusOr<DecodedDocument> DecodePlainText(const DecodeInput& input);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_PLAIN_TEXT_H_
