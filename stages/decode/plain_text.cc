#include "stages/decode/plain_text.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
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
#include "stages/decode/headline.h"
#include "stages/decode/text_cleanup.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

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

// Words after which a line cannot end a headline or a paragraph: a soft wrap.
constexpr absl::string_view kContinuingWords[] = {
    "a",    "an",   "and",  "as",    "at",   "by",   "for", "from", "his",
    "her",  "its",  "of",   "or",    "that", "the",  "their", "to", "which",
    "who",  "with"};

// Lines at least this long (code points) may be soft-wrapped (text wrapped at
// ~70 columns leaves lines of 50-80 before each break).
constexpr size_t kMinWrappedLine = 40;

// `next` (trimmed, not blank) continues the sentence of `line` (trimmed): `line`
// is long enough to have been wrapped, and `next` starts with a lower-case letter
// or `line` ends with a comma, semicolon, hyphen after a letter or a word that
// never ends a sentence ("the", "of", "and", ...).
bool ContinuesLine(absl::string_view line, absl::string_view next) {
  if (line.empty() || next.empty() || CountCodePoints(line) < kMinWrappedLine) return false;
  UChar32 first;
  int32_t i = 0;
  U8_NEXT(reinterpret_cast<const uint8_t*>(next.data()), i, static_cast<int32_t>(next.size()),
          first);
  if (first >= 0 && u_islower(first)) return true;
  const char last = line.back();
  if (last == ',' || last == ';') return true;
  if (last == '-' && line.size() > 1 && absl::ascii_isalpha(line[line.size() - 2])) return true;
  const size_t space = line.rfind(' ');
  const absl::string_view word = space == absl::string_view::npos ? line : line.substr(space + 1);
  return std::find(std::begin(kContinuingWords), std::end(kContinuingWords), word) !=
         std::end(kContinuingWords);
}

// A first line longer than this (code points) is not a headline. Wire headlines
// stay under ~150; long web titles reach ~200 (the seed's is 178).
constexpr size_t kMaxHeadlineCodePoints = 300;

// Whether `line`, the first non-blank line (trimmed), is the headline; `next` is
// the line after it (trimmed; "" if blank or none). Not when it is longer than
// kMaxHeadlineCodePoints or holds two sentences or more (CountSentenceEnds); not
// when it opens with a
// dateline, after an optional alert label ("WASHINGTON (AP) — The Senate ...",
// "FLASH: GENEVA, Sept 12 (Reuters) - ..."): that is the first paragraph of an
// item without headline; nor when `next` continues its sentence (a soft-wrapped
// first paragraph).
bool IsHeadlineLine(absl::string_view line, absl::string_view next) {
  // Too long, or two sentences or more: the first paragraph of an item without
  // headline (a one-line article), not a headline.
  if (CountCodePoints(line) > kMaxHeadlineCodePoints) return false;
  if (CountSentenceEnds(line, 2) >= 2) return false;
  std::string signal;
  const absl::string_view lede = TrimWhitespace(line.substr(AlertLabelLength(line, &signal)));
  if (ParseDateline(lede, DatelineMode::kHeuristic).has_value()) return false;
  return !ContinuesLine(line, next);
}

// Paragraphs of `lines` (the body): blank-line separated blocks if a blank line
// separates two non-blank lines, else one paragraph per non-blank line, a line
// that continues the one before (ContinuesLine: soft-wrapped) joining it.
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
    if (!blank_separated && !block.empty() && !ContinuesLine(block.back(), line)) flush();
    block.push_back(line);
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
  if (i < lines.size() &&
      IsHeadlineLine(TrimWhitespace(lines[i]),
                     i + 1 < lines.size() ? TrimWhitespace(lines[i + 1]) : "")) {
    doc.headline = std::string(TrimWhitespace(lines[i++]));
  }
  doc.paragraphs = BodyParagraphs(
      std::vector<absl::string_view>(lines.begin() + i, lines.end()));

  if (doc.paragraphs.size() > 1 && IsBylineParagraph(doc.paragraphs.front())) {
    doc.byline = std::move(doc.paragraphs.front());
    doc.paragraphs.erase(doc.paragraphs.begin());
  }
  // AssembleArticle finds the dateline (after taking off an alert label).
  return doc;
}

std::vector<std::string> SplitTextParagraphs(absl::string_view text) {
  const std::string unix_text = absl::StrReplaceAll(text, {{"\r\n", "\n"}, {"\r", "\n"}});
  return BodyParagraphs(absl::StrSplit(unix_text, '\n'));
}

}  // namespace newsd::stages
