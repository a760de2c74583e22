// Reuters-21578 SGML records (FORMAT_REUTERS_SGML), as in reut2-NNN.sgm of
// "Reuters-21578, Distribution 1.0" (lewis.dtd).
#ifndef NEWSD_STAGES_DECODE_REUTERS_SGML_H_
#define NEWSD_STAGES_DECODE_REUTERS_SGML_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes one <REUTERS ...>...</REUTERS> record (optionally preceded by the
// <!DOCTYPE lewis ...> line; nothing but white space may follow it):
//  * NEWID attribute → wire.guid "reuters21578-<NEWID>" (flag "guid_missing" if
//    absent); wire.provider "Reuters";
//  * <DATE> "26-FEB-1987 15:01:01.79" (read as UTC) → wire.version_created and the
//    item's publication time (flag "date_unparsed" if absent or malformed);
//  * <TOPICS><D>code</D>... → wire.subjects "reuters-topic:<code>";
//  * the "BC-..." slug in <UNKNOWN> → wire.slugline;
//  * <TITLE> → headline (white space collapsed); <AUTHOR> → byline;
//  * <DATELINE> + <BODY> → body: the dateline starts the first paragraph (and gets
//    a span); a paragraph starts at an indented line or after a blank line; wrapped
//    lines are joined with one space; dropped are the ETX (&#3;), "****" flash
//    markers before the dateline, and the "Reuter"/"REUTER" signoff (a last line
//    of its own, or the last word after a sentence end: "... May 23. REUTER").
//    TYPE="BRIEF" records have no body ("Blah blah blah." filler is ignored);
//    TYPE="UNPROC" records have no title and their whole <TEXT> is the body.
// SGML character references are decoded and control characters dropped. The
// record is UTF-8 unless the content type declares a charset; if it is not valid
// UTF-8 it is read as ISO-8859-1 (flag "charset_guessed").
// Errors (kInvalidArgument):
//  "not a Reuters SGML record: expected <REUTERS at byte N" (byte offsets here
//    count the UTF-8 text of the record);
//  "truncated Reuters SGML record: no </REUTERS>" (also when a second <REUTERS
//    starts before the first record ends);
//  "more than one Reuters SGML record in one value";
//  "unexpected content after </REUTERS> at byte N";
//  "unterminated <X> element in Reuters SGML record";
//  charset errors from PayloadToUtf8 / ConvertToUtf8.
absl::StatusOr<DecodedDocument> DecodeReutersSgml(const DecodeInput& input);

// Parses a Reuters-21578 <DATE> value: "D-MON-YYYY HH:MM:SS[.ff]" with optional
// leading white space and ignored trailing junk (some records have control
// characters there). The corpus gives no zone: the time is read as UTC.
// Returns std::nullopt for a malformed date ("31-MAR-1987 605:12:19.12").
std::optional<absl::Time> ParseReutersDate(absl::string_view value);

// Decodes SGML/XML character references in well-formed UTF-8 `text`: &lt; &gt;
// &amp; &quot; &apos; &#NN; &#xHH;. Unknown or unterminated references are kept
// verbatim; references to non-characters of Unicode (0, surrogates, > U+10FFFF)
// become U+FFFD.
std::string DecodeCharacterReferences(absl::string_view text);

// Splits wire body text into paragraphs: a paragraph starts at a line that begins
// with white space or after a blank line; a paragraph's lines are trimmed and
// joined with one space.
std::vector<std::string> SplitIndentedParagraphs(absl::string_view text);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_REUTERS_SGML_H_
