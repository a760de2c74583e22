#include "stages/decode/document.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "re2/re2.h"
#include "stages/common/language_tag.h"
#include "stages/common/re2_util.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"
#include "stages/decode/dateline.h"
#include "stages/decode/headline.h"
#include "stages/decode/text_cleanup.h"
#include "unicode/brkiter.h"
#include "unicode/uchar.h"
#include "unicode/utext.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

// One line of NFC text: line breaks become spaces (a unit of Article.text never
// contains "\n", so "\n\n" only ever separates units).
absl::StatusOr<std::string> PrepareUnit(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return NormalizeNfc(s);
}

// The largest byte offset <= `max` in well-formed UTF-8 `s` that starts a code point.
size_t CodePointBoundaryBefore(absl::string_view s, size_t max) {
  if (max >= s.size()) return s.size();
  while (max > 0 && U8_IS_TRAIL(static_cast<uint8_t>(s[max]))) --max;
  return max;
}

absl::string_view StripLeadingWhitespace(absl::string_view s) {
  const absl::string_view trimmed = TrimWhitespace(s);
  return s.substr(trimmed.data() - s.data());
}

// "(Reporting by Jane Smith; Editing by Tom Brown)", "Writing by ...", "Additional
// reporting by ...", "Compiled by ..." — the Reuters sign-off; "Jane Smith
// contributed to this report." — the AP one.
const RE2& CreditParagraphRegex() {
  static const RE2* const re = new RE2(
      R"((?i)^\(\s*(?:(?:additional\s+)?reporting|writing|editing|compiled|edited|research|)"
      R"(graphics|photos?|video)\s+by\s[^()]{1,300}\)\.?$)"  // "(Reporting by ...)"
      R"(|^(?:(?:additional\s+)?reporting|writing|editing|compiled|edited)\s+by\s+)"
      R"((?:(?:[^\s;]+\s+){0,7}[^\s;]+\.?|[^()]*;[^()]*)$)"  // short, or "...; Editing by ..."
      R"(|^[^.!?()]{1,200}\scontributed\s+(?:reporting\s+)?to\s+this\s+(?:report|article|story)\.?$)");
  return *re;
}

// A credit parenthetical ending a paragraph: "... on Monday. (Reporting by X)".
const RE2& TrailingCreditRegex() {
  static const RE2* const re = new RE2(
      R"((?is)^(.*[.!?"\x{201D}\x{2019}])\s*(\((?:(?:additional\s+)?reporting|writing|editing))"
      R"(\s+by\s[^()]{1,300}\))\s*$)");
  return *re;
}

// False if `p` cannot match CreditParagraphRegex: each of its branches opens
// with "(" or one of its words, or contains "contributed" (case-insensitive;
// RE2's (?i) folds no non-ASCII letter onto these words' letters, only K and S
// have such partners). Saves the regex (its bounded repeats make a large DFA)
// on most paragraphs.
bool MayBeCreditParagraph(absl::string_view p) {
  if (absl::StartsWith(p, "(")) return true;
  for (absl::string_view word :
       {"additional", "reporting", "writing", "editing", "compiled", "edited"}) {
    if (absl::StartsWithIgnoreCase(p, word)) return true;
  }
  constexpr absl::string_view kContributed = "contributed";
  return std::search(p.begin(), p.end(), kContributed.begin(), kContributed.end(),
                     [](char a, char b) { return absl::ascii_tolower(a) == b; }) != p.end();
}

// False if `p` cannot match TrailingCreditRegex: it ends with ")" before any
// trailing white space.
bool MayEndWithCredit(absl::string_view p) {
  return absl::EndsWith(absl::StripTrailingAsciiWhitespace(p), ")");
}

