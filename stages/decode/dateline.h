// Dateline parsing: "GENEVA, Sept 12 (Reuters) - ..." at the start of a paragraph.
#ifndef NEWSD_STAGES_DECODE_DATELINE_H_
#define NEWSD_STAGES_DECODE_DATELINE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace newsd::stages {

// A dateline found at the start of a text.
struct DatelineMatch {
  // Place as written, without trailing commas: "GENEVA", "WEST HARTFORD, Conn.".
  std::string place;
  // Date as written ("Sept 12", "2 March", "Jan 3, 2024", "3 January 2024",
  // "2024-01-03"), "" if none.
  std::string date;
  // Agency credit as written ("Reuters", "Reuter", "AP"), "" if none.
  std::string agency;
  // Bytes of the input covered by the dateline, up to and including its closing
  // dash ("-", "--", en or em dash); the text after it is the story.
  size_t length = 0;
};

enum class DatelineMode {
  // The text is known to start with a dateline (e.g. Reuters <DATELINE>): a place
  // (any case: "peoria, april 7 -") followed by a dash is enough.
  kDeclared,
  // Free text: additionally require a capitalized place and a date or an agency
  // credit, so that an ordinary sentence containing a dash is not taken for one.
  kHeuristic,
};

// Parses a dateline at the very start of well-formed UTF-8 `text` (a single line):
// a place starting with a letter (uppercase in kHeuristic mode; at most 60 code
// points, no parentheses), optionally ", <date>"
// (month name or abbreviation, any case, and day, in either order, optionally
// followed by a four-digit year, with or without a comma: "Jan 3, 2024",
// "3 January 2024"; or an ISO 8601 date "2024-01-03"), optionally an
// agency ("(Reuters)", ", Reuter", "(AP)", ...), then a dash followed by white space
// or the end. In kHeuristic mode a place opening with "By " or "BY " (a byline
// before the dateline: "By Jane Doe GENEVA, Sept 12 (Reuters) -") is not taken:
// no dateline rather than one whose place holds the byline.
// Returns std::nullopt if there is none.
std::optional<DatelineMatch> ParseDateline(absl::string_view text, DatelineMode mode);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_DATELINE_H_
