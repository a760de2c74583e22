// The "decode" stage: turns the raw item bytes of a message into the Article's
// text, spans and metadata (one Article per news item; a message holding several
// items fans out through StageContext::more_articles). It must be the first stage
// of the chain.
//
// Formats (formats.h: chosen by the Content-Type header, else sniffed): plain
// text, Reuters-21578 SGML, NITF 3.x, NewsML-G2 2.x (newsItem, newsMessage, ...),
// NewsML 1.2, ninjs 1.x–3.x (items and collections), HTML pages, RSS 2.0/1.0,
// Atom 1.0. Each decoder's header documents its field mapping and sources.
//
// Options (StageConfig.options; register.cc validates them):
//   max_bytes               largest accepted value in bytes, 1..1073741824
//                           (default 8388608); see oversize
//   oversize                "reject" (default: kResourceExhausted, dead letter) or
//                           "truncate" (decode the first max_bytes bytes, flag
//                           "truncated")
//   max_text_bytes          bytes of Article.text kept, 1024..268435456 (default
//                           2097152); later paragraphs dropped, the one that does
//                           not fit cut at its last sentence end that fits and is
//                           not inside a quotation (else dropped; the first
//                           paragraph at a space), flag "truncated",
//                           Article.original_text_bytes (document.h)
//   max_paragraphs          paragraphs kept per article, 1..1000000 (default 5000);
//                           flag "truncated", Article.original_text_bytes
//   max_items               articles per message (fan-out), 1..100000 (default
//                           100); flag "items_truncated"
//   xml_max_depth           element nesting read, 8..256 (default 100); deeper
//                           content ignored, flag "xml_depth_limit"; libxml2
//                           rejects nesting beyond 256
//   json_max_depth          JSON nesting accepted, 2..1000 (default 64); deeper is
//                           kResourceExhausted
//   charset_min_confidence  ICU detector confidence 0..100 (default 40) needed to
//                           read undeclared non-UTF-8 bytes as a legacy charset
//   max_invalid_ratio       largest share 0..1 of replaced (U+FFFD) code points
//                           in undeclared ill-formed UTF-8 (default 0.2); above it
//                           the value is rejected as not text
//   not_articles            "skip" (default) or "dead_letter": what becomes of an
//                           input that is not an article (below)
//
// Inputs that are not articles: a null value (a Kafka tombstone, kind
// "tombstone"); a NewsML-G2 conceptItem ("newsml_g2_concept"), knowledgeItem
// ("newsml_g2_knowledge"), catalogItem or G2 <catalog> ("newsml_g2_catalog"),
// planningItem ("newsml_g2_planning"), packageItem or bare <groupSet>
// ("newsml_g2_package"). With not_articles "skip" the stage returns
// NotAnArticle(kind, reason) (pipeline/stage.h): no event, no dead letter, the
// offset committed, newsd_inputs_skipped_total{stage="decode",kind} counted; in a
// newsMessage that also holds articles, the articles are published and each other
// item is reported in StageContext::skipped_items (flag "items_skipped" when the
// caller collects none). With "dead_letter" such an input is kInvalidArgument
// (dead letter; "null value (tombstone)", "NewsML-G2 conceptItem \"<guid>\" is not
// news: it describes one concept (...)"), and such items beside articles are
// dropped with the flag "items_skipped".
//
// Flags (Article.flags, non-fatal findings): charset_guessed,
// charset_mislabelled, invalid_utf8_replaced, invalid_bytes_replaced,
// nul_bytes_removed (NUL bytes of a payload judged text removed before decoding;
// on every article of the message), mojibake_repaired, c1_controls_mapped,
// entities_decoded, spaces_normalized, invisible_chars_removed,
// bidi_controls_removed, control_chars_removed, stray_cr_normalized,
// noncharacters_replaced (U+FFFE, U+FDD0... → U+FFFD, text_cleanup.h), truncated,
// repeated_paragraphs_collapsed (more than 3 identical paragraphs in a row),
// items_truncated, items_skipped, more_items_dropped (fan-out unavailable), xml_depth_limit,
// ninjs_field_ignored, date_unparsed (a date that cannot be read or lies outside
// 1900-01-01..2200-01-01 UTC, wire_time.h; not used), guid_missing, headline_missing,
// headline_derived (an alert's first sentence made its headline, document.h), body_empty.
// An embargo time (NewsML-G2 embargoed, ninjs embargoed / embargoedUntil, NITF
// date.release) that cannot be parsed, lies outside that range or (ninjs) is
// present but not a date-time (a blank string, true, an array, an object) is not
// a flag but kInvalidArgument (dead letter; the decoders mark it with the
// internal flag "embargo_unparsed"): publishing the item at once could break its
// embargo.
#ifndef NEWSD_STAGES_DECODE_DECODE_H_
#define NEWSD_STAGES_DECODE_DECODE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pipeline/stage.h"
#include "stages/decode/document.h"

