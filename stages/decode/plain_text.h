// Plain-text items (FORMAT_PLAIN_TEXT).
#ifndef NEWSD_STAGES_DECODE_PLAIN_TEXT_H_
#define NEWSD_STAGES_DECODE_PLAIN_TEXT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes a plain-text item: bytes to UTF-8 as charset.h describes (BOM, declared
// charset, detection, U+FFFD replacement); CR LF and CR end lines.
//  * The first non-blank line is the headline, unless it is longer than 300 code
//    points or holds two sentences or more (two ".", "!" or "?" ending sentences,
//    the last one possibly ending the line, abbreviations and initials not
//    counted: CountSentenceEnds in headline.h; "Lavrov met Kerry on Thursday.
//    They discussed Syria." is a one-line article), or it opens with a dateline
//    (after an optional alert label: "WASHINGTON (AP) — The Senate voted ...",
//    "FLASH: GENEVA, Sept 12 (Reuters) - ...") or the next line continues its
//    sentence (a soft-wrapped first paragraph: the line has 40 code points or
//    more and the next one starts with a lower-case letter, or the line ends with
//    ",", ";", a hyphen after a letter or a word such as "the", "of", "and").
//    Then the item has no headline (flag "headline_missing", or a headline made
//    from the first sentence for an alert: see AssembleArticle in document.h) and
//    that line starts the body.
//  * The remaining lines are the body: if blank lines separate body lines, each
//    blank-line separated block is a paragraph (its lines joined with one space);
//    otherwise every non-blank line is a paragraph, except that a line continuing
//    the one before (as above) joins it. Lines are trimmed.
//  * A first body paragraph that is a short "By ..." line (at most 10 words, not
//    ending like a sentence) followed by more paragraphs is the byline; it is
//    removed from the body.
//  * A dateline ("GENEVA, Sept 12 (Reuters) - ...", with a date or an agency) at
//    the start of the first paragraph fills the dateline, which stays in the text
//    (found by AssembleArticle).
//  * Control characters other than TAB/LF/CR/VT/FF are removed (flag
//    "control_chars_removed").
// Errors (kInvalidArgument): charset errors from DecodeToUtf8 ("invalid UTF-8: N
// ill-formed sequences in M code points (first at byte B)", "unknown charset 'X'").
absl::StatusOr<DecodedDocument> DecodePlainText(const DecodeInput& input);

// The paragraphs of a plain-text body in well-formed UTF-8 (CR LF and CR end
// lines): blank-line separated blocks (lines joined with one space) if a blank line
// separates two non-blank lines, else one paragraph per non-blank line (a
// soft-wrapped line's continuation joining it, as in DecodePlainText); trimmed.
// Used for ninjs body_text and NewsML-G2 inlineData.
std::vector<std::string> SplitTextParagraphs(absl::string_view text);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_PLAIN_TEXT_H_
