#include "stages/decode/document.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"

namespace newsd::stages {
namespace {

// One line of NFC text: line breaks become spaces (a unit of Article.text never
// contains "\n", so "\n\n" only ever separates units).
absl::StatusOr<std::string> PrepareUnit(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return NormalizeNfc(s);
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

}  // namespace

ContentType ParseContentType(absl::string_view header) {
  ContentType ct;
  std::vector<absl::string_view> parts = absl::StrSplit(header, ';');
  ct.media_type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(parts[i], absl::MaxSplits('=', 1));
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(kv.first), "charset")) continue;
    absl::string_view value = absl::StripAsciiWhitespace(kv.second);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    ct.charset = std::string(value);
  }
  return ct;
}

absl::StatusOr<std::string> PayloadToUtf8(absl::string_view payload,
                                          absl::string_view charset) {
  if (!charset.empty() && !IsUtf8Charset(charset)) return ConvertToUtf8(payload, charset);
  if (std::optional<size_t> bad = FindInvalidUtf8(payload)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid UTF-8 at byte ", *bad));
  }
  return std::string(payload);
}

absl::Status AssembleArticle(DecodedDocument doc, v1::Article& article) {
  absl::StatusOr<std::string> headline =
      PrepareUnit(std::string(TrimWhitespace(doc.headline)));
  if (!headline.ok()) return headline.status();

  // The dateline prefix is normalized on its own to find where it ends in the
  // normalized paragraph (it ends with a dash, a normalization boundary).
  uint32_t dateline_code_points = 0;
  if (doc.dateline_bytes > 0 && !doc.paragraphs.empty() &&
      doc.dateline_bytes <= doc.paragraphs[0].size()) {
    absl::StatusOr<std::string> prefix =
        PrepareUnit(doc.paragraphs[0].substr(0, doc.dateline_bytes));
    if (!prefix.ok()) return prefix.status();
    dateline_code_points = static_cast<uint32_t>(CountCodePoints(*prefix));
  }

  TextBuilder builder;
  article.clear_headline();
  article.clear_paragraphs();
  article.clear_sentences();
  article.clear_byline();
  if (!headline->empty()) *article.mutable_headline() = builder.Append(*headline);
  for (size_t i = 0; i < doc.paragraphs.size(); ++i) {
    absl::StatusOr<std::string> paragraph = PrepareUnit(std::move(doc.paragraphs[i]));
    if (!paragraph.ok()) return paragraph.status();
    if (IsBlank(*paragraph)) continue;
    if (builder.size_code_points() > 0) builder.Append("\n\n");
    v1::Span span = builder.Append(*paragraph);
    if (i == 0 && dateline_code_points > 0) {
      *doc.dateline.mutable_span() =
          MakeSpan(span.begin(), span.begin() + dateline_code_points);
    }
    *article.add_paragraphs() = span;
  }
  if (builder.size_code_points() == 0) {
    return absl::InvalidArgumentError("no text: the item has neither headline nor body");
  }

  article.set_format(doc.format);
  article.set_text(builder.Release());
  const v1::Dateline& d = doc.dateline;
  if (d.has_span() || !d.place().empty() || !d.date().empty() || !d.agency().empty()) {
    *article.mutable_dateline() = std::move(doc.dateline);
  } else {
    article.clear_dateline();
  }
  article.set_byline_text(std::move(doc.byline));
  article.mutable_wire()->MergeFrom(doc.wire);
  for (std::string& flag : doc.flags) article.add_flags(std::move(flag));
  if (headline->empty()) article.add_flags("headline_missing");
  if (article.paragraphs_size() == 0) article.add_flags("body_empty");

  if (!article.has_published_at()) {
    if (doc.published_at.has_value()) {
      *article.mutable_published_at() = ToProto(*doc.published_at);
    } else if (article.source().has_timestamp()) {
      *article.mutable_published_at() = article.source().timestamp();
    }
  }
  if (!article.wire().guid().empty()) article.set_id(article.wire().guid());
  return absl::OkStatus();
}

}  // namespace newsd::stages
