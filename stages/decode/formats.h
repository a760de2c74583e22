// Format selection for the decode stage: which decoder handles a raw item.
//
// To add a format: write `absl::StatusOr<DecodedItems> DecodeFoo(const
// DecodeInput&)` (one DecodedDocument per article) in its own foo.{h,cc} and set it
// as the `decode` of the format's entry in KnownFormats() (formats.cc), with its
// media types and sniffer. Nothing else changes: AssembleArticle turns every
// DecodedDocument into an Article, and DecodeStage fans out multi-item messages.
#ifndef NEWSD_STAGES_DECODE_FORMATS_H_
#define NEWSD_STAGES_DECODE_FORMATS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newsd/v1/article.pb.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// What sniffers look at: the start of the payload after a UTF-8 BOM and white space.
struct PayloadHead {
  // Up to the first 64 KiB of the payload, BOM and leading white space removed.
  absl::string_view head;
  // Name of the first element if the payload is markup (after any <?xml?>,
  // comments and <!DOCTYPE>), as written ("REUTERS", "nitf", "g2:newsItem");
  // "" if it does not start with an element.
  std::string root;
  // Name in <!DOCTYPE name ...> if present, as written ("lewis", "html").
  std::string doctype;
};

// Reads the head of `payload`. Bounded: looks at most at the first 64 KiB.
PayloadHead ReadPayloadHead(absl::string_view payload);

using FormatDecoder = absl::StatusOr<DecodedItems> (*)(const DecodeInput& input);

struct FormatSpec {
  v1::Format format;
  // Human-readable name used in error messages ("Reuters-21578 SGML").
  absl::string_view name;
  // Media types (lowercase, no parameters) that select this format outright.
  std::vector<absl::string_view> media_types;
  // True if the payload looks like this format.
  bool (*sniff)(const PayloadHead& head);
  // The decoder (never nullptr: every known format is supported).
  FormatDecoder decode;
};

// Every known format, in sniffing order. Plain text is last and accepts anything.
const std::vector<FormatSpec>& KnownFormats();

// Chooses the format of a payload: the format claiming `content_type.media_type`
// if any; else the first format whose sniffer accepts the payload head; else
// plain text. Generic media types (application/xml, application/json, ...) are
// claimed by no format and so fall through to sniffing. ninjs is sniffed for a
// head that opens with "{", or with "[" when a SAX pass (nlohmann::json) finds an
// object in the array before the head ends ("[{", "[null, {", "[[{") or the
// array is empty ("[]": the ninjs decoder rejects it as an empty collection);
// "[UPDATE 1] Oil rises" and "[1, 2]" are plain text.
// Errors: kInvalidArgument "unsupported markup document: root element <x>" for a
// markup payload no format recognizes (unless the media type is text/plain).
absl::StatusOr<const FormatSpec*> SelectFormat(absl::string_view payload,
                                               const ContentType& content_type);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_FORMATS_H_
