#include "stages/decode/headline.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "re2/re2.h"
#include "stages/common/re2_util.h"
#include "stages/common/unicode.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

struct Label {
  absl::string_view word;
  absl::string_view signal;
  bool numbered = false;  // "UPDATE 2", "WRAPUP 1"
  bool alert = false;
};

// Status labels (Reuters: UPDATE n, CORRECTED, REFILE, RPT), genre labels
// (Reuters: EXCLUSIVE, ANALYSIS, FACTBOX, ...) and alert labels (AP/Reuters
// FLASH, URGENT, BULLETIN; web ALERT, BREAKING). "BREAKING NEWS" before
// "BREAKING": the first that matches wins.
constexpr Label kLabels[] = {
    {"UPDATE", "sig:update", true},
    {"CORRECTED", "sig:correction"},
    {"CORRECTION", "sig:correction"},
    {"CORRECTS", "sig:correction"},
    {"REFILE", "wire:refile"},
    {"RPT", "wire:refile"},
    {"REPEAT", "wire:refile"},
    {"WRAPUP", "wire:wrapup", true},
    {"EXCLUSIVE", "wire:exclusive"},
    {"ANALYSIS", "wire:analysis"},
    {"BREAKINGVIEWS", "wire:breakingviews"},
    {"BRIEF", "wire:brief"},
    {"COLUMN", "wire:column"},
    {"EXPLAINER", "wire:explainer"},
    {"FACTBOX", "wire:factbox"},
    {"FEATURE", "wire:feature"},
    {"GRAPHIC", "wire:graphic"},
    {"HIGHLIGHTS", "wire:highlights"},
    {"INSIGHT", "wire:insight"},
    {"INTERVIEW", "wire:interview"},
    {"NEWSMAKER", "wire:newsmaker"},
    {"POLL", "wire:poll"},
    {"PREVIEW", "wire:preview"},
    {"SPECIAL REPORT", "wire:special-report"},
    {"TIMELINE", "wire:timeline"},
    {"FLASH", "wire:flash", false, true},
    {"URGENT", "wire:urgent", false, true},
    {"BULLETIN", "wire:bulletin", false, true},
    {"ALERT", "wire:alert", false, true},
    {"BREAKING NEWS", "wire:breaking", false, true},
    {"BREAKING", "wire:breaking", false, true},
};

// Second halves of compounds written after a capitalised word: "UK-Based",
// "US-Backed", "AI-Generated" are not slugs.
constexpr absl::string_view kCompoundHeads[] = {
    "affiliated", "aligned", "allied",   "approved", "backed",    "based",     "born",
    "bound",      "bred",    "brokered", "built",    "class",     "controlled", "designed",
    "dominated",  "driven",  "era",      "flagged",  "focused",   "free",      "friendly",
    "fuelled",    "fueled",  "funded",   "generated", "held",     "inspired",  "led",
    "level",      "like",    "linked",   "listed",   "made",      "occupied",  "only",
    "owned",      "powered", "registered", "related", "run",      "sized",     "specific",
    "sponsored",  "style",   "themed",   "trained",  "type",      "wide"};

// Single-word desk slugs (sports, markets and other desks of Reuters-style
// headlines: "RUGBY-", "SOCCER-", "METALS-"). A single capitalised word before a
// hyphen is far more often the first half of a compound ("SPD-Krise", "BASF-Chef",
// "NATO-Gipfel", "EU-Kommission" in German copy), so only these words are taken
// as slugs on their own; a slug of two words or more ("GLOBAL MARKETS-") is
// recognised by its shape.
constexpr absl::string_view kDeskSlugs[] = {
    "ALPINE",    "ATHLETICS", "BADMINTON", "BASEBALL",   "BASKETBALL", "BONDS",     "BOXING",
    "BRIEF",     "BUZZ",      "CANOEING",  "COFFEE",     "COMMODITIES", "CORN",     "COTTON",
    "CREDIT",    "CRICKET",   "CRUDE",     "CYCLING",    "DIVING",     "EQUESTRIAN", "FENCING",
    "FOOTBALL",  "FOREX",     "GOLD",      "GOLF",       "GRAINS",     "GYMNASTICS", "HANDBALL",
    "HOCKEY",    "JUDO",      "LNG",       "METALS",     "MLB",        "MOTORCYCLING", "MOTORSPORT",
    "NBA",       "NFL",       "NHL",       "OIL",        "OLYMPICS",   "PARALYMPICS", "POLO",
    "PRECIOUS",  "ROWING",    "RUGBY",     "SAILING",    "SHOOTING",   "SKIING",    "SNOOKER",
    "SOCCER",    "SOFTS",     "SOYBEANS",  "SQUASH",     "STOCKS",     "SUGAR",     "SURFING",
    "SWIMMING",  "TENNIS",    "TRIATHLON", "VOLLEYBALL", "WEIGHTLIFTING", "WHEAT",  "WRESTLING"};

