#include "stages/decode/dateline.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd::stages {
namespace {

using ::testing::AllOf;
using ::testing::Field;
using ::testing::Optional;

auto Dateline(absl::string_view place, absl::string_view date, absl::string_view agency,
              size_t length) {
  return Optional(AllOf(Field(&DatelineMatch::place, std::string(place)),
                        Field(&DatelineMatch::date, std::string(date)),
                        Field(&DatelineMatch::agency, std::string(agency)),
                        Field(&DatelineMatch::length, length)));
}

TEST(ParseDatelineTest, ReutersDeclaredDatelines) {
  constexpr DatelineMode kDeclared = DatelineMode::kDeclared;
  EXPECT_THAT(ParseDateline("SALVADOR, Feb 26 - Showers continued", kDeclared),
              Dateline("SALVADOR", "Feb 26", "", 18));
  EXPECT_THAT(ParseDateline("WEST HARTFORD, Conn., FEb 26 - Coleco", kDeclared),
              Dateline("WEST HARTFORD, Conn.", "FEb 26", "", 30));
  EXPECT_THAT(ParseDateline("AMSTERDAM, 2 March - Dutch", kDeclared),
              Dateline("AMSTERDAM", "2 March", "", 20));
  EXPECT_THAT(ParseDateline("NEW YORK, March 9 -- Text", kDeclared),
              Dateline("NEW YORK", "March 9", "", 20));
  EXPECT_THAT(ParseDateline("OKLAHOMA CITY, Okla. March 11, Reuter - The", kDeclared),
              Dateline("OKLAHOMA CITY, Okla.", "March 11", "Reuter", 39));
  EXPECT_THAT(ParseDateline("WOODBRIDGE, N.J. - Company", kDeclared),
              Dateline("WOODBRIDGE, N.J.", "", "", 18));
  EXPECT_THAT(ParseDateline("peoria, april 7 - Cattle", kDeclared),
              Dateline("peoria", "april 7", "", 17));
  EXPECT_THAT(ParseDateline("WILKES-BARRE, Pa., Sept. 3 -", kDeclared),
              Dateline("WILKES-BARRE, Pa.", "Sept. 3", "", 28));
  EXPECT_EQ(ParseDateline("(totals) - x", kDeclared), std::nullopt);
  EXPECT_EQ(ParseDateline("No dash here", kDeclared), std::nullopt);
}

TEST(ParseDatelineTest, HeuristicNeedsCapitalizedPlaceAndDateOrAgency) {
  constexpr DatelineMode kHeuristic = DatelineMode::kHeuristic;
  EXPECT_THAT(ParseDateline("GENEVA, Sept 12 (Reuters) - Talks", kHeuristic),
              Dateline("GENEVA", "Sept 12", "Reuters", 27));
  EXPECT_THAT(ParseDateline("ASTANA, Kazakhstan (AP) — Lavrov said", kHeuristic),
              Dateline("ASTANA, Kazakhstan", "", "AP", 27));
  EXPECT_THAT(ParseDateline("Zürich, 3 May – Die", kHeuristic),
              Dateline("Zürich", "3 May", "", 18));  // bytes: "ü" and "–" are multi-byte
  EXPECT_EQ(ParseDateline("LONDON - Shares fell", kHeuristic), std::nullopt);
  EXPECT_EQ(ParseDateline("peoria, april 7 - Cattle", kHeuristic), std::nullopt);
  EXPECT_EQ(ParseDateline("Lavrov said the talks - which began Monday - went well",
                          kHeuristic),
            std::nullopt);
}

TEST(ParseDatelineTest, DateWithYear) {
  constexpr DatelineMode kHeuristic = DatelineMode::kHeuristic;
  EXPECT_THAT(ParseDateline("PARIS, Jan 3, 2024 (AFP) - The minister spoke.", kHeuristic),
              Dateline("PARIS", "Jan 3, 2024", "AFP", 26));
  EXPECT_THAT(ParseDateline("PARIS, 3 January 2024 (AFP) - The minister spoke.", kHeuristic),
              Dateline("PARIS", "3 January 2024", "AFP", 29));
  EXPECT_THAT(ParseDateline("PARIS, 2024-01-03 (AFP) - The minister spoke.", kHeuristic),
              Dateline("PARIS", "2024-01-03", "AFP", 25));
  EXPECT_THAT(ParseDateline("Paris, Jan. 3 2024 - The minister spoke.", kHeuristic),
              Dateline("Paris", "Jan. 3 2024", "", 20));
  EXPECT_THAT(ParseDateline("SALVADOR, Feb 26, 1987 - Showers", DatelineMode::kDeclared),
              Dateline("SALVADOR", "Feb 26, 1987", "", 24));
}

TEST(ParseDatelineTest, BylineBeforeDatelineIsNotItsPlace) {
  constexpr DatelineMode kHeuristic = DatelineMode::kHeuristic;
  EXPECT_EQ(ParseDateline("By Jane Doe GENEVA, Sept 12 (Reuters) - Talks", kHeuristic),
            std::nullopt);
  EXPECT_EQ(ParseDateline("BY JANE DOE GENEVA, Sept 12 (Reuters) - Talks", kHeuristic),
            std::nullopt);
  // A place that merely starts with "By" is one.
  EXPECT_THAT(ParseDateline("BYDGOSZCZ, Poland, May 2 (Reuters) - Talks", kHeuristic),
              Dateline("BYDGOSZCZ, Poland", "May 2", "Reuters", 36));
}

TEST(ParseDatelineTest, PlaceIsAtMostSixtyCodePoints) {
  constexpr DatelineMode kDeclared = DatelineMode::kDeclared;
  // 60 code points of place (two-byte "é" included) is a dateline, 61 is not.
  const std::string sixty = "SAINT-" + std::string(53, 'E') + "\u00e9";
  ASSERT_EQ(sixty.size(), 61u);  // 60 code points, 61 bytes
  EXPECT_THAT(ParseDateline(sixty + ", March 9 - Text", kDeclared),
              Dateline(sixty, "March 9", "", sixty.size() + 11));
  EXPECT_EQ(ParseDateline("X" + sixty + ", March 9 - Text", kDeclared), std::nullopt);
  // The shortest place that makes a dateline wins, also past a longer one.
  EXPECT_THAT(ParseDateline("PARIS - Talks - more", kDeclared), Dateline("PARIS", "", "", 7));
}

}  // namespace
}  // namespace newsd::stages
