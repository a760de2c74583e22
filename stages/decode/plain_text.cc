#include "stages/decode/plain_text.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"
#include "stages/common/re2_util.h"
#include "stages/common/unicode.h"
#include "stages/decode/charset.h"
#include "stages/decode/dateline.h"
#include "stages/decode/text_cleanup.h"

namespace newsd::stages {
namespace {

// "By Jane Smith", "BY JANE SMITH, Reuters", "By John F. Kennedy Jr. and Ann Lee",
// "By Jane Smith, staff writer": "By" and at most 9 more words; the words before
// the first comma are capitalized (or name particles); no sentence-like ending.
bool IsBylineParagraph(absl::string_view paragraph) {
  static const RE2* const re = new RE2(R"(^(?:By|BY|by)\s+(\p{Lu}[^,]*)(?:,.*)?$)");
  static const RE2* const name_word =
      new RE2(R"(\p{Lu}\S*|and|&|de|da|del|der|du|van|von|la|le|al|bin|ibn)");
  re2::StringPiece names_piece;
  if (paragraph.size() > 100 || !RE2::FullMatch(ToPiece(paragraph), *re, &names_piece)) {
    return false;
  }
  const absl::string_view names = ToView(names_piece);
  const std::vector<absl::string_view> words =
      absl::StrSplit(paragraph, ' ', absl::SkipWhitespace());
  if (words.size() > 10) return false;
  for (absl::string_view w : absl::StrSplit(names, ' ', absl::SkipWhitespace())) {
    if (!RE2::FullMatch(ToPiece(w), *name_word)) return false;
  }
  const char last = paragraph.back();
  if (last == '!' || last == '?' || last == ':' || last == ';' || last == '"') return false;
  // "... Jr." or "... F." may end a byline; "... collapsed." ends a sentence.
  return last != '.' || words.back().size() <= 3;
}

// Paragraphs of `lines` (the body): blank-line separated blocks if a blank line
// separates two non-blank lines, else one paragraph per non-blank line.
std::vector<std::string> BodyParagraphs(const std::vector<absl::string_view>& lines) {
  size_t first = 0;
  size_t last = lines.size();
  while (first < last && IsBlank(lines[first])) ++first;
  while (last > first && IsBlank(lines[last - 1])) --last;
  bool blank_separated = false;
  for (size_t i = first; i < last; ++i) {
    if (IsBlank(lines[i])) {
      blank_separated = true;
      break;
    }
  }
  std::vector<std::string> paragraphs;
  std::vector<absl::string_view> block;
  auto flush = [&] {
    if (!block.empty()) paragraphs.push_back(absl::StrJoin(block, " "));
    block.clear();
  };
  for (size_t i = first; i < last; ++i) {
    const absl::string_view line = TrimWhitespace(lines[i]);
    if (line.empty()) {
      flush();
      continue;
    }
    block.push_back(line);
    if (!blank_separated) flush();
  }
  flush();
  return paragraphs;
}

}  // namespace

absl::StatusOr<DecodedDocument> DecodePlainText(const DecodeInput& input) {
  absl::StatusOr<Utf8Text> utf8 =
      DecodeToUtf8(input.payload, {input.content_type.charset, ""}, input.limits.charset);
  if (!utf8.ok()) return utf8.status();
  DecodedDocument doc;
  doc.format = v1::FORMAT_PLAIN_TEXT;
  doc.flags = std::move(utf8->flags);

  std::string text = absl::StrReplaceAll(utf8->text, {{"\r\n", "\n"}, {"\r", "\n"}});
  // C0 controls now (a line of them must not become the headline); C1 controls
  // stay for CleanText: they may be mojibake bytes or windows-1252 punctuation.
  if (RemoveAsciiControls(&text) > 0) doc.flags.push_back("control_chars_removed");

  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  size_t i = 0;
  while (i < lines.size() && IsBlank(lines[i])) ++i;
  if (i < lines.size()) doc.headline = std::string(TrimWhitespace(lines[i++]));
  doc.paragraphs = BodyParagraphs(
      std::vector<absl::string_view>(lines.begin() + i, lines.end()));

  if (doc.paragraphs.size() > 1 && IsBylineParagraph(doc.paragraphs.front())) {
    doc.byline = std::move(doc.paragraphs.front());
    doc.paragraphs.erase(doc.paragraphs.begin());
  }
  if (!doc.paragraphs.empty()) {
    if (std::optional<DatelineMatch> d =
            ParseDateline(doc.paragraphs.front(), DatelineMode::kHeuristic)) {
      doc.dateline.set_place(d->place);
      doc.dateline.set_date(d->date);
      doc.dateline.set_agency(d->agency);
      doc.dateline_bytes = d->length;
    }
  }
  return doc;
}

std::vector<std::string> SplitTextParagraphs(absl::string_view text) {
  const std::string unix_text = absl::StrReplaceAll(text, {{"\r\n", "\n"}, {"\r", "\n"}});
  return BodyParagraphs(absl::StrSplit(unix_text, '\n'));
}

}  // namespace newsd::stages