// Nouns of two-party relations: "US-China talks", "NATO-Russia council".
constexpr absl::string_view kPairNouns[] = {
    "accord",    "agreement", "alliance", "axis",     "border",   "clash",        "commission",
    "conflict",  "cooperation", "council", "deal",    "deals",    "dialogue",     "dispute",
    "feud",      "flights",   "meeting",  "merger",   "negotiations", "pact",     "partnership",
    "pipeline",  "relations", "rift",     "rivalry",  "row",      "spat",         "standoff",
    "summit",    "talks",     "tensions", "thaw",     "ties",     "trade",        "treaty",
    "war"};

// Abbreviations after which "." does not end a sentence (titles, months, U.S.
// states in AP style, company suffixes, reference abbreviations).
constexpr absl::string_view kAbbreviations[] = {
    "Mr",   "Mrs",  "Ms",   "Messrs", "Dr",   "Prof", "Rev",  "Hon",  "Sen",  "Rep",  "Gov",
    "Pres", "Amb",  "Atty", "Supt",   "Gen",  "Lt",   "Col",  "Maj",  "Capt", "Cmdr", "Adm",
    "Brig", "Sgt",  "Cpl",  "Pvt",    "Det",  "Insp", "Sr",   "Jr",   "St",   "Mt",   "Ft",
    "Fr",   "Jan",  "Feb",  "Mar",    "Apr",  "Jun",  "Jul",  "Aug",  "Sep",  "Sept", "Oct",
    "Nov",  "Dec",  "Ala",  "Ariz",   "Ark",  "Calif", "Colo", "Conn", "Del", "Fla",  "Ga",
    "Ill",  "Ind",  "Kan",  "Ky",     "La",   "Md",   "Mass", "Mich", "Minn", "Miss", "Mo",
    "Mont", "Neb",  "Nev",  "Okla",   "Ore",  "Pa",   "Tenn", "Tex",  "Va",   "Vt",   "Wash",
    "Wis",  "Wyo",  "Inc",  "Corp",   "Co",   "Ltd",  "Bros", "No",   "Nos",  "vs",   "cf",
    "e.g",  "i.e",  "approx"};

constexpr size_t kMaxDerivedCodePoints = 160;

template <size_t N>
bool In(const absl::string_view (&list)[N], absl::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

UChar32 FirstCodePoint(absl::string_view s) {
  if (s.empty()) return U_SENTINEL;
  UChar32 c;
  int32_t i = 0;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
  return c;
}

bool HasLower(absl::string_view s) {
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    if (c >= 0 && u_islower(c)) return true;
  }
  return false;
}

