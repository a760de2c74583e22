// TIMEX3 recognition and normalisation of English time expressions, the pure
// logic of the "times" stage (no Article, no time zones).
//
// Rules follow the TimeML TIMEX3 specification 1.2.1 (Pustejovsky et al.) and
// the TimeML annotation guidelines: `type` is DATE, TIME, DURATION or SET;
// `value` is ISO 8601 as TIMEX3 extends it: "2013-09-12", "2013-09", "2013",
// "199" (the 1990s), "19" (a century), "2013-W37", "2013-Q1", "2013-SU",
// "2013-09-12TNI" (parts of day MO AF EV NI), "2013-09-12T15:00", durations
// "P3D", "PT2H", "P10Y", "PXD" (unspecified number), sets "P1D", "XXXX-WXX-4"
// (every Thursday), and the references PRESENT_REF, PAST_REF, FUTURE_REF.
// Relative expressions ("Thursday", "tomorrow", "last week", "two days ago",
// "earlier this year") are resolved against the anchor day; weekdays, month
// names and day-of-month dates without a year take their direction from the
// tense of their sentence (see Tense).
#ifndef NEWSD_STAGES_TIMES_TIMEX_H_
#define NEWSD_STAGES_TIMES_TIMEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace newsd::stages {

// Which way an underspecified date ("Thursday", "Sept. 15") points from the
// anchor: kPast → the latest such day on or before the anchor, kFuture → the
// earliest on or after it.
enum class Tense { kPast, kFuture };

// One recognised expression. Offsets are Unicode code points into the text given
// to FindTimexes.
struct Timex {
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string type;   // "DATE", "TIME", "DURATION" or "SET"
  std::string value;  // TIMEX3 value (see the file comment)
  std::string mod;    // TIMEX3 mod: "START", "MID", "END", "APPROX" or ""
  // True if the value was computed from the anchor (relative expression).
  bool relative = false;
};

// Finds the time expressions of well-formed UTF-8 `text`, left to right, never
// overlapping (the longest wins). `anchor` is the reference day; without one,
// relative expressions get values with X placeholders ("XXXX-XX-XX",
// "XXXX-WXX-4"). Underspecified dates take their direction from SentenceTense.
// Month and weekday names count only when capitalised in `text` ("may", "march"
// and "sun" are words too). Never fails: text it does not understand yields no
// expressions.
std::vector<Timex> FindTimexes(absl::string_view text,
                               const std::optional<absl::CivilDay>& anchor);

// FindTimexes of a text already decoded into code points (the shared token
// stream's TextAnalysis::code_points, stages/common/tokens.h): the same answer as
// FindTimexes of its UTF-8, without decoding it again.
std::vector<Timex> FindTimexes(const std::u32string& code_points,
                               const std::optional<absl::CivilDay>& anchor);

// False if no time expression can start at the very beginning of well-formed UTF-8
// `text` (one anchored DFA pass over all the rules; true means "maybe"). An exact
// pre-check for callers that only want an expression opening `text`.
bool MayStartWithTimex(absl::string_view text);

// The tense of the clause around code point `cp` of well-formed UTF-8 `text`:
// kFuture if a future marker ("will", "'ll", "shall", "going to", "is to",
// "plans to", "scheduled", "expected to", "next", "upcoming") occurs in the same
// sentence before `cp` (or within the next few words), else kPast (news reports
// the past by default).
Tense SentenceTense(absl::string_view text, uint32_t cp);

// The day of an ISO 8601 date value ("2013-09-12", also with a time part), or
// nullopt.
std::optional<absl::CivilDay> DayOfValue(absl::string_view value);

// The ISO 8601 week value of `day` ("2013-W37").
std::string IsoWeek(absl::CivilDay day);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_TIMES_TIMEX_H_
