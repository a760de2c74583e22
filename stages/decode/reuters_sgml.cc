#include "stages/decode/reuters_sgml.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "re2/re2.h"
#include "stages/common/re2_util.h"
#include "stages/common/unicode.h"
#include "stages/decode/dateline.h"
#include "stages/decode/text_cleanup.h"
#include "unicode/utf.h"

namespace newsd::stages {
namespace {

constexpr absl::string_view kRecordStart = "<REUTERS";
constexpr absl::string_view kRecordEnd = "</REUTERS>";

// ---- A minimal reader for the SGML of lewis.dtd ---------------------------------
// Reuters-21578 records are regular: every element has an end tag, elements of one
// name never nest, attribute values are double-quoted, and a raw '<' only starts a
// tag ("<" in text is written &lt;). So an element is found by plain substring
// search, in time linear in the record; nothing recurses.

struct Element {
  absl::string_view attributes;  // between the name and '>' of the start tag
  absl::string_view content;     // between the start and the end tag
  size_t begin = 0;              // offset of '<' of the start tag
  size_t end = 0;                // offset just past the end tag
};

bool IsTagNameEnd(absl::string_view s, size_t pos) {
  return pos < s.size() &&
         (s[pos] == '>' || absl::ascii_isspace(static_cast<unsigned char>(s[pos])));
}

// The first <name ...>...</name> in `doc` at or after `from`; std::nullopt if there
// is no start tag; kInvalidArgument if the element is not terminated.
absl::StatusOr<std::optional<Element>> FindElement(absl::string_view doc,
                                                   absl::string_view name,
                                                   size_t from = 0) {
  const std::string open = absl::StrCat("<", name);
  size_t pos = doc.find(open, from);
  while (pos != absl::string_view::npos && !IsTagNameEnd(doc, pos + open.size())) {
    pos = doc.find(open, pos + 1);
  }
  if (pos == absl::string_view::npos) return std::nullopt;
  const size_t tag_end = doc.find('>', pos);
  const std::string close = absl::StrCat("</", name, ">");
  const size_t close_pos =
      tag_end == absl::string_view::npos ? tag_end : doc.find(close, tag_end);
  if (close_pos == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("unterminated <", name, "> element in Reuters SGML record"));
  }
  Element e;
  e.attributes = doc.substr(pos + open.size(), tag_end - pos - open.size());
  e.content = doc.substr(tag_end + 1, close_pos - tag_end - 1);
  e.begin = pos;
  e.end = close_pos + close.size();
  return e;
}

// The value of attribute `name` (NAME="value") in a start tag's attribute text.
std::optional<std::string> Attribute(absl::string_view attributes, absl::string_view name) {
  static const RE2* const re = new RE2(R"re(([A-Za-z]+)\s*=\s*"([^"]*)")re");
  re2::StringPiece input = ToPiece(attributes);
  re2::StringPiece key, value;
  while (RE2::FindAndConsume(&input, *re, &key, &value)) {
    if (absl::EqualsIgnoreCase(ToView(key), name)) return std::string(ToView(value));
  }
  return std::nullopt;
}

// Element text: references decoded, C0 control characters (STX, ETX, ...) dropped
// (C1 ones are left to CleanText in text_cleanup.h, which maps them through
// windows-1252 after repairing mojibake).
std::string CleanText(absl::string_view raw) {
  std::string text = DecodeCharacterReferences(raw);
  RemoveAsciiControls(&text);
  return text;
}

// `text` with the given child elements cut out (for the PCDATA of <TEXT>).
absl::StatusOr<std::string> WithoutElements(absl::string_view text,
                                            std::initializer_list<absl::string_view> names) {
  std::string out(text);
  for (absl::string_view name : names) {
    absl::StatusOr<std::optional<Element>> e = FindElement(out, name);
    if (!e.ok()) return e.status();
    if (e->has_value()) out.erase((*e)->begin, (*e)->end - (*e)->begin);
  }
  return out;
}

// Drops the "Reuter" signoff: a last paragraph of its own, or the last word of the
// last paragraph after the end of a sentence ("... January 31. REUTER").
void DropSignoff(std::vector<std::string>& paragraphs) {
  // All-caps "REUTER" after anything (tables end in numbers), "Reuter" after a
  // sentence end.
  static const RE2* const trailing =
      new RE2(R"re(\s(REUTERS?)$|[.!?"')\]]\s+((?i:reuters?))$)re");
  while (!paragraphs.empty()) {
    std::string& last = paragraphs.back();
    if (absl::EqualsIgnoreCase(last, "Reuter") || absl::EqualsIgnoreCase(last, "Reuters")) {
      paragraphs.pop_back();
      continue;
    }
    re2::StringPiece caps, word;
    if (RE2::PartialMatch(last, *trailing, &caps, &word)) {
      if (word.empty()) word = caps;
      last.resize(static_cast<size_t>(word.data() - last.data()));
      last = std::string(absl::StripTrailingAsciiWhitespace(last));
    }
    break;
  }
}

// Body paragraphs from the <DATELINE> and <BODY> texts (the dateline starts the
// first paragraph); sets the dateline fields and, when the dateline parses, its
// length in the first paragraph.
void FillBody(std::string dateline, const std::string& body, DecodedDocument& doc) {
  // Flash markers ("****SANTO DOMINGO, March 4 -") are not part of the place.
  const size_t first = dateline.find_first_not_of(" \t");
  if (first != std::string::npos && dateline[first] == '*') {
    dateline.erase(first, dateline.find_first_not_of('*', first) - first);
  }
  // The dateline runs into the body; keep a space between them ("March 2 -The").
  const bool glue = !dateline.empty() && !body.empty() &&
                    !absl::ascii_isspace(static_cast<unsigned char>(dateline.back())) &&
                    !absl::ascii_isspace(static_cast<unsigned char>(body.front()));
  doc.paragraphs = SplitIndentedParagraphs(absl::StrCat(dateline, glue ? " " : "", body));
  DropSignoff(doc.paragraphs);
  const absl::string_view declared = TrimWhitespace(dateline);
  if (declared.empty()) return;
  std::optional<DatelineMatch> match;
  if (!doc.paragraphs.empty()) {
    match = ParseDateline(doc.paragraphs.front(), DatelineMode::kDeclared);
  }
  if (match.has_value() && match->length <= declared.size()) {
    doc.dateline.set_place(match->place);
    doc.dateline.set_date(match->date);
    doc.dateline.set_agency(match->agency);
    doc.dateline_bytes = match->length;
  } else {
    // Not in the usual "PLACE, Mon DD -" shape: keep it verbatim as the place.
    absl::string_view place = declared;
    while (absl::ConsumeSuffix(&place, "-")) place = absl::StripTrailingAsciiWhitespace(place);
    doc.dateline.set_place(std::string(place));
    doc.flags.push_back("dateline_unparsed");
  }
}

}  // namespace

std::string DecodeCharacterReferences(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t amp = text.find('&', i);
    if (amp == absl::string_view::npos) break;
    out.append(text.data() + i, amp - i);
    i = amp;
    // A reference is at most "&#x10FFFF;" long; look no further than that.
    const size_t semi = text.substr(amp, 12).find(';');
    if (semi == absl::string_view::npos) {
      out.push_back('&');
      ++i;
      continue;
    }
    const absl::string_view ref = text.substr(amp + 1, semi - 1);
    static constexpr std::array<std::pair<absl::string_view, char>, 5> kNamed = {{
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}}};
    bool decoded = false;
    for (const auto& [name, c] : kNamed) {
      if (ref == name) {
        out.push_back(c);
        decoded = true;
        break;
      }
    }
    if (!decoded && ref.size() >= 2 && ref[0] == '#') {
      uint32_t cp = 0;
      const bool hex = ref[1] == 'x' || ref[1] == 'X';
      const bool ok = hex ? absl::SimpleHexAtoi(ref.substr(2), &cp)
                          : absl::SimpleAtoi(ref.substr(1), &cp);
      if (ok && absl::ascii_isxdigit(static_cast<unsigned char>(ref.back()))) {
        const bool valid = cp != 0 && cp <= 0x10FFFF && !U_IS_SURROGATE(cp);
        AppendUtf8(valid ? static_cast<UChar32>(cp) : 0xFFFD, &out);
        decoded = true;
      }
    }
    if (decoded) {
      i = amp + semi + 1;
    } else {
      out.push_back('&');
      ++i;
    }
  }
  out.append(text.data() + i, text.size() - i);
  return out;
}

std::vector<std::string> SplitIndentedParagraphs(absl::string_view text) {
  std::vector<std::string> paragraphs;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) paragraphs.push_back(std::move(current));
    current.clear();
  };
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const absl::string_view trimmed = TrimWhitespace(line);
    if (trimmed.empty()) {
      flush();
      continue;
    }
    if (trimmed.data() != line.data()) flush();  // indented: a new paragraph
    if (!current.empty()) current.push_back(' ');
    current.append(trimmed.data(), trimmed.size());
  }
  flush();
  return paragraphs;
}

