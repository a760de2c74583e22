// ninjs (FORMAT_NINJS): IPTC News in JSON, versions 1.0–1.6, 2.0–2.2 and 3.0–3.1
// (https://iptc.org/standards/ninjs/; property names are lowercase up to 2.x and
// camelCase from 3.0, so names are matched case-insensitively).
#ifndef NEWSD_STAGES_DECODE_NINJS_H_
#define NEWSD_STAGES_DECODE_NINJS_H_

#include "absl/status/statusor.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes a ninjs item, or a collection of items (a JSON array of ninjs objects,
// one article each, at most limits.max_items: flag "items_truncated"; entries
// that are not objects are skipped: flag "items_skipped"), with nlohmann::json
// after a SAX pre-pass that enforces limits.json_max_depth. Per object:
//  * uri, else guid → wire.guid; version (string or number) → version;
//    versioncreated, firstcreated, embargoed (3.x: embargoedUntil) as wire
//    date-time text (wire_time.h ParseWireTime), or as a Unix time in seconds or
//    milliseconds (a JSON number, or a string of 10 or 13 digits; a magnitude of
//    1e11 or more is milliseconds), within IsPlausibleWireTime (1900-01-01 to
//    2200-01-01, UTC); any other present, non-null value (a blank string,
//    true, an array, an object, a number out of range) is unreadable: flag
//    "date_unparsed" for the dates (the date is not used), "embargo_unparsed"
//    for an embargo (the decode stage rejects the item, decode.h);
//    published_at = versioncreated, else firstcreated; pubstatus; urgency (number
//    or string); slugline; language → declared_language (BCP 47 form is set by
//    AssembleArticle); located → wire.located;
//  * headline: "headline", else the "headlines" entry with role "main" (else the
//    first), else "title";
//  * body: the "bodies" entry whose contentType (or role) names HTML/XHTML, else
//    one holding a <nitf> document, else a plain text one, else any other (text
//    holding markup, or declared NITF that is not); else the first non-blank of
//    body_html, body_xhtml, body_nitf, body_text; without a body, "descriptions"
//    likewise, then description_html / description_xhtml / description_text
//    (captions of pictures and video). A candidate that yields no text (markup
//    such as "<p></p>" or only <script>/<style>) gives way to the next one, in
//    this order (the "bodies"/"descriptions" entries best rank first). A value may be a string or an array of
//    strings (one block of paragraphs each). Its content decides
//    how it is read: a <nitf> document as nitf.h reads it (ReadNitfBody; its
//    byline, dateline and docdata fill what the ninjs item lacks), HTML/XHTML
//    (also markup in a "text" body) as html.h reads a page body (ReadHtmlBody;
//    a DOCTYPE internal subset "[...]" before the root is dropped, not read as
//    text), text as blank-line paragraphs. A markup body whose DOCTYPE declares
//    an entity (<!ENTITY>) rejects the whole message, as a standalone XML item
//    is rejected (markup.h);
//  * byline: "byline", else "bylines" (AP: [{"by", "title"}]), else "by" — each
//    a string, an object with "name" (or "by", and "title") or an array of them,
//    joined with ", ";
//  * subjects / subject (an array, or one object): "uri" or "qcode" (a qcode or
//    URI) → subjects, else "scheme:code" → subjects, else "name" → keywords; a
//    string entry is a subject when it is one token with ":" ("medtop:04000000"),
//    else a keyword; keywords: an array of strings (or {"name"}) or one
//    comma-separated string.
// Tolerant: a property of the wrong type or null is ignored (flag
// "ninjs_field_ignored"); unknown properties are ignored.
// Errors: kInvalidArgument "ninjs: invalid JSON at byte N: <parser message>";
// "ninjs: top-level value is neither an object nor an array of objects"; "ninjs:
// empty collection (a JSON array without items)"; "XML entity declaration
// <!ENTITY x> rejected (DTD entities are disabled)" (a markup body); charset
// errors; kResourceExhausted "ninjs: JSON nested deeper than N levels
// (json_max_depth)".
absl::StatusOr<DecodedItems> DecodeNinjs(const DecodeInput& input);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_NINJS_H_