// Moves trailing credit paragraphs (at most 3) and a credit parenthetical ending
// the last paragraph from `paragraphs` to `credits`, keeping their order.
void MoveCredits(std::vector<std::string>* paragraphs, std::vector<std::string>* credits) {
  std::vector<std::string> found;
  while (paragraphs->size() > 1 && found.size() < 3 &&
         MayBeCreditParagraph(paragraphs->back()) &&
         RE2::FullMatch(ToPiece(paragraphs->back()), CreditParagraphRegex())) {
    found.insert(found.begin(), std::move(paragraphs->back()));
    paragraphs->pop_back();
  }
  if (!paragraphs->empty()) {
    re2::StringPiece body, credit;
    if (MayEndWithCredit(paragraphs->back()) &&
        RE2::FullMatch(ToPiece(paragraphs->back()), TrailingCreditRegex(), &body, &credit)) {
      found.insert(found.begin(), std::string(ToView(credit)));
      paragraphs->back() = std::string(ToView(body));
    }
  }
  credits->insert(credits->end(), found.begin(), found.end());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

// Identical consecutive paragraphs kept before the rest of the run is dropped.
constexpr size_t kMaxRepeatedParagraphs = 3;
// Paragraphs the truncation steps back at most to keep a multi-paragraph quote out.
constexpr size_t kMaxQuoteBackoff = 8;
// Bytes past the room left that the sentence iterator sees, so that the
// boundaries before the limit are decided with their right context.
constexpr size_t kSentenceLookahead = 256;

// Drops paragraphs repeating the one before beyond kMaxRepeatedParagraphs in a
// row; returns true if any was dropped.
bool CollapseRepeatedParagraphs(std::vector<std::string>* paragraphs) {
  std::vector<std::string> out;
  out.reserve(paragraphs->size());
  size_t run = 0;
  bool collapsed = false;
  for (std::string& p : *paragraphs) {
    run = !out.empty() && out.back() == p ? run + 1 : 1;
    if (run > kMaxRepeatedParagraphs) {
      collapsed = true;
      continue;
    }
    out.push_back(std::move(p));
  }
  *paragraphs = std::move(out);
  return collapsed;
}

bool IsDoubleQuoteMark(UChar32 c) {
  return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E || c == 0x201F || c == 0x00AB ||
         c == 0x00BB;
}

// True if well-formed UTF-8 `s` ends inside a double quotation, pairing marks by
// position as the quotes stage does: a mark after white space, an opening bracket
// or the start opens; one before white space, punctuation or the end closes.
bool EndsInsideQuote(absl::string_view s) {
  const auto* b = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t len = static_cast<int32_t>(s.size());
  bool open = false;
  UChar32 prev = -1;
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT_UNSAFE(b, i, c);
    if (IsDoubleQuoteMark(c)) {
      UChar32 next = -1;
      if (int32_t j = i; j < len) U8_NEXT_UNSAFE(b, j, next);
      const bool can_open = prev < 0 || IsUnicodeWhitespace(prev) || prev == '(' ||
                            prev == '[' || prev == '{' || prev == 0x2014 || prev == 0x2013;
      const bool can_close = next < 0 || IsUnicodeWhitespace(next) || u_ispunct(next);
      if (open && can_close) {
        open = false;
      } else if (!open && can_open) {
        open = true;
      }
    }
    prev = c;
  }
  return open;
}

// The byte offsets in (0, p.size()] at which ICU's sentence rules (UAX #29, with
// CLDR's abbreviation suppressions "en@ss=standard") end a sentence of `p`, the
// ends' trailing white space excluded, ascending; only `window` bytes are read.
std::vector<size_t> SentenceEnds(absl::string_view p, size_t window) {
  std::vector<size_t> ends;
  const bool whole = window >= p.size();
  const absl::string_view text = p.substr(0, CodePointBoundaryBefore(p, window));
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createSentenceInstance(icu::Locale("en@ss=standard"), status));
  if (U_FAILURE(status) || it == nullptr) return ends;
  UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) return ends;
  it->setText(ut, status);
  if (U_SUCCESS(status)) {
    for (int32_t at = it->next(); at != icu::BreakIterator::DONE; at = it->next()) {
      const auto end = static_cast<size_t>(at);
      if (end == text.size() && !whole) break;  // the window's end, not the text's
      const size_t trimmed = TrimWhitespace(text.substr(0, end)).size() +
                             (StripLeadingWhitespace(text).data() - text.data());
      if (trimmed > 0) ends.push_back(trimmed);
    }
  }
  utext_close(ut);
  return ends;
}

// The longest prefix of paragraph `p` that ends a sentence, fits in `room` bytes
// and does not end inside a quotation; with `any_quote`, one that ends inside a
// quotation is taken when no other fits. "" if none.
absl::string_view SentencePrefix(absl::string_view p, size_t room, bool any_quote) {
  const std::vector<size_t> ends = SentenceEnds(p, room + kSentenceLookahead);
  size_t fallback = 0;
  for (auto it = ends.rbegin(); it != ends.rend(); ++it) {
    if (*it > room) continue;
    if (!EndsInsideQuote(p.substr(0, *it))) return p.substr(0, *it);
    if (fallback == 0) fallback = *it;
  }
  return any_quote ? p.substr(0, fallback) : absl::string_view();
}

