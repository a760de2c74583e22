#include "stages/decode/dateline.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"
#include "stages/common/re2_util.h"
#include "stages/common/unicode.h"

namespace newsd::stages {
namespace {

// Month names and their usual news abbreviations, any case ("Sept", "MARCH", "feb.").
constexpr absl::string_view kMonth =
    "(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    "aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";

// Agencies and wires credited in datelines (Reuters, AP, AFP and the national
// agencies; Business Wire / PR Newswire / GlobeNewswire press-release style).
constexpr absl::string_view kAgency =
    "Reuters?|REUTERS?|AP|AFP|UPI|dpa|DPA|Xinhua|XINHUA|Bloomberg|BUSINESS WIRE|"
    "Business Wire|PRNewswire|PR Newswire|GLOBE NEWSWIRE|ANSA|EFE|Kyodo|KYODO|TASS|"
    "Interfax|NTB|TT|CNN|IANS|PTI|APA|Yonhap|Anadolu";

// The place is at most kMaxPlaceCodePoints long. The pattern leaves that bound
// to ParseDateline: `[^\n()]{0,59}?` gives the same match as `[^\n()]*?` when
// the match's place fits (the lazy repetition tries the same places in the same
// order, shortest first) and no match when it does not (the unbounded one then
// matches with a longer place, which ParseDateline rejects); but its 60 copies
// made RE2's submatch search cost ~50,000 instructions per paragraph.
constexpr size_t kMaxPlaceCodePoints = 60;

const RE2& DatelineRegex() {
  static const RE2* const re = new RE2(
      std::string("^(\\p{L}[^\\n()]*?)"                         // 1 place
                  "(?:,?\\s+(") +
      std::string(kMonth) + "\\s+\\d{1,2}(?:,?\\s+\\d{4})?|\\d{1,2}\\s+" + std::string(kMonth) +
      "(?:,?\\s+\\d{4})?|\\d{4}-\\d{2}-\\d{2}))?"                 // 2 date
      "(?:--\\((" + std::string(kAgency) + ")\\)--\\s*"      // 3: "--(BUSINESS WIRE)--"
      "|,?\\s*(?:\\(?(" + std::string(kAgency) + ")\\)?\\s*)?"  // 4
      "(?:--?|\\x{2013}|\\x{2014})(?:\\s|$))");
  return *re;
}

}  // namespace

std::optional<DatelineMatch> ParseDateline(absl::string_view text, DatelineMode mode) {
  re2::StringPiece place_piece, date_piece, wire_agency_piece, agency_piece;
  re2::StringPiece input = ToPiece(text);
  if (!RE2::Consume(&input, DatelineRegex(), &place_piece, &date_piece, &wire_agency_piece,
                    &agency_piece)) {
    return std::nullopt;
  }
  const absl::string_view place = ToView(place_piece);
  if (CountCodePoints(place) > kMaxPlaceCodePoints) return std::nullopt;
  const absl::string_view date = ToView(date_piece);
  const absl::string_view agency =
      wire_agency_piece.empty() ? ToView(agency_piece) : ToView(wire_agency_piece);
  if (mode == DatelineMode::kHeuristic) {
    // Free text: "PARIS (AP) -" or "Paris, May 3 -", never "the talks, May 3 -".
    UChar32 first;
    int32_t i = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(place.data()), i,
            static_cast<int32_t>(place.size()), first);
    if (!u_isupper(first) || (date.empty() && agency.empty())) return std::nullopt;
    // A byline before the dateline ("By Jane Doe GENEVA, Sept 12 (Reuters) -") is
    // not part of the place: no dateline rather than a wrong place.
    if (absl::StartsWith(place, "By ") || absl::StartsWith(place, "BY ")) return std::nullopt;
  }
  DatelineMatch match;
  absl::string_view trimmed_place = absl::StripAsciiWhitespace(place);
  while (absl::ConsumeSuffix(&trimmed_place, ",")) {
    trimmed_place = absl::StripTrailingAsciiWhitespace(trimmed_place);
  }
  if (trimmed_place.empty()) return std::nullopt;
  match.place = std::string(trimmed_place);
  match.date = std::string(date);
  match.agency = std::string(agency);
  // Keep the dash, not the white space after it.
  absl::string_view consumed = text.substr(0, text.size() - input.size());
  match.length = absl::StripTrailingAsciiWhitespace(consumed).size();
  return match;
}

}  // namespace newsd::stages