bool StartsLower(absl::string_view s) {
  const UChar32 c = FirstCodePoint(s);
  return c >= 0 && u_islower(c);
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Consumes a separator at the start of *s: "-", "--", en dash, em dash or ":".
bool ConsumeSeparator(absl::string_view* s) {
  for (absl::string_view sep : {"--", "-", "\xE2\x80\x93", "\xE2\x80\x94", ":"}) {
    if (absl::ConsumePrefix(s, sep)) return true;
  }
  return false;
}

absl::string_view SkipSpaces(absl::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

struct LabelMatch {
  size_t length = 0;  // bytes consumed, with the separator and white space after it
  const Label* label = nullptr;
  std::string number;
};

// The label opening `s` (no leading white space), if any; `alerts_only` for the
// start of a paragraph.
std::optional<LabelMatch> MatchLabel(absl::string_view s, bool alerts_only) {
  for (const Label& label : kLabels) {
    if (alerts_only && !label.alert) continue;
    if (!absl::StartsWith(s, label.word)) continue;
    absl::string_view rest = s.substr(label.word.size());
    LabelMatch m;
    m.label = &label;
    if (label.numbered) {
      absl::string_view after = SkipSpaces(rest);
      size_t digits = 0;
      while (digits < after.size() && digits < 4 && absl::ascii_isdigit(after[digits])) ++digits;
      if (digits > 0 && digits < 4 && (after.size() == digits || !absl::ascii_isdigit(after[digits]))) {
        m.number = std::string(after.substr(0, digits));
        rest = after.substr(digits);
      }
    }
    // The label is a whole word.
    if (!rest.empty() && !IsSpace(rest.front()) && rest.front() != '-' && rest.front() != ':' &&
        !absl::StartsWith(rest, "\xE2\x80\x93") && !absl::StartsWith(rest, "\xE2\x80\x94")) {
      continue;
    }
    const absl::string_view before_spaces = rest;
    rest = SkipSpaces(rest);
    const bool space_before = rest.size() < before_spaces.size();
    const bool bare_hyphen = !space_before && absl::StartsWith(rest, "-");
    if (ConsumeSeparator(&rest)) {
      const bool space_after = !rest.empty() && IsSpace(rest.front());
      rest = SkipSpaces(rest);
      // "ALERT-level": a word, not a label ("UPDATE 3-x", with its number, is one).
      if (bare_hyphen && !space_after && m.number.empty() && StartsLower(rest)) continue;
    } else if (rest.empty()) {
      if (!label.alert) continue;  // "UPDATE" alone stays a headline
    } else if (!label.alert || !space_before || !HasLower(rest) || StartsLower(rest)) {
      // White space only ends an alert label before text that is not all capitals.
      continue;
    }
    m.length = s.size() - rest.size();
    return m;
  }
  return std::nullopt;
}

// The slug opening `s` ("RUGBY" of "RUGBY-All Blacks beat ..."): its length
// without the hyphen, 0 if none (see SplitHeadlineLabels).
size_t SlugLength(absl::string_view s) {
  static const RE2* const re =
      new RE2(R"(^(\p{Lu}[\p{Lu}\d]*(?: \p{Lu}[\p{Lu}\d]*){0,3})-\p{Lu})");
  // A slug with nothing after it ("RUGBY-"): the headline was only labels.
  static const RE2* const alone =
      new RE2(R"(^(\p{Lu}[\p{Lu}\d]*(?: \p{Lu}[\p{Lu}\d]*){0,3})-[ \t]*$)");
  re2::StringPiece slug_piece;
  if (RE2::PartialMatch(ToPiece(s), *alone, &slug_piece)) {
    const absl::string_view slug = ToView(slug_piece);
    return slug.find(' ') == absl::string_view::npos && !In(kDeskSlugs, slug) ? 0 : slug.size();
  }
  if (!RE2::PartialMatch(ToPiece(s), *re, &slug_piece)) return 0;
  const absl::string_view slug = ToView(slug_piece);
  if (slug.find(' ') == absl::string_view::npos && !In(kDeskSlugs, slug)) return 0;
  const absl::string_view rest = s.substr(slug.size() + 1);
  if (!HasLower(rest)) return 0;  // ALL-CAPS: "NON-FARM PAYROLLS RISE"
  std::vector<absl::string_view> words = absl::StrSplit(rest, ' ', absl::SkipEmpty());
  auto bare = [](absl::string_view w) {
    while (!w.empty() && absl::ascii_ispunct(w.back())) w.remove_suffix(1);
    return w;
  };
  if (words.empty()) return 0;
  if (In(kCompoundHeads, absl::AsciiStrToLower(bare(words[0])))) return 0;
  if (words.size() > 1 && In(kPairNouns, bare(words[1]))) return 0;
  // Title Case ("AI-Generated Images Flood Social Media"): no lower-case word of
  // four letters or more after the first, and at least two capitalised ones.
  int capitalised = 0;
  for (size_t i = 1; i < words.size(); ++i) {
    const absl::string_view w = bare(words[i]);
    const UChar32 c = FirstCodePoint(w);
    if (c < 0 || !u_isalpha(c) || CountCodePoints(w) < 4) continue;
    if (u_islower(c)) return slug.size();
    ++capitalised;
  }
  return capitalised >= 2 ? 0 : slug.size();
}

void AddSignal(std::vector<std::string>* signals, std::string signal) {
  if (std::find(signals->begin(), signals->end(), signal) == signals->end()) {
    signals->push_back(std::move(signal));
  }
}

void AddLabelSignals(const LabelMatch& m, std::vector<std::string>* signals) {
  if (m.label->word == "UPDATE") {
    AddSignal(signals, "sig:update");
    if (!m.number.empty()) AddSignal(signals, absl::StrCat("wire:update-", m.number));
  } else if (!m.number.empty()) {
    AddSignal(signals, absl::StrCat(m.label->signal, "-", m.number));
  } else {
    AddSignal(signals, std::string(m.label->signal));
  }
}

// "F", "U.S", "D.C" (the token before a final period): initials.
bool IsInitials(absl::string_view token) {
  static const RE2* const re = new RE2(R"((?:\p{Lu}\.)*\p{Lu})");
  return RE2::FullMatch(ToPiece(token), *re);
}

}  // namespace

HeadlineLabels SplitHeadlineLabels(absl::string_view headline) {
  HeadlineLabels out;
  absl::string_view rest = TrimWhitespace(headline);
  for (int round = 0; round < 8 && !rest.empty(); ++round) {
    if (std::optional<LabelMatch> m = MatchLabel(rest, /*alerts_only=*/false)) {
      AddLabelSignals(*m, &out.signals);
      out.alert = out.alert || m->label->alert;
      rest = TrimWhitespace(rest.substr(m->length));
      continue;
    }
    if (out.slug.empty()) {
      if (const size_t n = SlugLength(rest); n > 0) {
        out.slug = std::string(rest.substr(0, n));
        rest = TrimWhitespace(rest.substr(n + 1));
        continue;
      }
    }
    break;
  }
  out.headline = std::string(rest);
  return out;
}

size_t AlertLabelLength(absl::string_view text, std::string* signal) {
  std::optional<LabelMatch> m = MatchLabel(text, /*alerts_only=*/true);
  if (!m.has_value()) return 0;
  *signal = std::string(m->label->signal);
  return m->length;
}

namespace {

struct SentenceEnd {
  size_t end;        // bytes up to and including the punctuation and closing quotes
  bool bare_period;  // it is a "." with nothing after it
};

// The end of the first sentence of `text` (see HeadlineFromFirstSentence), or
// std::nullopt if no ".", "!" or "?" ends one.
std::optional<SentenceEnd> FirstSentenceEnd(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '.' && c != '!' && c != '?') continue;
    // Closing quotes and brackets stay with the sentence.
    size_t j = i + 1;
    for (bool more = true; more && j < text.size();) {
      more = false;
      for (absl::string_view close : {"\"", "'", ")", "]", "\xE2\x80\x9D", "\xE2\x80\x99"}) {
        if (absl::StartsWith(text.substr(j), close)) {
          j += close.size();
          more = true;
          break;
        }
      }
    }
    if (j < text.size() && !IsSpace(text[j])) continue;
    if (StartsLower(SkipSpaces(text.substr(j)))) continue;  // "5 p.m. local time"
    if (c == '.') {
      size_t start = text.rfind(' ', i);
      start = start == absl::string_view::npos ? 0 : start + 1;
      absl::string_view token = text.substr(start, i - start);
      while (!token.empty() && (token.front() == '(' || token.front() == '"' ||
                                token.front() == '\'' || token.front() == '[')) {
        token.remove_prefix(1);
      }
      if (IsInitials(token) || In(kAbbreviations, token)) continue;
    }
    return SentenceEnd{j, c == '.' && j == i + 1};
  }
  return std::nullopt;
}

}  // namespace

