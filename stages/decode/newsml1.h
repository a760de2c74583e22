// NewsML 1.x (FORMAT_NEWSML_1): IPTC NewsML 1.2 (DTD "NewsML_1.2.dtd"), as sent by
// Business Wire and older agency feeds.
#ifndef NEWSD_STAGES_DECODE_NEWSML1_H_
#define NEWSD_STAGES_DECODE_NEWSML1_H_

#include "absl/status/statusor.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes a <NewsML> document into one article per <NewsItem> (at most
// limits.max_items, flag "items_truncated"):
//  * Identification/NewsIdentifier: PublicIdentifier → wire.guid (else
//    "urn:newsml:<ProviderId>:<DateId>:<NewsItemId>"), RevisionId → version,
//    ProviderId → provider (NewsEnvelope/SentFrom/Party@FormalName when present);
//  * NewsManagement: FirstCreated, ThisRevisionCreated (→ version_created and
//    published_at), Status@FormalName → pub_status, Urgency@FormalName → urgency;
//  * the first NewsLines in document order: HeadLine → headline, DateLine → dateline
//    place (parsed as a dateline when it is one), SlugLine → slugline, ByLine →
//    byline, CreditLine → credits;
//  * DescriptiveMetadata/Language@FormalName → declared_language;
//    SubjectCode/*@FormalName → subjects "subj:<code>"; Metadata/Property with a
//    FormalName ending in "Keywords" → keywords;
//  * body: the ContentItems of the NewsComponent whose Role FormalName is "Body"
//    (or "Main"), else of every NewsComponent whose MimeType is text/* or
//    application/xhtml+xml, except the HeadLine/SubHeadLine/StyleSheet/Contact
//    roles; XHTML DataContent gives block paragraphs, text DataContent lines.
// Errors (kInvalidArgument): "NewsML 1: no NewsItem"; XML and charset errors.
absl::StatusOr<DecodedItems> DecodeNewsMl1(const DecodeInput& input);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_NEWSML1_H_