std::optional<absl::Time> ParseReutersDate(absl::string_view value) {
  static const RE2* const re = new RE2(
      R"(^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)");
  int day, year, hour, minute, second;
  std::string month_name;
  std::string fraction;
  if (!RE2::PartialMatch(ToPiece(value), *re, &day, &month_name, &year, &hour, &minute, &second,
                         &fraction)) {
    return std::nullopt;
  }
  static constexpr std::array<absl::string_view, 12> kMonths = {
      "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (absl::EqualsIgnoreCase(month_name, kMonths[m])) month = m + 1;
  }
  if (month == 0) return std::nullopt;
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  // CivilSecond normalizes out-of-range fields (Feb 30 → Mar 2): reject those.
  if (civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
    return std::nullopt;
  }
  absl::Time t = absl::FromCivil(civil, absl::UTCTimeZone());
  if (!fraction.empty()) {
    int64_t micros = 0;
    (void)absl::SimpleAtoi(fraction, &micros);
    for (size_t n = fraction.size(); n < 6; ++n) micros *= 10;
    t += absl::Microseconds(micros);
  }
  return t;
}

absl::StatusOr<DecodedDocument> DecodeReutersSgml(const DecodeInput& input) {
  DecodedDocument doc;
  doc.format = v1::FORMAT_REUTERS_SGML;

  // Charset: declared, else UTF-8, else (the corpus has a stray Latin-1 byte) ISO-8859-1.
  std::string sgml;
  const std::string& charset = input.content_type.charset;
  if (!charset.empty() || !FindInvalidUtf8(input.payload).has_value()) {
    absl::StatusOr<std::string> utf8 = PayloadToUtf8(input.payload, charset);
    if (!utf8.ok()) return utf8.status();
    sgml = *std::move(utf8);
  } else {
    absl::StatusOr<std::string> latin1 = ConvertToUtf8(input.payload, "ISO-8859-1");
    if (!latin1.ok()) return latin1.status();
    sgml = *std::move(latin1);
    doc.flags.push_back("charset_guessed");
  }

  // Record boundaries: [<!DOCTYPE ...>] <REUTERS attrs> record </REUTERS>.
  absl::string_view rest = sgml;
  absl::ConsumePrefix(&rest, "\xEF\xBB\xBF");
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (absl::StartsWith(rest, "<!")) {
    const size_t decl_end = rest.find('>');
    if (decl_end != absl::string_view::npos) rest.remove_prefix(decl_end + 1);
    rest = absl::StripLeadingAsciiWhitespace(rest);
  }
  const size_t record_offset = sgml.size() - rest.size();
  if (!absl::StartsWith(rest, kRecordStart) || !IsTagNameEnd(rest, kRecordStart.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a Reuters SGML record: expected <REUTERS at byte ", record_offset));
  }
  const size_t tag_end = rest.find('>');
  const size_t close =
      tag_end == absl::string_view::npos ? tag_end : rest.find(kRecordEnd, tag_end);
  const size_t next_record = rest.find(kRecordStart, kRecordStart.size());
  if (close == absl::string_view::npos || next_record < close) {
    return absl::InvalidArgumentError("truncated Reuters SGML record: no </REUTERS>");
  }
  const absl::string_view trailing = rest.substr(close + kRecordEnd.size());
  if (!IsBlank(trailing)) {
    if (next_record != absl::string_view::npos) {
      return absl::InvalidArgumentError("more than one Reuters SGML record in one value");
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected content after </REUTERS> at byte ",
                     sgml.size() - absl::StripLeadingAsciiWhitespace(trailing).size()));
  }
  const absl::string_view attributes =
      rest.substr(kRecordStart.size(), tag_end - kRecordStart.size());
  const absl::string_view record = rest.substr(tag_end + 1, close - tag_end - 1);

  // Wire metadata.
  v1::Wire& wire = doc.wire;
  wire.set_provider("Reuters");
  if (std::optional<std::string> newid = Attribute(attributes, "NEWID");
      newid.has_value() && !newid->empty()) {
    wire.set_guid(absl::StrCat("reuters21578-", *newid));
  } else {
    doc.flags.push_back("guid_missing");
  }
  absl::StatusOr<std::optional<Element>> date = FindElement(record, "DATE");
  if (!date.ok()) return date.status();
  std::optional<absl::Time> when;
  if (date->has_value()) when = ParseReutersDate(CleanText((*date)->content));
  if (when.has_value()) {
    doc.published_at = *when;
    *wire.mutable_version_created() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(*when));
  } else {
    doc.flags.push_back("date_unparsed");
  }
  absl::StatusOr<std::optional<Element>> topics = FindElement(record, "TOPICS");
  if (!topics.ok()) return topics.status();
  if (topics->has_value()) {
    const absl::string_view list = (*topics)->content;
    size_t from = 0;
    for (;;) {
      absl::StatusOr<std::optional<Element>> d = FindElement(list, "D", from);
      if (!d.ok()) return d.status();
      if (!d->has_value()) break;
      const std::string code = CollapseWhitespace(CleanText((*d)->content));
      if (!code.empty()) wire.add_subjects(absl::StrCat("reuters-topic:", code));
      from = (*d)->end;
    }
  }
  // The ANPA header in <UNKNOWN> ends with the slug: "u f BC-BAHIA-COCOA-REVIEW 02-26 0105".
  for (size_t from = 0;;) {
    absl::StatusOr<std::optional<Element>> unknown = FindElement(record, "UNKNOWN", from);
    if (!unknown.ok()) return unknown.status();
    if (!unknown->has_value()) break;
    static const RE2* const slug = new RE2(R"((BC-\S+))");
    std::string slugline;
    if (RE2::PartialMatch(CleanText((*unknown)->content), *slug, &slugline)) {
      wire.set_slugline(slugline);
      break;
    }
    from = (*unknown)->end;
  }

  // Text.
  absl::StatusOr<std::optional<Element>> text = FindElement(record, "TEXT");
  if (!text.ok()) return text.status();
  if (!text->has_value()) return doc;  // no text: AssembleArticle reports it
  const absl::string_view content = (*text)->content;
  const std::string type = Attribute((*text)->attributes, "TYPE").value_or("NORM");

  absl::StatusOr<std::optional<Element>> title = FindElement(content, "TITLE");
  if (!title.ok()) return title.status();
  if (title->has_value()) doc.headline = CollapseWhitespace(CleanText((*title)->content));
  absl::StatusOr<std::optional<Element>> author = FindElement(content, "AUTHOR");
  if (!author.ok()) return author.status();
  if (author->has_value()) doc.byline = CollapseWhitespace(CleanText((*author)->content));
  absl::StatusOr<std::optional<Element>> dateline = FindElement(content, "DATELINE");
  if (!dateline.ok()) return dateline.status();
  absl::StatusOr<std::optional<Element>> body = FindElement(content, "BODY");
  if (!body.ok()) return body.status();

  if (body->has_value()) {
    FillBody(dateline->has_value() ? CleanText((*dateline)->content) : std::string(),
             CleanText((*body)->content), doc);
  } else if (type != "BRIEF") {
    // UNPROC (and any other body-less record): the <TEXT> character data is the body.
    absl::StatusOr<std::string> pcdata =
        WithoutElements(content, {"TITLE", "AUTHOR", "DATELINE"});
    if (!pcdata.ok()) return pcdata.status();
    FillBody("", CleanText(*pcdata), doc);
  }
  return doc;
}

}  // namespace newsd::stages
