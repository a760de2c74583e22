// Syndication feeds: RSS 2.0 / RSS 1.0 (FORMAT_RSS) and Atom 1.0 (FORMAT_ATOM);
// one article per item / entry.
#ifndef NEWSD_STAGES_DECODE_FEEDS_H_
#define NEWSD_STAGES_DECODE_FEEDS_H_

#include "absl/status/statusor.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes an RSS document (RSS 2.0 Specification, rssboard.org; RSS 1.0 <rdf:RDF>)
// into one article per <item>, in order, at most limits.max_items (flag
// "items_truncated"):
//  * title → headline; guid → wire.guid (else link); link → wire.url;
//  * content:encoded (RSS Content module), else description: HTML → paragraphs;
//  * pubDate (RFC 822) or dc:date (W3CDTF) → published_at and version_created;
//  * author or dc:creator → byline; category → keywords;
//  * channel/title → provider; channel/language → declared_language.
// Errors (kInvalidArgument): "RSS: no item"; XML and charset errors.
absl::StatusOr<DecodedItems> DecodeRss(const DecodeInput& input);

// Decodes an Atom document (RFC 4287) — a <feed> (one article per <entry>, at most
// limits.max_items) or a lone <entry>:
//  * title → headline; id → wire.guid; link rel="alternate" (or without rel) →
//    wire.url; content (type "text", "html" or "xhtml", RFC 4287 §4.1.3), else
//    summary → paragraphs; published → first_created and published_at; updated →
//    version_created (and published_at when there is no published);
//    author/name → byline; category@label (else @term) → keywords; feed title →
//    provider; xml:lang → declared_language.
// Errors (kInvalidArgument): "Atom: no entry"; XML and charset errors.
absl::StatusOr<DecodedItems> DecodeAtom(const DecodeInput& input);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_FEEDS_H_
