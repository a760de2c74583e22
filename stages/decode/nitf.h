// NITF 3.x documents (FORMAT_NITF): IPTC News Industry Text Format, DTD/XSD 3.0–3.6.
#ifndef NEWSD_STAGES_DECODE_NITF_H_
#define NEWSD_STAGES_DECODE_NITF_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libxml/tree.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes one <nitf> document (charset: charset.h; XML safety: markup.h):
//  * headline: body.head/hedline/hl1, else head/title;
//  * byline_text: body.head/byline text, its byttl (title) after ", "
//    ("By Alan Karben, NITF Network News Online");
//  * dateline: body.head/dateline — place = location text ("Newport News, VA"),
//    date = story.date text; else the dateline text as the place;
//  * paragraphs: body.content blocks (p, hl2, li, block ...); tables, media and
//    notes are not text; credits: body.end/tagline;
//  * head/docdata (NITF 3.x "docdata" element): doc-id@id-string → wire.guid
//    (doc-id@regsrc → wire.provider, else del-list/from-src@src-name);
//    management-status → pub_status; management-doc-idref / -idref-status →
//    wire.previous_guid / previous_status; urgency@ed-urg → urgency;
//    date.issue@norm → version_created; date.release@norm → embargo_until;
//    doc-scope@scope → scopes; key-list/keyword@key → keywords;
//    identified-content/* → identified_content ("location:23602" from the element
//    name and its text, else its value/location-code/idsrc attribute);
//    evloc → located ("Norfolk, VA, US"); du-key@version → version;
//  * head/tobject/tobject.subject@tobject.subject.refnum → subjects "subj:NNNNNNNN"
//    (IPTC Subject NewsCodes);
//  * published_at: date.release, else head/pubdata@date.publication, else date.issue;
//  * declared_language: xml:lang / lang of <nitf> or <body>.
// Errors (kInvalidArgument): "NITF: root element is <x>, expected <nitf>"; XML
// and charset errors from ParseXmlInput.
absl::StatusOr<DecodedItems> DecodeNitf(const DecodeInput& input);

// Fills `doc` from a <nitf> element as DecodeNitf does, without replacing fields
// the document already has (headline, byline, dateline, wire fields); body
// paragraphs are appended. Used for NITF carried inside NewsML-G2 inlineXML.
void ReadNitf(const xmlNode* nitf, const DecodeLimits& limits, DecodedDocument* doc);

// Parses `xml`, a NITF document carried as a string inside another format (a ninjs
// body_nitf or "bodies" value, in UTF-8; any encoding declaration is ignored), with
// ParseXml (markup.h: no DTD, no entities) and reads it with ReadNitf. Returns
// false, `doc` untouched, when `xml` is not well-formed or its root is not <nitf>.
bool ReadNitfBody(absl::string_view xml, const DecodeLimits& limits, DecodedDocument* doc);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_NITF_H_
