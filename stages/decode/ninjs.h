// ninjs (FORMAT_NINJS): IPTC News in JSON, versions 1.0–1.6, 2.0–2.2 and 3.0–3.1
// (https://iptc.org/standards/ninjs/; property names are lowercase up to 2.x and
// camelCase from 3.0, so names are matched case-insensitively).
#ifndef NEWSD_STAGES_DECODE_NINJS_H_
#define NEWSD_STAGES_DECODE_NINJS_H_

#include "absl/status/statusor.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes one ninjs object (nlohmann::json, after a SAX pre-pass that enforces
// limits.json_max_depth):
//  * uri → wire.guid; version (string or number) → version; versioncreated,
//    firstcreated, embargoed; pubstatus; urgency (number or string); slugline;
//    language → declared_language; located → wire.located; keywords;
//  * headline: "headline", else the "headlines" entry with role "main" (else the
//    first), else "title";
//  * body: the first "bodies" entry whose contentType is HTML/XHTML (paragraphs of
//    the HTML), else the first text one (blank-line paragraphs); ninjs 1.x
//    body_html / body_xhtml / body_text likewise; without a body, the
//    "descriptions" / description_text (captions of pictures and video);
//  * byline: "byline", else "by" (a string or a list of {name});
//  * subjects / subject: "uri" (a qcode or URI) → subjects, else "scheme:code" →
//    subjects, else "name" → keywords.
// Tolerant: a property of the wrong type or null is ignored (flag
// "ninjs_field_ignored"); unknown properties are ignored.
// Errors: kInvalidArgument "ninjs: invalid JSON at byte N: <parser message>";
// "ninjs: top-level value is not an object"; charset errors; kResourceExhausted
// "ninjs: JSON nested deeper than N levels (json_max_depth)".
absl::StatusOr<DecodedItems> DecodeNinjs(const DecodeInput& input);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_NINJS_H_