// True if the paragraph that opens with `p` continues a quotation of the one
// before (the newspaper convention the quotes stage follows).
bool OpensWithQuoteMark(absl::string_view p) {
  if (p.empty()) return false;
  const auto* b = reinterpret_cast<const uint8_t*>(p.data());
  int32_t i = 0;
  UChar32 c;
  U8_NEXT_UNSAFE(b, i, c);
  return IsDoubleQuoteMark(c);
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

absl::Status AssembleArticle(DecodedDocument doc, v1::Article& article,
                             const TextLimits& limits) {
  std::set<std::string> repairs;
  const CleanupOptions cleanup{doc.from_markup};
  const auto clean = [&](absl::string_view s) { return CleanText(s, cleanup, &repairs); };

  // Labels and slug come off the headline ("UPDATE 2-RUGBY-All Blacks ...").
  HeadlineLabels labels = SplitHeadlineLabels(clean(doc.headline));
  std::vector<std::string> signals = std::move(labels.signals);
  bool alert = labels.alert;

  // Paragraph 0 is cleaned in two parts so the decoder's dateline prefix keeps
  // its end (cleaning is local: it never merges characters across the cut).
  size_t dateline_bytes = 0;
  for (size_t i = 0; i < doc.paragraphs.size(); ++i) {
    std::string& p = doc.paragraphs[i];
    if (i == 0 && doc.dateline_bytes > 0 && doc.dateline_bytes <= p.size()) {
      std::string prefix = clean(absl::string_view(p).substr(0, doc.dateline_bytes));
      const size_t lead = prefix.size() - StripLeadingWhitespace(prefix).size();
      dateline_bytes = prefix.size() - lead;
      p = std::string(TrimWhitespace(
          absl::StrCat(prefix, clean(absl::string_view(p).substr(doc.dateline_bytes)))));
      if (dateline_bytes > p.size()) dateline_bytes = 0;
    } else {
      p = std::string(TrimWhitespace(clean(p)));
    }
  }
  if (!doc.paragraphs.empty() && IsBlank(doc.paragraphs[0])) dateline_bytes = 0;
  doc.paragraphs.erase(std::remove_if(doc.paragraphs.begin(), doc.paragraphs.end(),
                                      [](const std::string& p) { return IsBlank(p); }),
                       doc.paragraphs.end());
  const bool collapsed = CollapseRepeatedParagraphs(&doc.paragraphs);
  MoveCredits(&doc.paragraphs, &doc.credits);
  // An alert label opening the body ("FLASH: WASHINGTON (AP) — ...") is a signal,
  // not text; the dateline may follow it.
  if (doc.dateline_bytes == 0 && !doc.paragraphs.empty()) {
    std::string signal;
    if (const size_t n = AlertLabelLength(doc.paragraphs[0], &signal); n > 0) {
      signals.push_back(std::move(signal));
      alert = true;
      doc.paragraphs[0].erase(0, n);
      if (IsBlank(doc.paragraphs[0])) doc.paragraphs.erase(doc.paragraphs.begin());
    }
  }
  // Reuters SGML declares its dateline (<DATELINE>).
  if (doc.dateline_bytes == 0 && !doc.paragraphs.empty() &&
      doc.format != v1::FORMAT_REUTERS_SGML) {
    if (std::optional<DatelineMatch> d =
            ParseDateline(doc.paragraphs.front(), DatelineMode::kHeuristic)) {
      if (doc.dateline.place().empty()) doc.dateline.set_place(d->place);
      if (doc.dateline.date().empty()) doc.dateline.set_date(d->date);
      if (doc.dateline.agency().empty()) doc.dateline.set_agency(d->agency);
      dateline_bytes = d->length;
    }
  }

  // The dateline prefix is normalized on its own to find where it ends in the
  // normalized paragraph (it ends with a dash, a normalization boundary).
  uint32_t dateline_code_points = 0;
  if (dateline_bytes > 0 && !doc.paragraphs.empty()) {
    absl::StatusOr<std::string> prefix =
        PrepareUnit(doc.paragraphs[0].substr(0, dateline_bytes));
    if (!prefix.ok()) return prefix.status();
    dateline_code_points = static_cast<uint32_t>(CountCodePoints(*prefix));
  }

  // An alert without a headline gets its first sentence as headline.
  bool headline_derived = false;
  if (IsBlank(labels.headline) && alert && !doc.paragraphs.empty()) {
    labels.headline = HeadlineFromFirstSentence(
        absl::string_view(doc.paragraphs[0]).substr(std::min(dateline_bytes, doc.paragraphs[0].size())));
    headline_derived = !labels.headline.empty();
  }
  absl::StatusOr<std::string> headline = PrepareUnit(std::move(labels.headline));
  if (!headline.ok()) return headline.status();
  for (std::string& signal : signals) {
    if (std::find(doc.wire.signals().begin(), doc.wire.signals().end(), signal) ==
        doc.wire.signals().end()) {
      doc.wire.add_signals(std::move(signal));
    }
  }
  if (!labels.slug.empty() && doc.wire.slugline().empty() && article.wire().slugline().empty()) {
    doc.wire.set_slugline(std::move(labels.slug));
  }

  std::vector<std::string> paragraphs;
  paragraphs.reserve(doc.paragraphs.size());
  size_t original_bytes = headline->size();
  for (std::string& p : doc.paragraphs) {
    absl::StatusOr<std::string> paragraph = PrepareUnit(std::move(p));
    if (!paragraph.ok()) return paragraph.status();
    original_bytes += (original_bytes > 0 ? 2 : 0) + paragraph->size();
    paragraphs.push_back(*std::move(paragraph));
  }

  // Which paragraphs fit: whole ones first, then a part of the one that crosses
  // max_text_bytes, cut at its last sentence end that fits (never inside a
  // quotation if avoidable); the first paragraph, if no sentence of it fits, at a
  // space (else a code point boundary) so the body is not left empty.
  bool truncated = false;
  if (headline->size() > limits.max_text_bytes) {
    headline->resize(CodePointBoundaryBefore(*headline, limits.max_text_bytes));
    truncated = true;
  }
  const size_t max_kept = std::min(paragraphs.size(), limits.max_paragraphs);
  size_t used = headline->size();
  size_t kept = 0;
  for (; kept < max_kept; ++kept) {
    const size_t separator = used > 0 ? 2 : 0;
    if (used + separator + paragraphs[kept].size() > limits.max_text_bytes) break;
    used += separator + paragraphs[kept].size();
  }
  std::optional<std::string> part;  // the cut paragraph kept[kept], if any
  if (kept < paragraphs.size()) {
    truncated = true;
    const size_t separator = used > 0 ? 2 : 0;
    if (kept < max_kept && used + separator < limits.max_text_bytes) {
      const absl::string_view p = paragraphs[kept];
      const size_t room = limits.max_text_bytes - used - separator;
      absl::string_view prefix = SentencePrefix(p, room, /*any_quote=*/kept == 0);
      if (prefix.empty() && kept == 0) {
        const size_t cut = CodePointBoundaryBefore(p, room);
        const size_t space = p.rfind(' ', cut);
        prefix = p.substr(0, space != absl::string_view::npos && space > 0 ? space : cut);
      }
      prefix = TrimWhitespace(prefix);
      if (!prefix.empty()) part = std::string(prefix);
    }
    if (!part.has_value()) {
      // Cut at a paragraph boundary: not inside a quotation that goes on in the
      // next paragraph (it would be left unclosed), if a few steps back avoid it.
      size_t k = kept;
      while (k > 1 && kept - k < kMaxQuoteBackoff && OpensWithQuoteMark(paragraphs[k]) &&
             EndsInsideQuote(paragraphs[k - 1])) {
        --k;
      }
      if (!(k < paragraphs.size() && OpensWithQuoteMark(paragraphs[k]) && k > 0 &&
            EndsInsideQuote(paragraphs[k - 1]))) {
        kept = k;
      }
    }
  }

  TextBuilder builder;
  article.clear_headline();
  article.clear_paragraphs();
  article.clear_sentences();
  article.clear_byline();
  if (!headline->empty()) *article.mutable_headline() = builder.Append(*headline);
  for (size_t i = 0; i < kept + (part.has_value() ? 1 : 0); ++i) {
    const std::string& paragraph = i < kept ? paragraphs[i] : *part;
    if (builder.size_code_points() > 0) builder.Append("\n\n");
    v1::Span span = builder.Append(paragraph);
    if (i == 0 && dateline_code_points > 0 &&
        dateline_code_points <= span.end() - span.begin()) {
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
  article.set_byline_text(CleanText(doc.byline, cleanup, &repairs));
  // Every format's declared language in one (BCP 47) case: "EN-gb" → "en-GB".
  doc.wire.set_declared_language(NormalizeLanguageTag(doc.wire.declared_language()));
  article.mutable_wire()->MergeFrom(doc.wire);
  article.clear_credits();
  for (const std::string& credit : doc.credits) {
    article.add_credits(CleanText(credit, cleanup, &repairs));
  }
  std::vector<std::string> flags = std::move(doc.flags);
  flags.insert(flags.end(), repairs.begin(), repairs.end());
  if (truncated) flags.push_back("truncated");
  if (headline_derived) flags.push_back("headline_derived");
  article.set_original_text_bytes(truncated ? original_bytes : 0);
  if (collapsed) flags.push_back("repeated_paragraphs_collapsed");
  if (headline->empty()) flags.push_back("headline_missing");
  if (article.paragraphs_size() == 0) flags.push_back("body_empty");
  for (std::string& flag : flags) {
    if (std::find(article.flags().begin(), article.flags().end(), flag) ==
        article.flags().end()) {
      article.add_flags(std::move(flag));
    }
  }

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
