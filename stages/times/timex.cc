#include "stages/times/timex.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "stages/common/re2_util.h"
#include "stages/common/unicode.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

constexpr int kMaxGroups = 6;
// Bytes after an expression searched for a future marker when no verb precedes
// it in its sentence ("On Wednesday, Mohamed and his father are to travel").
constexpr size_t kTenseLookahead = 60;

// Lowercased, typography-folded text with a byte → code point map.
struct Folded {
  std::string text;
  std::vector<uint32_t> cp_of_byte;  // size text.size() + 1
  std::vector<uint8_t> upper;        // per code point of the original: 1 if uppercase
};

Folded Fold(absl::string_view utf8) {
  Folded f;
  f.text.reserve(utf8.size());
  f.cp_of_byte.reserve(utf8.size() + 1);
  f.upper.reserve(utf8.size());
  uint32_t cp = 0;
  for (int32_t i = 0, n = static_cast<int32_t>(utf8.size()); i < n; ++cp) {
    // ASCII runs in bulk, the same result as the general path: u_isupper is true
    // for A-Z only, u_tolower maps A-Z to a-z, FoldTypographic leaves ASCII alone.
    if (static_cast<unsigned char>(utf8[i]) < 0x80) {
      int32_t run_end = i + 1;
      while (run_end < n && static_cast<unsigned char>(utf8[run_end]) < 0x80) ++run_end;
      const size_t len = static_cast<size_t>(run_end - i);
      const size_t at = f.text.size();
      f.text.resize(at + len);
      f.upper.resize(f.upper.size() + len);
      f.cp_of_byte.resize(at + len);
      uint8_t* upper = f.upper.data() + f.upper.size() - len;
      for (size_t k = 0; k < len; ++k) {
        const auto b = static_cast<unsigned char>(utf8[i + k]);
        const bool is_upper = b >= 'A' && b <= 'Z';
        upper[k] = is_upper;
        f.text[at + k] = static_cast<char>(is_upper ? b + ('a' - 'A') : b);
        f.cp_of_byte[at + k] = cp + static_cast<uint32_t>(k);
      }
      cp += static_cast<uint32_t>(len) - 1;  // the loop adds the last one
      i = run_end;
      continue;
    }
    UChar32 c;
    U8_NEXT(utf8.data(), i, n, c);
    if (c < 0) c = 0xFFFD;
    f.upper.push_back(u_isupper(c) != 0);
    AppendUtf8(u_tolower(FoldTypographic(c)), &f.text);
    f.cp_of_byte.resize(f.text.size(), cp);
  }
  f.cp_of_byte.push_back(cp);
  return f;
}

// Fold over text already decoded into code points (the shared token stream's
// TextAnalysis::code_points): the same result as Fold of its UTF-8.
Folded FoldCodePoints(const std::u32string& cps) {
  Folded f;
  const size_t n = cps.size();
  f.text.reserve(n);
  f.cp_of_byte.reserve(n + 1);
  f.upper.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<UChar32>(cps[i]);
    if (c < 0x80) {
      const bool is_upper = c >= 'A' && c <= 'Z';
      f.upper[i] = is_upper;
      f.text.push_back(static_cast<char>(is_upper ? c + ('a' - 'A') : c));
      f.cp_of_byte.push_back(static_cast<uint32_t>(i));
      continue;
    }
    f.upper[i] = u_isupper(c) != 0;
    AppendUtf8(u_tolower(FoldTypographic(c)), &f.text);
    f.cp_of_byte.resize(f.text.size(), static_cast<uint32_t>(i));
  }
  f.cp_of_byte.push_back(static_cast<uint32_t>(n));
  return f;
}

int NumberWord(absl::string_view w) {
  static constexpr std::array<absl::string_view, 21> kSmall = {
      "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
      "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
      "eighteen", "nineteen", "twenty"};
  for (size_t i = 0; i < kSmall.size(); ++i) {
    if (w == kSmall[i]) return static_cast<int>(i);
  }
  if (w == "a" || w == "an") return 1;
  if (w == "a couple of") return 2;
  if (w == "thirty") return 30;
  if (w == "forty") return 40;
  if (w == "fifty") return 50;
  if (w == "sixty") return 60;
  if (w == "hundred") return 100;
  int n = 0;
  if (absl::SimpleAtoi(w, &n)) return n;
  return -1;  // "a few", "several", "some", "many": unspecified
}

