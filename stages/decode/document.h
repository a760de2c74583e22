// The format-neutral result of decoding one raw item, and its assembly into an
// Article. Every format decoder (plain text, Reuters SGML, later NITF, NewsML-G2,
// ninjs, HTML) produces a DecodedDocument; AssembleArticle then builds
// Article.text and all spans the same way for every format.
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

// What a format decoder receives.
struct DecodeInput {
  // The raw item bytes (not empty, no NUL byte: DecodeStage checks that first).
  absl::string_view payload;
  ContentType content_type;
};

// The payload as UTF-8: converted with ICU when `charset` names another charset,
// otherwise validated as UTF-8.
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
};

// Fills `article` from `doc`:
//  * text = NFC(headline) + "\n\n" + NFC(paragraphs) joined by "\n\n"; the
//    separator after the headline is left out when there is no headline or no
//    body; line breaks inside a headline or paragraph become spaces;
//  * headline, paragraphs and dateline spans in code points over that text;
//  * format, wire (merged), byline_text, dateline fields, flags ("headline_missing",
//    "body_empty" added when applicable);
//  * published_at = the item's date unless already set (e.g. by the published-at
//    header), else the Kafka timestamp (article.source().timestamp()) if set;
//  * id = wire.guid when the item has one.
// Any existing text, spans and paragraphs of `article` are replaced.
// Errors: kInvalidArgument "no text: ..." when both headline and body are empty;
// kInternal if NFC normalization fails.
absl::Status AssembleArticle(DecodedDocument doc, v1::Article& article);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_DOCUMENT_H_
