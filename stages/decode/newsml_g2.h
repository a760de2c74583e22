// NewsML-G2 2.x (FORMAT_NEWSML_G2): IPTC NewsML-G2 Specification 2.x and the
// NewsML-G2 Guidelines (https://iptc.org/std/NewsML-G2/guidelines/).
#ifndef NEWSD_STAGES_DECODE_NEWSML_G2_H_
#define NEWSD_STAGES_DECODE_NEWSML_G2_H_

#include "absl/status/statusor.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes a NewsML-G2 document into one article per item:
//  * <newsMessage> (Guidelines ch. 19 "Exchanging News: News Message"): every item
//    of header-less itemSet, in order, at most limits.max_items (flag
//    "items_truncated" on the first article); an empty itemSet is an error;
//  * <newsItem>: one article; a <contentSet> fragment as root: one article without
//    metadata;
//  * items that are not news: <conceptItem> (kind "newsml_g2_concept"),
//    <knowledgeItem> ("newsml_g2_knowledge"), <catalogItem> and <catalog>
//    ("newsml_g2_catalog"), <planningItem> ("newsml_g2_planning"), <packageItem>
//    and a package's bare <groupSet> ("newsml_g2_package"): a DecodedDocument with
//    only not_article_kind, not_article_reason ("NewsML-G2 conceptItem \"<guid>\"
//    is not news: it describes one concept (...)") and wire.guid, which
//    DecodeStage skips (decode.h, option not_articles).
// Per item (Specification "Item Metadata" / "Content Metadata" sections):
//  * @guid → wire.guid, @version → version, @xml:lang → declared_language
//    (contentMeta/language@tag when given);
//  * itemMeta: provider (name, else @literal, else the qcode's code: "nprov:REUTERS"
//    → "REUTERS"), versionCreated, firstCreated, embargoed → embargo_until,
//    pubStatus@qcode ("stat:usable|withheld|canceled"), signal@qcode → signals,
//    service/name → scopes, title (headline fallback);
//  * contentMeta: urgency, slugline, headline (the first without @role or with
//    role "hlrole:main"), by → byline (else creator/name), dateline (parsed as a
//    textual dateline when it is one, else kept as the place), located/name with
//    its broader names → wire.located, subject@qcode → subjects, keyword →
//    keywords, description → body when the item has no content;
//  * contentSet: the first inlineXML holding NITF (read as nitf.h does), XHTML or
//    other XML (block paragraphs), else the first inlineData (plain text);
//    remoteContent (pictures, video) has no text;
//  * published_at: versionCreated, else firstCreated, else contentCreated.
// Errors (kInvalidArgument): "NewsML-G2: newsMessage has no items"; "NewsML-G2:
// unsupported root element <x>"; XML and charset errors from ParseXmlInput.
absl::StatusOr<DecodedItems> DecodeNewsMlG2(const DecodeInput& input);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_NEWSML_G2_H_
