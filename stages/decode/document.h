// The format-neutral result of decoding one raw item, and its assembly into an
// Article. Every format decoder (plain text, Reuters SGML, NITF, NewsML-G2,
// NewsML 1.2, ninjs, HTML, RSS, Atom) produces one DecodedDocument per article;
// AssembleArticle then cleans the text (text_cleanup.h), finds credits and the
// dateline, and builds Article.text and all spans the same way for every format.
#ifndef NEWSD_STAGES_DECODE_DOCUMENT_H_
#define NEWSD_STAGES_DECODE_DOCUMENT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "newsd/v1/article.pb.h"
#include "stages/decode/charset.h"

namespace newsd::stages {

// A parsed Content-Type header value ("text/plain; charset=ISO-8859-1").
struct ContentType {
  // Media type in lowercase without parameters ("text/plain"); "" if absent.
  std::string media_type;
  // The charset parameter as given (quotes removed); "" if absent.
  std::string charset;
};

// Parses a Content-Type header value (RFC 9110 §8.3); never fails: a malformed
// value yields what could be read.
ContentType ParseContentType(absl::string_view header);

// Limits a format decoder enforces while parsing (options of the decode stage).
struct DecodeLimits {
  // Elements nested deeper than this are ignored (flag "xml_depth_limit"); XML
  // nested deeper than 256 levels is rejected by libxml2 (option "xml_max_depth").
  int xml_max_depth = 100;
  // JSON nested deeper than this is rejected with kResourceExhausted
  // (option "json_max_depth").
  int json_max_depth = 64;
  // Articles one message may fan out into (NewsML-G2 newsMessage, NewsML 1.2
  // NewsItems, ninjs collections, RSS items, Atom entries); the rest are dropped (flag
  // "items_truncated") (option "max_items").
  size_t max_items = 100;
  // Charset detection thresholds (options "charset_min_confidence",
  // "max_invalid_ratio").
  CharsetOptions charset;
};

// What a format decoder receives.
struct DecodeInput {
  // The item bytes (not empty, no NUL byte: DecodeStage converts a UTF-16/32
  // payload to UTF-8 first, rejects binary content and removes the NUL bytes of
  // text, flag "nul_bytes_removed").
  absl::string_view payload;
  ContentType content_type;
  DecodeLimits limits;
};

// Limits AssembleArticle enforces on the published text.
struct TextLimits {
  // Paragraphs kept; later ones are dropped (flag "truncated").
  size_t max_paragraphs = 5000;
  // Bytes of Article.text kept (flag "truncated"): paragraphs after the one that
  // crosses the limit are dropped; that one is cut at its last sentence end (ICU
  // sentence rules, UAX #29) that fits and does not end inside a quotation, or
  // dropped if none does; the first paragraph, when no sentence of it fits, at its
  // last space that fits (else a code point boundary), so that the body is not
  // empty. A headline alone longer than this is cut at a code point boundary.
  size_t max_text_bytes = size_t{2} << 20;
};

// The payload as strict UTF-8: converted with ICU when `charset` names another
// charset, otherwise validated as UTF-8 (DecodeToUtf8 in charset.h is the lenient
// variant the decoders use).
// Errors (kInvalidArgument): "invalid UTF-8 at byte N"; "unknown charset 'X'";
// "invalid X byte sequence at byte N".
absl::StatusOr<std::string> PayloadToUtf8(absl::string_view payload,
                                          absl::string_view charset);

struct DecodedDocument {
  v1::Format format = v1::FORMAT_UNSPECIFIED;
  // Headline as one line of well-formed UTF-8 (not yet NFC); "" if the item has none.
  std::string headline;
  // Body paragraphs in order, each one line of well-formed UTF-8 without leading
  // or trailing white space (not yet NFC). Blank paragraphs are dropped by
  // AssembleArticle.
  std::vector<std::string> paragraphs;
  // Dateline fields (place, date, agency); the span is set by AssembleArticle.
  v1::Dateline dateline;
  // When > 0, the dateline is the first `dateline_bytes` bytes of paragraphs[0]
  // and gets a span in the text. It must end at a normalization boundary (it ends
  // with a dash, so it does).
  size_t dateline_bytes = 0;
  // Byline verbatim ("By Janie Gabbett, Reuters"), "" if none; not part of the text.
  std::string byline;
  // Wire metadata carried by the item (guid, subjects, provider, ...).
  v1::Wire wire;
  // The item's own publication time, if it declares one.
  std::optional<absl::Time> published_at;
  // Non-fatal findings (snake_case), appended to Article.flags.
  std::vector<std::string> flags;
  // Credit lines already taken out of the body (NITF tagline, NewsML 1.2
  // CreditLine); AssembleArticle adds trailing "(Reporting by ...)" paragraphs.
  std::vector<std::string> credits;
  // True when headline and paragraphs come from markup (XML, HTML, JSON), so
  // character references left in them are double escaping to decode.
  bool from_markup = false;
  // Set when the item is not an article (a NewsML-G2 conceptItem, planningItem,
  // packageItem ...): what it is, as a snake_case kind ("newsml_g2_concept"; a
  // label value of newsd_inputs_skipped_total), and why, for logs. DecodeStage
  // skips such an item (pipeline/stage.h, NotAnArticle) or, with the option
  // not_articles "dead_letter", rejects it; the other fields but `format`,
  // `wire.guid` and `flags` are then left empty.
  std::string not_article_kind;
  std::string not_article_reason;
};

// All the articles of one message, in order (one for most formats).
using DecodedItems = std::vector<DecodedDocument>;

// Fills `article` from `doc`:
//  * headline and paragraphs are cleaned with CleanText (text_cleanup.h; entity
//    decoding when doc.from_markup), repairs flagged;
//  * labels and slug come off the headline (SplitHeadlineLabels, headline.h):
//    "UPDATE 2-RUGBY-All Blacks beat ..." → "All Blacks beat ...", their signals
//    ("sig:update", "wire:update-2") appended to wire.signals (no duplicates), the
//    slug to wire.slugline unless the item declares one (then it is dropped); a
//    headline that is only labels ("UPDATE 2-", "RUGBY-") leaves no headline;
//  * trailing credit paragraphs ("(Reporting by X; Editing by Y)", "X contributed
//    to this report.") and a credit parenthetical ending the last paragraph move
//    to Article.credits (Reuters and AP style guides' sign-off conventions);
//  * without a dateline span from the decoder, an alert label opening the first
//    paragraph ("FLASH: ", "URGENT - ", AlertLabelLength) is removed and becomes a
//    signal; then (except for Reuters SGML, whose dateline is declared) a textual
//    dateline at the start of the first paragraph ("GENEVA/BRUSSELS, Sept 12
//    (Reuters) -", "ASTANA, Kazakhstan (AP) —", see dateline.h) is recognized; its
//    fields fill the empty dateline fields (a declared dateline's place wins);
//  * an alert (an alert label on the headline or the body) without a headline
//    gets the first sentence of the first paragraph, after the dateline, as its
//    headline (HeadlineFromFirstSentence; flag "headline_derived"): the sentence
//    is then both headline and body text. Any other item without a headline keeps
//    none (flag "headline_missing");
//  * runs of identical consecutive paragraphs keep their first 3 (flag
//    "repeated_paragraphs_collapsed": a feed repeating one paragraph hundreds of
//    times would give hundreds of identical quotes);
//  * paragraphs beyond `limits` are dropped or cut (TextLimits; flag "truncated");
//    a cut at a paragraph boundary steps back (at most 8 paragraphs) rather than
//    end inside a quotation that the next paragraph continues (it opens with a
//    mark), which the quotes stage would flag unclosed; original_text_bytes =
//    the byte size of the text without the limits (0 when nothing was cut);
//  * text = NFC(headline) + "\n\n" + NFC(paragraphs) joined by "\n\n"; the
//    separator after the headline is left out when there is no headline or no
//    body; line breaks inside a headline or paragraph become spaces;
//  * headline, paragraphs and dateline spans in code points over that text;
//  * format, wire (merged; its declared_language in BCP 47 form by
//    NormalizeLanguageTag, stages/common/language_tag.h: "EN-gb" → "en-GB"),
//    byline_text, dateline fields, flags ("headline_missing", "headline_derived",
//    "body_empty" added when applicable);
//  * published_at = the item's date unless already set (e.g. by the published-at
//    header), else the Kafka timestamp (article.source().timestamp()) if set;
//  * id = wire.guid when the item has one.
// Any existing text, spans and paragraphs of `article` are replaced.
// Errors: kInvalidArgument "no text: ..." when both headline and body are empty;
// kInternal if NFC normalization fails.
absl::Status AssembleArticle(DecodedDocument doc, v1::Article& article,
                             const TextLimits& limits = {});

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_DOCUMENT_H_