int MonthNumber(absl::string_view m) {
  static constexpr std::array<absl::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (m.substr(0, 3) == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

// Monday = 0 ... Sunday = 6 (absl::Weekday order).
int WeekdayNumber(absl::string_view w) {
  static constexpr std::array<absl::string_view, 7> kDays = {
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  for (size_t i = 0; i < kDays.size(); ++i) {
    if (w == kDays[i]) return static_cast<int>(i);
  }
  return -1;
}

std::string PartOfDay(absl::string_view p) {
  if (p == "morning") return "MO";
  if (p == "afternoon") return "AF";
  if (p == "evening") return "EV";
  if (p == "night") return "NI";
  return "";
}

std::string Mod(absl::string_view m) {
  if (m == "early" || m == "earlier" || m == "the beginning of" || m == "the start of") {
    return "START";
  }
  if (m == "mid" || m == "middle of" || m == "mid-") return "MID";
  if (m == "late" || m == "later" || m == "the end of") return "END";
  if (m == "about" || m == "around" || m == "nearly" || m == "almost" || m == "some" ||
      m == "circa") {
    return "APPROX";
  }
  if (m == "more than" || m == "over" || m == "at least") return "MORE_THAN";
  if (m == "up to" || m == "less than") return "LESS_THAN";
  return "";
}

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}
std::string Month(absl::CivilMonth m) { return absl::StrFormat("%04d-%02d", m.year(), m.month()); }
std::string Year(int64_t y) { return absl::StrFormat("%04d", y); }

int WeekdayIndex(absl::CivilDay d) { return static_cast<int>(absl::GetWeekday(d)); }

// The year of month `month`, day `day` given the anchor and tense: the anchor's
// year, unless that puts the date more than a month the wrong way for the tense
// ("was on Dec. 20" in September → last year; "will be on Jan. 5" in
// September → next year).
int64_t YearFor(absl::CivilDay anchor, int month, int day, Tense tense) {
  const int64_t diff = absl::CivilDay(anchor.year(), month, std::max(day, 1)) - anchor;
  if (tense == Tense::kPast && diff > 31) return anchor.year() - 1;
  if (tense == Tense::kFuture && diff < -31) return anchor.year() + 1;
  return anchor.year();
}

Tense TenseAt(absl::string_view folded, size_t byte) {
  // Back to the start of the sentence, at most kMaxSentenceBytes (text without
  // sentence punctuation would otherwise make every match scan back to the start).
  constexpr size_t kMaxSentenceBytes = 1000;
  const size_t floor = byte > kMaxSentenceBytes ? byte - kMaxSentenceBytes : 0;
  size_t begin = byte;
  while (begin > floor && folded[begin - 1] != '.' && folded[begin - 1] != '\n' &&
         folded[begin - 1] != '!' && folded[begin - 1] != '?' && folded[begin - 1] != ';') {
    --begin;
  }
  // The verb nearest before the expression decides; future markers first, so
  // that "scheduled" and "expected to" are not taken for past forms.
  static const RE2* const kMarker = new RE2(
      "\\b(?:(will|'ll|shall|going to|is to|are to|plans? to|planned|scheduled|"
      "expected to|due to|upcoming|set to|next|intends? to|would)|(said|says|told|was|"
      "were|had|did|met|held|took|came|went|began|\\w+ed))\\b");
  re2::StringPiece prefix = ToPiece(folded.substr(begin, byte - begin));
  re2::StringPiece future, past;
  std::optional<Tense> last;
  while (RE2::FindAndConsume(&prefix, *kMarker, &future, &past)) {
    if (!future.empty()) {
      last = Tense::kFuture;
      continue;
    }
    // A participle after "be" ("is to be held") is passive, not past.
    const absl::string_view before =
        folded.substr(0, static_cast<size_t>(past.data() - folded.data()));
    if (!absl::EndsWith(before, "be ") && !absl::EndsWith(before, "been ")) {
      last = Tense::kPast;
    }
  }
  if (last.has_value()) return *last;
  // No verb before it ("On Wednesday, Mohamed and his father are to travel"):
  // look ahead in the clause.
  const size_t end = std::min(folded.size(), byte + kTenseLookahead);
  re2::StringPiece ahead = ToPiece(folded.substr(byte, end - byte));
  while (RE2::FindAndConsume(&ahead, *kMarker, &future, &past)) {
    if (!future.empty()) return Tense::kFuture;
  }
  return Tense::kPast;
}

struct Rule;

// The context a rule's handler works in.
struct Match {
  const Folded* f;
  std::array<re2::StringPiece, kMaxGroups + 1> g;  // g[0] the whole match
  std::optional<absl::CivilDay> anchor;
  // The tense at the match (TenseAt), computed on first use: most handlers
  // never ask for it.
  Tense tense() const {
    if (!tense_.has_value()) tense_ = TenseAt(f->text, g[0].data() - f->text.data());
    return *tense_;
  }
  mutable std::optional<Tense> tense_;
  absl::string_view G(int i) const { return ToView(g[i]); }
  bool Has(int i) const { return g[i].data() != nullptr && !g[i].empty(); }
  // True if group i starts with an uppercase letter in the original text.
  bool Capitalised(int i) const {
    const size_t byte = g[i].data() - f->text.data();
    return f->upper[f->cp_of_byte[byte]] != 0;
  }
};

using Handler = std::function<bool(const Match&, Timex*)>;

struct Rule {
  std::unique_ptr<RE2> re;
  Handler handle;
};

constexpr absl::string_view kMonth =
    "(january|february|march|april|may|june|july|august|september|october|november|"
    "december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?";
constexpr absl::string_view kWeekday =
    "(monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
constexpr absl::string_view kNumber =
    "(\\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    "sixty|hundred|a few|several|a couple of|many)";
constexpr absl::string_view kUnit =
    "(second|minute|hour|day|week|weekend|month|year|decade|century|centurie)s?";
constexpr absl::string_view kMod =
    "(?:(early|mid|middle of|late|the end of|the beginning of|the start of)[\\s-]+)?";

// Sets a DATE day value (or X placeholders without anchor).
void SetDay(const std::optional<absl::CivilDay>& d, Timex* t) {
  t->type = "DATE";
  t->value = d.has_value() ? Day(*d) : "XXXX-XX-XX";
}

// A TIME on the anchor day at hh:mm; "Z" for a GMT/UTC `zone`.
void SetClock(const std::optional<absl::CivilDay>& anchor, int h, int mi,
              absl::string_view zone, Timex* t) {
  t->type = "TIME";
  t->value = absl::StrFormat("%sT%02d:%02d", anchor.has_value() ? Day(*anchor) : "XXXX-XX-XX",
                             h, mi);
  if (zone == "gmt" || zone == "utc") t->value += "Z";
  t->relative = true;
}

// Dates written with a month name and day; `wd`, `month`, `day`, `year` are
// group numbers (0 if absent).
bool MonthDay(const Match& m, int month_group, int day_group, int year_group, Timex* t) {
  if (!m.Capitalised(month_group)) return false;
  const int month = MonthNumber(m.G(month_group));
  int day = 0;
  if (!absl::SimpleAtoi(m.G(day_group), &day) || day < 1 || day > 31) return false;
  int64_t year = 0;
  if (m.Has(year_group)) {
    if (!absl::SimpleAtoi(m.G(year_group), &year)) return false;
  } else if (m.anchor.has_value()) {
    year = YearFor(*m.anchor, month, day, m.tense());
    t->relative = true;
  } else {
    t->type = "DATE";
    t->value = absl::StrFormat("XXXX-%02d-%02d", month, day);
    return true;
  }
  const absl::CivilDay d(year, month, day);
  if (d.day() != day) return false;  // "February 30"
  SetDay(d, t);
  return true;
}

std::string DurationValue(int n, absl::string_view unit) {
  const std::string count = n < 0 ? "X" : absl::StrCat(n);
  if (unit == "second") return absl::StrCat("PT", count, "S");
  if (unit == "minute") return absl::StrCat("PT", count, "M");
  if (unit == "hour") return absl::StrCat("PT", count, "H");
  if (unit == "day") return absl::StrCat("P", count, "D");
  if (unit == "week") return absl::StrCat("P", count, "W");
  if (unit == "weekend") return absl::StrCat("P", count, "WE");
  if (unit == "month") return absl::StrCat("P", count, "M");
  if (unit == "year") return absl::StrCat("P", count, "Y");
  if (unit == "decade") return absl::StrCat("P", n < 0 ? "X" : absl::StrCat(n * 10), "Y");
  return absl::StrCat("P", n < 0 ? "X" : absl::StrCat(n * 100), "Y");  // century
}

// The value of the calendar unit containing `d` shifted by `k` units.
std::string UnitValue(absl::CivilDay d, absl::string_view unit, int k) {
  if (unit == "day") return Day(d + k);
  if (unit == "week") return IsoWeek(d + 7 * k);
  if (unit == "weekend") return IsoWeek(d + 7 * k) + "-WE";
  if (unit == "month") return Month(absl::CivilMonth(d) + k);
  if (unit == "year") return Year(d.year() + k);
  if (unit == "decade") return absl::StrCat((d.year() / 10 + k));
  if (unit == "century") return absl::StrFormat("%02d", d.year() / 100 + k);
  if (unit == "quarter") {
    const int64_t q = (d.year() * 4 + (d.month() - 1) / 3) + k;
    return absl::StrCat(Year(q / 4), "-Q", q % 4 + 1);
  }
  // Seasons: spring SP, summer SU, fall FA, winter WI (of the year it starts).
  const std::string code = unit == "spring" ? "SP" : unit == "summer" ? "SU"
                           : unit == "winter" ? "WI" : "FA";
  return absl::StrCat(Year(d.year() + k), "-", code);
}

const std::vector<Rule>& Rules() {
  static const std::vector<Rule>* const kRules = [] {
    auto* rules = new std::vector<Rule>;
    auto add = [&](std::string pattern, Handler h) {
      auto re = std::make_unique<RE2>(pattern);
      if (!re->ok() || re->NumberOfCapturingGroups() > kMaxGroups) std::abort();
      rules->push_back(Rule{std::move(re), std::move(h)});
    };
    // 2013-09-12, 2013-09-12t15:00
    add("\\b(\\d{4})-(\\d{2})-(\\d{2})(?:t(\\d{2}):(\\d{2}))?\\b", [](const Match& m, Timex* t) {
      int y, mo, d;
      if (!absl::SimpleAtoi(m.G(1), &y) || !absl::SimpleAtoi(m.G(2), &mo) ||
          !absl::SimpleAtoi(m.G(3), &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
        return false;
      }
      SetDay(absl::CivilDay(y, mo, d), t);
      if (m.Has(4)) {
        t->type = "TIME";
        absl::StrAppend(&t->value, "T", m.G(4), ":", m.G(5));
      }
      return true;
    });
    // [Thursday,] Sept. 12[, 2013]
    add(absl::StrCat("\\b(?:", kWeekday, ",?\\s+)?", kMonth,
                     "\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?"),
        [](const Match& m, Timex* t) { return MonthDay(m, 2, 3, 4, t); });
    // [Thursday,] 12 September[ 2013], the 12th of September
    add(absl::StrCat("\\b(?:", kWeekday, ",?\\s+)?(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?",
                     kMonth, "(?:,?\\s+(\\d{4})\\b)?"),
        [](const Match& m, Timex* t) { return MonthDay(m, 3, 2, 4, t); });
    // [early] September 2013
    add(absl::StrCat("\\b", kMod, kMonth, ",?\\s+(?:of\\s+)?(\\d{4})\\b"),
        [](const Match& m, Timex* t) {
          if (!m.Capitalised(2)) return false;
          t->type = "DATE";
          t->value = absl::StrFormat("%s-%02d", m.G(3), MonthNumber(m.G(2)));
          t->mod = Mod(m.G(1));
          return true;
        });
    // [early] September (a month name alone; not "May", not an abbreviation)
    add(absl::StrCat("\\b", kMod, kMonth), [](const Match& m, Timex* t) {
      const absl::string_view name = m.G(2);
      static constexpr std::array<absl::string_view, 11> kFull = {
          "january", "february", "march", "april", "june", "july", "august",
          "september", "october", "november", "december"};
      if (!m.Capitalised(2) || std::find(kFull.begin(), kFull.end(), name) == kFull.end()) {
        return false;
      }
      const int month = MonthNumber(name);
      t->type = "DATE";
      t->mod = Mod(m.G(1));
      if (!m.anchor.has_value()) {
        t->value = absl::StrFormat("XXXX-%02d", month);
      } else {
        t->value = absl::StrFormat("%04d-%02d", YearFor(*m.anchor, month, 15, m.tense()), month);
        t->relative = true;
      }
      return true;
    });
    // 9/12/2013 (US order)
    add("\\b(\\d{1,2})/(\\d{1,2})/(\\d{4})\\b", [](const Match& m, Timex* t) {
      int mo, d, y;
      if (!absl::SimpleAtoi(m.G(1), &mo) || !absl::SimpleAtoi(m.G(2), &d) ||
          !absl::SimpleAtoi(m.G(3), &y) || mo < 1 || mo > 12 || d < 1 || d > 31) {
        return false;
      }
      SetDay(absl::CivilDay(y, mo, d), t);
      return true;
    });
    // the [early] 1990s, the '90s
    add(absl::StrCat("\\b(?:the\\s+)?", kMod, "(1\\d\\d|20\\d)0'?s\\b"),
        [](const Match& m, Timex* t) {
          t->type = "DATE";
          t->value = std::string(m.G(2));
          t->mod = Mod(m.G(1));
          return true;
        });
    add(absl::StrCat("(?:\\bthe\\s+)?", kMod, "'(\\d)0s\\b"), [](const Match& m, Timex* t) {
      t->type = "DATE";
      t->value = absl::StrCat("19", m.G(2));
      t->mod = Mod(m.G(1));
      return true;
    });
    // the sixties, the late nineties
    add(absl::StrCat("\\bthe\\s+", kMod,
                     "(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\\b"),
        [](const Match& m, Timex* t) {
          static constexpr std::array<absl::string_view, 8> kDecades = {
              "twenties", "thirties", "forties", "fifties", "sixties", "seventies",
              "eighties", "nineties"};
          const auto it = std::find(kDecades.begin(), kDecades.end(), m.G(2));
          t->type = "DATE";
          t->value = absl::StrCat("19", (it - kDecades.begin()) + 2);
          t->mod = Mod(m.G(1));
          return true;
        });
    // the 20th century
    add("\\b(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)[\\s-]+century\\b", [](const Match& m, Timex* t) {
      int n;
      if (!absl::SimpleAtoi(m.G(1), &n) || n < 1) return false;
      t->type = "DATE";
      t->value = absl::StrFormat("%02d", n - 1);
      return true;
    });
    // [in|early|mid-] 2014 — a year, not an amount
    add("\\b(?:(early|mid|late|in|since|by|until|from|to|through|during|before|after|"
        "of|around)[\\s-]+)?((?:1[6-9]|20)\\d\\d)\\b",
        [](const Match& m, Timex* t) {
          const std::string& text = m.f->text;
          const size_t end = m.g[2].data() + m.g[2].size() - text.data();
          const size_t begin = m.g[2].data() - text.data();
          if (begin > 0 && (text[begin - 1] == '$' || text[begin - 1] == ',' ||
                            text[begin - 1] == '.' || text[begin - 1] == '-')) {
            return false;
          }
          static const RE2* const kAmount = new RE2(
              "^(?:[.,]\\d|%|\\s*(?:percent|pct|dlrs|dollars|mln|billion|million|shares|"
              "tonnes|tons|barrels|people|troops|members|units|acres|feet|metres|meters|"
              "miles|km|kg|votes|points|cars|jobs|employees|workers))");
          if (RE2::PartialMatch(ToPiece(absl::string_view(text).substr(end)), *kAmount)) {
            return false;
          }
          t->type = "DATE";
          t->value = std::string(m.G(2));
          t->mod = Mod(m.G(1));
          return true;
        });
    // [last|next] Thursday [night]
    add(absl::StrCat("\\b(?:(last|next|this|coming|past|previous)\\s+)?", kWeekday,
                     "(?:\\s+(morning|afternoon|evening|night))?\\b"),
        [](const Match& m, Timex* t) {
          if (!m.Capitalised(2)) return false;
          const int wd = WeekdayNumber(m.G(2));
          const std::string part = m.Has(3) ? PartOfDay(m.G(3)) : "";
          t->type = part.empty() ? "DATE" : "TIME";
          if (!m.anchor.has_value()) {
            t->value = absl::StrCat("XXXX-WXX-", wd + 1, part.empty() ? "" : "T", part);
            return true;
          }
          const absl::string_view which = m.G(1);
          const int a = WeekdayIndex(*m.anchor);
          absl::CivilDay d = *m.anchor;
          const bool future = which == "next" || which == "coming" ||
                              (which != "last" && which != "past" && which != "previous" &&
                               m.tense() == Tense::kFuture);
          if (future) {
            int delta = (wd - a + 7) % 7;
            if (delta == 0 && which == "next") delta = 7;
            d += delta;
          } else {
            int delta = (a - wd + 7) % 7;
            if (delta == 0 && !which.empty() && which != "this") delta = 7;
            d -= delta;
          }
          t->value = Day(d) + (part.empty() ? "" : "T" + part);
          t->relative = true;
          return true;
        });
    // today, tonight, tomorrow [morning], yesterday, the day after tomorrow
    add("\\b(the day before yesterday|the day after tomorrow|today|tonight|tomorrow|"
        "yesterday)(?:\\s+(morning|afternoon|evening|night))?\\b",
        [](const Match& m, Timex* t) {
          const absl::string_view w = m.G(1);
          const int k = w == "tomorrow" ? 1 : w == "yesterday" ? -1
                        : w == "the day after tomorrow" ? 2
                        : w == "the day before yesterday" ? -2 : 0;
          std::string part = m.Has(2) ? PartOfDay(m.G(2)) : "";
          if (w == "tonight") part = "NI";
          if (w == "today" && part.empty() && !m.Has(2)) {
            // "today" may mean "nowadays"; TimeML still dates it to the anchor day.
          }
          t->type = part.empty() ? "DATE" : "TIME";
          t->value = m.anchor.has_value() ? Day(*m.anchor + k) : "XXXX-XX-XX";
          if (!part.empty()) absl::StrAppend(&t->value, "T", part);
          t->relative = true;
          return true;
        });
    // [earlier] this week, last month, next year, the past decade, this summer
    add("\\b(?:(earlier|later|early|late)\\s+)?(this|last|next|past|coming|previous|the past|"
        "the previous|the coming|the next|the last)\\s+(week|weekend|month|year|decade|"
        "century|quarter|spring|summer|autumn|fall|winter)\\b",
        [](const Match& m, Timex* t) {
          absl::string_view which = m.G(2);
          absl::ConsumePrefix(&which, "the ");
          int k = which == "this" ? 0 : (which == "next" || which == "coming") ? 1 : -1;
          std::string unit(m.G(3));
          if (unit == "autumn") unit = "fall";
          t->type = "DATE";
          t->mod = Mod(m.G(1));
          if (!m.anchor.has_value()) {
            t->value = "XXXX";
            return true;
          }
          // "took place this weekend" on a weekday: the weekend just past.
          if (unit == "weekend" && k == 0 && m.tense() == Tense::kPast &&
              WeekdayIndex(*m.anchor) < 5) {
            k = -1;
          }
          t->value = UnitValue(*m.anchor, unit, k);
          t->relative = true;
          return true;
        });
    // two days ago
    add(absl::StrCat("\\b", kNumber, "\\s+", kUnit, "\\s+ago\\b"), [](const Match& m, Timex* t) {
      const int n = NumberWord(m.G(1));
      const absl::string_view unit = m.G(2);
      t->type = "DATE";
      t->relative = true;
      if (n < 0 || !m.anchor.has_value()) {
        t->value = "PAST_REF";
        return true;
      }
      if (unit == "second" || unit == "minute" || unit == "hour") {
        t->type = "TIME";
        t->value = "PAST_REF";
        return true;
      }
      t->value = UnitValue(*m.anchor, unit == "centurie" ? "century" : unit, -n);
      return true;
    });
    // [about] two days, a three-day visit, 10-year-old, several weeks
    add(absl::StrCat("\\b(?:(about|around|nearly|almost|more than|over|at least|some|up to|"
                     "less than)\\s+)?", kNumber, "[\\s-]+", kUnit, "(?:-(long|old))?\\b"),
        [](const Match& m, Timex* t) {
          const absl::string_view num = m.G(2);
          if ((num == "a" || num == "an") && m.Has(1)) return false;
          t->type = "DURATION";
          std::string unit(m.G(3));
          if (unit == "centurie") unit = "century";
          t->value = DurationValue(NumberWord(num), unit);
          t->mod = Mod(m.G(1));
          return true;
        });
    // every day, each Monday, daily, annually
    add(absl::StrCat("\\b(?:(?:every|each)\\s+(day|week|month|year|morning|night|", kWeekday.substr(1, kWeekday.size() - 2),
                     ")|(daily|weekly|monthly|annually|yearly|hourly))\\b"),
        [](const Match& m, Timex* t) {
          t->type = "SET";
          absl::string_view u = m.Has(1) ? m.G(1) : m.G(2);
          if (u == "daily" || u == "day" || u == "night" || u == "morning") {
            t->value = u == "night" ? "XXXX-XX-XXTNI" : u == "morning" ? "XXXX-XX-XXTMO" : "P1D";
          } else if (u == "weekly" || u == "week") {
            t->value = "P1W";
          } else if (u == "monthly" || u == "month") {
            t->value = "P1M";
          } else if (u == "annually" || u == "yearly" || u == "year") {
            t->value = "P1Y";
          } else if (u == "hourly") {
            t->value = "PT1H";
          } else {
            t->value = absl::StrCat("XXXX-WXX-", WeekdayNumber(u) + 1);
          }
          return true;
        });
    // 3 p.m. [local time], 15:30 GMT, noon
    add("\\b(\\d{1,2})(?:[:.](\\d{2}))?\\s*(a\\.m\\.|p\\.m\\.|am\\b|pm\\b)(?:\\s+(local time|gmt|"
        "utc|[a-z]st|[a-z]dt|et)\\b)?",
        [](const Match& m, Timex* t) {
          int h, mi = 0;
          if (!absl::SimpleAtoi(m.G(1), &h) || h < 1 || h > 12) return false;
          if (m.Has(2) && (!absl::SimpleAtoi(m.G(2), &mi) || mi > 59)) return false;
          if (m.G(3)[0] == 'p' && h != 12) h += 12;
          if (m.G(3)[0] == 'a' && h == 12) h = 0;
          SetClock(m.anchor, h, mi, m.G(4), t);
          return true;
        });
    add("\\b(\\d{1,2}):(\\d{2})(?:\\s+(local time|gmt|utc))?\\b", [](const Match& m, Timex* t) {
      int h, mi;
      if (!absl::SimpleAtoi(m.G(1), &h) || !absl::SimpleAtoi(m.G(2), &mi) || h > 23 || mi > 59) {
        return false;
      }
      SetClock(m.anchor, h, mi, m.G(3), t);
      return true;
    });
    add("\\b(noon|midnight|midday)\\b", [](const Match& m, Timex* t) {
      t->type = "TIME";
      t->value = absl::StrCat(m.anchor.has_value() ? Day(*m.anchor) : "XXXX-XX-XX",
                              m.G(1) == "midnight" ? "T24:00" : "T12:00");
      t->relative = true;
      return true;
    });
    // summer 2013, the first quarter of 1987
    add("\\b(spring|summer|autumn|fall|winter)\\s+(?:of\\s+)?(\\d{4})\\b", [](const Match& m, Timex* t) {
      int y;
      if (!absl::SimpleAtoi(m.G(2), &y)) return false;
      t->type = "DATE";
      t->value = UnitValue(absl::CivilDay(y, 6, 1), m.G(1) == "autumn" ? "fall" : m.G(1), 0);
      return true;
    });
    add("\\b(first|second|third|fourth|1st|2nd|3rd|4th)[\\s-]+quarter(?:\\s+(?:of\\s+)?(\\d{4})\\b)?",
        [](const Match& m, Timex* t) {
          const char c = m.G(1)[0];
          const int q = c == 'f' ? (m.G(1)[1] == 'i' ? 1 : 4) : c == 's' || c == '2' ? 2
                        : c == 't' || c == '3' ? 3 : c == '1' ? 1 : 4;
          int64_t y = 0;
          if (m.Has(2)) {
            if (!absl::SimpleAtoi(m.G(2), &y)) return false;
          } else if (m.anchor.has_value()) {
            y = m.anchor->year();
            t->relative = true;
          } else {
            t->type = "DATE";
            t->value = absl::StrCat("XXXX-Q", q);
            return true;
          }
          t->type = "DATE";
          t->value = absl::StrCat(Year(y), "-Q", q);
          return true;
        });
    // now, recently, soon, in the future
    add("\\b(now|currently|nowadays|recently|lately|soon|in the future|the past|formerly)\\b",
        [](const Match& m, Timex* t) {
          const absl::string_view w = m.G(1);
          t->type = "DATE";
          t->value = (w == "soon" || w == "in the future") ? "FUTURE_REF"
                     : (w == "recently" || w == "lately" || w == "the past" || w == "formerly")
                         ? "PAST_REF"
                         : "PRESENT_REF";
          return true;
        });
    return rules;
  }();
  return *kRules;
}

// All rule patterns in one RE2::Set: a single DFA pass over the text tells which
// rules match anywhere in it, and only those run their search loop below (with
// submatches, one pass per rule). A rule the set rules out cannot match at any
// position (same options, same text as context), so the result is the same.
// nullptr if the set cannot be built (then every rule runs).
const RE2::Set* BuildRuleSet(RE2::Anchor anchor) {
  auto set = std::make_unique<RE2::Set>(RE2::DefaultOptions, anchor);
  for (const Rule& rule : Rules()) {
    if (set->Add(rule.re->pattern(), nullptr) < 0) return nullptr;
  }
  if (!set->Compile()) return nullptr;
  return set.release();
}

const RE2::Set* RuleSet() {
  static const RE2::Set* const kSet = BuildRuleSet(RE2::UNANCHORED);
  return kSet;
}

// The same, anchored at the start of the text (MayStartWithTimex).
const RE2::Set* AnchoredRuleSet() {
  static const RE2::Set* const kSet = BuildRuleSet(RE2::ANCHOR_START);
  return kSet;
}

}  // namespace

std::optional<absl::CivilDay> DayOfValue(absl::string_view value) {
  int y, m, d;
  if (value.size() < 10 || value[4] != '-' || value[7] != '-' ||
      !absl::SimpleAtoi(value.substr(0, 4), &y) || !absl::SimpleAtoi(value.substr(5, 2), &m) ||
      !absl::SimpleAtoi(value.substr(8, 2), &d)) {
    return std::nullopt;
  }
  return absl::CivilDay(y, m, d);
}

std::string IsoWeek(absl::CivilDay day) {
  const absl::CivilDay thursday = day - WeekdayIndex(day) + 3;
  const int64_t week = (thursday - absl::CivilDay(thursday.year(), 1, 1)) / 7 + 1;
  return absl::StrFormat("%04d-W%02d", thursday.year(), week);
}

bool MayStartWithTimex(absl::string_view text) {
  // Fold works code point by code point, so Fold(text) is exactly the folded text
  // that FindTimexes searches, from this position on. Only \b, \B and ^ look
  // before a position: at the start of `text` they see "no word character" as they
  // do after the whitespace a caller trimmed, and ^ can only add matches here, so
  // a "no" is exact.
  const RE2::Set* set = AnchoredRuleSet();
  if (set == nullptr) return true;
  const Folded f = Fold(text);
  std::vector<int> matching;
  RE2::Set::ErrorInfo error;
  if (set->Match(ToPiece(f.text), &matching, &error)) return true;
  return error.kind != RE2::Set::kNoError;  // DFA out of memory ...: maybe
}

Tense SentenceTense(absl::string_view text, uint32_t cp) {
  const Folded f = Fold(text);
  const auto it = std::lower_bound(f.cp_of_byte.begin(), f.cp_of_byte.end(), cp);
  return TenseAt(f.text, static_cast<size_t>(it - f.cp_of_byte.begin()));
}

namespace {

std::vector<Timex> FindTimexesIn(const Folded& f, const std::optional<absl::CivilDay>& anchor) {
  struct Candidate {
    size_t begin;
    size_t end;
    Timex timex;
  };
  std::vector<Candidate> candidates;
  const re2::StringPiece all = ToPiece(f.text);
  const std::vector<Rule>& rules = Rules();
  std::vector<bool> may_match(rules.size(), true);
  if (const RE2::Set* set = RuleSet(); set != nullptr) {
    std::vector<int> matching;
    RE2::Set::ErrorInfo error;
    if (set->Match(all, &matching, &error) || error.kind == RE2::Set::kNoError) {
      may_match.assign(rules.size(), false);
      for (int i : matching) may_match[i] = true;
    }  // else (DFA out of memory ...): run every rule
  }
  for (size_t r = 0; r < rules.size(); ++r) {
    if (!may_match[r]) continue;
    const Rule& rule = rules[r];
    Match m{&f, {}, anchor};
    const int groups = rule.re->NumberOfCapturingGroups();
    size_t pos = 0;
    while (pos < f.text.size() &&
           rule.re->Match(all, pos, f.text.size(), RE2::UNANCHORED, m.g.data(), groups + 1)) {
      const size_t begin = m.g[0].data() - f.text.data();
      const size_t end = begin + m.g[0].size();
      pos = end > begin ? end : begin + 1;
      for (int i = groups + 1; i <= kMaxGroups; ++i) m.g[i] = re2::StringPiece();
      m.tense_.reset();
      Timex t;
      if (!rule.handle(m, &t)) continue;
      candidates.push_back({begin, end, std::move(t)});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     if (a.begin != b.begin) return a.begin < b.begin;
                     return a.end - a.begin > b.end - b.begin;
                   });
  std::vector<Timex> out;
  size_t taken_end = 0;
  for (Candidate& c : candidates) {
    if (c.begin < taken_end) continue;
    c.timex.begin = f.cp_of_byte[c.begin];
    c.timex.end = f.cp_of_byte[c.end];
    taken_end = c.end;
    out.push_back(std::move(c.timex));
  }
  return out;
}

}  // namespace

std::vector<Timex> FindTimexes(absl::string_view text,
                               const std::optional<absl::CivilDay>& anchor) {
  return FindTimexesIn(Fold(text), anchor);
}

std::vector<Timex> FindTimexes(const std::u32string& code_points,
                               const std::optional<absl::CivilDay>& anchor) {
  return FindTimexesIn(FoldCodePoints(code_points), anchor);
}

}  // namespace newsd::stages