int CountSentenceEnds(absl::string_view text, int limit) {
  int count = 0;
  text = TrimWhitespace(text);
  while (count < limit && !text.empty()) {
    const std::optional<SentenceEnd> e = FirstSentenceEnd(text);
    if (!e.has_value()) break;
    ++count;
    text = TrimWhitespace(text.substr(e->end));
  }
  return count;
}

std::string HeadlineFromFirstSentence(absl::string_view text) {
  text = TrimWhitespace(text);
  size_t end = text.size();
  bool drop_period = false;
  if (const std::optional<SentenceEnd> e = FirstSentenceEnd(text)) {
    end = e->end;
    drop_period = e->bare_period;
  }
  absl::string_view sentence = text.substr(0, end);
  if (drop_period) sentence.remove_suffix(1);
  if (CountCodePoints(sentence) <= kMaxDerivedCodePoints) {
    return std::string(TrimWhitespace(sentence));
  }
  const size_t limit = CodePointToByteOffset(sentence, kMaxDerivedCodePoints);
  size_t cut = sentence.rfind(' ', limit);
  if (cut == absl::string_view::npos || cut == 0) cut = limit;
  absl::string_view head = TrimWhitespace(sentence.substr(0, cut));
  while (!head.empty() && (head.back() == ',' || head.back() == ';' || head.back() == ':')) {
    head.remove_suffix(1);
  }
  return absl::StrCat(head, "\xE2\x80\xA6");
}

}  // namespace newsd::stages