namespace newsd::stages {

struct DecodeOptions {
  // Largest accepted value, in bytes (option "max_bytes", default 8 MiB).
  uint64_t max_bytes = uint64_t{8} << 20;
  // What to do with a larger value (option "oversize"): reject it
  // (kResourceExhausted) or decode its first max_bytes bytes (flag "truncated").
  enum class Oversize { kReject, kTruncate };
  Oversize oversize = Oversize::kReject;
  // Parser limits (xml_max_depth, json_max_depth, max_items, charset thresholds).
  DecodeLimits limits;
  // Published text limits (max_text_bytes, max_paragraphs).
  TextLimits text;
  // What becomes of an input that is not an article (option "not_articles"):
  // skipped (NotAnArticle) or rejected (kInvalidArgument, dead letter).
  enum class NotArticles { kSkip, kDeadLetter };
  NotArticles not_articles = NotArticles::kSkip;
};

// Reads StageContext::payload and fills Article.format, text (NFC; headline,
// "\n\n", paragraphs joined by "\n\n"), headline and paragraph spans (code
// points), dateline, byline_text, credits, wire, published_at, id (= wire.guid
// when the item has one) and flags. See document.h for how text and spans are
// laid out and formats.h for how the format is chosen.
//
// Fan-out: the first item fills `article`; every further item is appended to
// ctx.more_articles as a complete Article (source copied, id = its guid, else
// "<article id>#<n>" with n = 2, 3, ..., the item's position in the message).
// Without ctx.more_articles only the first item is kept (flag
// "more_items_dropped"). An item without text is skipped (flag "items_skipped" on
// the first article) unless no item has text. Items that are not articles: see
// the option not_articles above.
//
// Not an article (not_articles "skip"): NotAnArticle("tombstone", "null value
// (tombstone)"); NotAnArticle("newsml_g2_concept", "NewsML-G2 conceptItem
// \"<guid>\" is not news: ...") and the like (the first item's, when a
// newsMessage holds nothing else; the others go to ctx.skipped_items).
// Errors (the message becomes the dead-letter reason):
//   kInvalidArgument   "null value (tombstone)" and the NewsML-G2 reasons above
//                      (not_articles "dead_letter"); "empty value"; "whitespace-only
//                      value"; "binary content: only NUL bytes"; "binary content:
//                      <kind> signature at byte N" (PNG, JPEG, GIF, PDF, ZIP/DOCX,
//                      gzip, ... magic numbers); "binary content: N of the first M
//                      bytes are control characters" (more than 10% of the first
//                      8 KiB are NUL, other C0 controls but white space, or DEL;
//                      trailing NUL padding is not counted; a declared UTF-16/32
//                      charset or BOM is converted first, its NUL bytes are
//                      text); "invalid UTF-8: N ill-formed sequences in
//                      M code points (first at byte B)"; "unsupported markup
//                      document: root element <x>"; "XML entity declaration
//                      <!ENTITY x> rejected (DTD entities are disabled)"; "XML not
//                      well-formed: ..."; "ninjs: invalid JSON at byte N: ...";
//                      "ninjs: empty collection (a JSON array without items)";
//                      "no text: ..."; format-specific errors such as
//                      "truncated Reuters SGML record: no </REUTERS>";
//   kResourceExhausted "value of N bytes exceeds max_bytes (M)" (oversize
//                      "reject"); "XML nesting deeper than 256 levels"; "ninjs:
//                      JSON nested deeper than N levels (json_max_depth)";
//   kInternal          ICU failure (normalization data missing).
// Thread-safe (no mutable state).
class DecodeStage final : public Stage {
 public:
  explicit DecodeStage(DecodeOptions options) : options_(options) {}

  absl::string_view name() const override { return "decode"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

  const DecodeOptions& options() const { return options_; }

 private:
  // NotAnArticle(kind, reason), or kInvalidArgument(reason) with not_articles
  // "dead_letter".
  absl::Status NotArticle(absl::string_view kind, absl::string_view reason) const;

  DecodeOptions options_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_DECODE_H_
