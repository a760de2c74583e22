#include "stages/decode/decode.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/decode/charset.h"
#include "stages/decode/document.h"
#include "stages/decode/formats.h"

namespace newsd::stages {
namespace {

// How much of the payload the control-character heuristic samples.
constexpr size_t kBinarySampleBytes = 8192;

struct Signature {
  absl::string_view magic;
  size_t offset;
  const char* kind;
};

// File signatures ("magic numbers") of binary formats a text feed is sent by
// mistake, from each format's specification: none is the start of any text.
constexpr Signature kBinarySignatures[] = {
    {"\x89PNG\r\n\x1A\n", 0, "PNG image"},
    {"\xFF\xD8\xFF", 0, "JPEG image"},
    {"GIF87a", 0, "GIF image"},
    {"GIF89a", 0, "GIF image"},
    {"%PDF-", 0, "PDF document"},
    {absl::string_view("PK\x03\x04", 4), 0, "ZIP archive (or DOCX, XLSX, ODT, EPUB)"},
    {absl::string_view("PK\x05\x06", 4), 0, "ZIP archive (or DOCX, XLSX, ODT, EPUB)"},
    {"\x1F\x8B", 0, "gzip data"},
    {"BZh91AY&SY", 0, "bzip2 data"},
    {absl::string_view("\xFD" "7zXZ\x00", 6), 0, "xz data"},
    {"\x28\xB5\x2F\xFD", 0, "zstd data"},
    {"7z\xBC\xAF\x27\x1C", 0, "7z archive"},
    {"Rar!\x1A\x07", 0, "RAR archive"},
    {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 0, "OLE2 document (DOC, XLS, PPT)"},
    {absl::string_view("II*\x00", 4), 0, "TIFF image"},
    {absl::string_view("MM\x00*", 4), 0, "TIFF image"},
    {"WEBP", 8, "WebP image"},
    {"ftyp", 4, "ISO media file (MP4, MOV, HEIC)"},
    {absl::string_view("OggS\x00", 5), 0, "Ogg media"},
    {"\x7F" "ELF", 0, "ELF executable"},
    {"\x04\x22\x4D\x18", 0, "LZ4 frame"},
    {absl::string_view("Obj\x01", 4), 0, "Avro container"},
};

// A text never starts with a binary format's signature nor with many raw control
// characters (NUL, C0 controls other than white space, DEL); binary data does.
// `payload` must not end in NUL padding (the caller strips it).
absl::Status CheckNotBinary(absl::string_view payload) {
  for (const Signature& sig : kBinarySignatures) {
    if (payload.size() >= sig.offset + sig.magic.size() &&
        payload.substr(sig.offset, sig.magic.size()) == sig.magic &&
        (sig.offset != 8 || absl::StartsWith(payload, "RIFF"))) {
      return absl::InvalidArgumentError(
          absl::StrCat("binary content: ", sig.kind, " signature at byte ", sig.offset));
    }
  }
  const absl::string_view sample = payload.substr(0, kBinarySampleBytes);
  size_t controls = 0;
  for (const unsigned char c : sample) {
    controls += (c < 0x20 && !absl::ascii_isspace(c)) || c == 0x7F;
  }
  if (controls * 10 > sample.size()) {
    return absl::InvalidArgumentError(absl::StrCat("binary content: ", controls, " of the first ",
                                                   sample.size(),
                                                   " bytes are control characters"));
  }
  return absl::OkStatus();
}

// UTF-16 and UTF-32 (with or without byte order suffix), UCS-2, UCS-4.
bool IsWideCharset(absl::string_view charset) {
  return absl::StartsWithIgnoreCase(charset, "utf-16") ||
         absl::StartsWithIgnoreCase(charset, "utf-32") ||
         absl::StartsWithIgnoreCase(charset, "ucs-");
}

}  // namespace

absl::Status DecodeStage::NotArticle(absl::string_view kind, absl::string_view reason) const {
  if (options_.not_articles == DecodeOptions::NotArticles::kDeadLetter) {
    return absl::InvalidArgumentError(reason);
  }
  return NotAnArticle(kind, reason);
}

absl::Status DecodeStage::Process(v1::Article& article, const StageContext& ctx) const {
  if (ctx.payload_is_null) return NotArticle("tombstone", "null value (tombstone)");
  absl::string_view payload = ctx.payload;
  bool truncated = false;
  if (payload.size() > options_.max_bytes) {
    if (options_.oversize == DecodeOptions::Oversize::kReject) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "value of ", payload.size(), " bytes exceeds max_bytes (", options_.max_bytes, ")"));
    }
    payload = payload.substr(0, options_.max_bytes);
    truncated = true;
  }
  if (payload.empty()) return absl::InvalidArgumentError("empty value");
  if (absl::StripAsciiWhitespace(payload).empty()) {
    return absl::InvalidArgumentError("whitespace-only value");
  }
  DecodeInput input;
  input.content_type = ParseContentType(article.source().content_type());
  // A UTF-16/32 byte order mark or a declared UTF-16/32 charset: convert once up
  // front, so that format sniffing sees the markup and every decoder reads UTF-8
  // (the BOM outranks any declaration). Their NUL bytes are text, not binary.
  std::string converted;
  if (HasWideBom(payload) || IsWideCharset(input.content_type.charset)) {
    absl::StatusOr<Utf8Text> utf8 =
        DecodeToUtf8(payload, CharsetHints{input.content_type.charset, ""});
    if (!utf8.ok()) return utf8.status();
    converted = std::move(utf8->text);
    payload = converted;
    input.content_type.charset = "UTF-8";
  }
  // NUL padding after the text (fixed-size records) is not content.
  bool nul_removed = false;
  while (!payload.empty() && payload.back() == '\0') {
    payload.remove_suffix(1);
    nul_removed = true;
  }
  if (payload.empty()) return absl::InvalidArgumentError("binary content: only NUL bytes");
  if (absl::StripAsciiWhitespace(payload).empty()) {
    return absl::InvalidArgumentError("whitespace-only value");
  }
  if (absl::Status s = CheckNotBinary(payload); !s.ok()) return s;
  // The payload is text: the NUL bytes left in it (a stray NUL from a C string
  // copy, a broken converter) are removed, so that no decoder sees one.
  std::string without_nul;
  if (payload.find('\0') != absl::string_view::npos) {
    without_nul.reserve(payload.size());
    for (const char c : payload) {
      if (c != '\0') without_nul.push_back(c);
    }
    payload = without_nul;
    nul_removed = true;
  }
  input.payload = payload;
  input.limits = options_.limits;
  absl::StatusOr<const FormatSpec*> format = SelectFormat(payload, input.content_type);
  if (!format.ok()) return format.status();
  absl::StatusOr<DecodedItems> decoded = (*format)->decode(input);
  if (!decoded.ok()) return decoded.status();
  if (decoded->empty()) return absl::InternalError("decoder returned no document");
  // Items that are not articles (a NewsML-G2 conceptItem, ...) are set aside; each
  // remaining item keeps its position in the message (ids "<article id>#<n>").
  std::vector<absl::Status> not_articles;
  std::vector<std::pair<size_t, DecodedDocument>> items;
  for (size_t i = 0; i < decoded->size(); ++i) {
    DecodedDocument& item = (*decoded)[i];
    if (!item.not_article_kind.empty()) {
      not_articles.push_back(NotArticle(item.not_article_kind, item.not_article_reason));
    } else {
      items.emplace_back(i, std::move(item));
    }
  }
  if (items.empty()) {
    // Nothing but non-articles: the message is skipped (or rejected), the first
    // item by the returned status, the others as skipped items.
    if (ctx.skipped_items != nullptr && IsNotAnArticle(not_articles.front())) {
      ctx.skipped_items->insert(ctx.skipped_items->end(), not_articles.begin() + 1,
                                not_articles.end());
    }
    return not_articles.front();
  }
  if (truncated) items.front().second.flags.push_back("truncated");
  if (nul_removed) {
    for (auto& [position, item] : items) item.flags.push_back("nul_bytes_removed");
  }
  if (items.size() > 1 && ctx.more_articles == nullptr) {
    items.front().second.flags.push_back("more_items_dropped");
    items.resize(1);
  }
  for (const auto& [position, item] : items) {
    if (std::find(item.flags.begin(), item.flags.end(), "embargo_unparsed") != item.flags.end()) {
      // Fail closed: an item whose embargo cannot be read must not be published now.
      return absl::InvalidArgumentError(
          "embargo time is not a date-time newsd reads (RFC 3339, ISO 8601, RFC 2822); "
          "the item is not published so that its embargo cannot be broken");
    }
  }
  // Each item is assembled on its own; an item without text is skipped (flag
  // "items_skipped") as long as another item of the message has text.
  const v1::Article original = article;
  std::vector<v1::Article> assembled;
  absl::Status first_error;
  size_t skipped = 0;
  for (auto& [position, item] : items) {
    v1::Article a = original;
    if (position > 0) a.set_id(absl::StrCat(original.id(), "#", position + 1));
    if (absl::Status s = AssembleArticle(std::move(item), a, options_.text); !s.ok()) {
      if (s.code() != absl::StatusCode::kInvalidArgument) return s;
      if (first_error.ok()) first_error = s;
      ++skipped;
      continue;
    }
    assembled.push_back(std::move(a));
  }
  if (assembled.empty()) return first_error;
  // Items that are not articles beside articles: counted by the engine as skipped
  // (not_articles "skip"), else flagged like items without text.
  if (!not_articles.empty()) {
    if (ctx.skipped_items != nullptr && IsNotAnArticle(not_articles.front())) {
      ctx.skipped_items->insert(ctx.skipped_items->end(), not_articles.begin(),
                                not_articles.end());
    } else {
      skipped += not_articles.size();
    }
  }
  if (skipped > 0 && std::find(assembled.front().flags().begin(), assembled.front().flags().end(),
                               "items_skipped") == assembled.front().flags().end()) {
    assembled.front().add_flags("items_skipped");
  }
  article = std::move(assembled.front());
  for (size_t i = 1; i < assembled.size(); ++i) ctx.more_articles->push_back(std::move(assembled[i]));
  return absl::OkStatus();
}

}  // namespace newsd::stages
