// The times stage and its TIMEX3 rules on byte-exact inputs.
#include "stages/times/times.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/common/spans.h"
#include "stages/common/tokens.h"
#include "stages/common/unicode.h"
#include "stages/times/timex.h"
#include "tests/stages/testing/status_matchers.h"
#include "unicode/strenum.h"
#include "unicode/timezone.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::StatusIs;
using ::testing::ElementsAre;

// "text|TYPE|value" of every expression found in `text` against `anchor`.
std::vector<std::string> Values(absl::string_view text, std::optional<absl::CivilDay> anchor) {
  std::vector<std::string> out;
  for (const Timex& t : FindTimexes(text, anchor)) {
    out.push_back(absl::StrCat(
        text.substr(CodePointToByteOffset(text, t.begin),
                    CodePointToByteOffset(text, t.end) - CodePointToByteOffset(text, t.begin)),
        "|", t.type, "|", t.value, t.mod.empty() ? "" : "|" + t.mod));
  }
  return out;
}

const absl::CivilDay kFriday(2013, 9, 13);
const absl::CivilDay kThursday(2013, 9, 12);

TEST(TimexTest, TenseDecidesWeekdayDirection) {
  EXPECT_THAT(Values("He said on Thursday that talks failed.", kFriday),
              ElementsAre("Thursday|DATE|2013-09-12"));
  EXPECT_THAT(Values("They will meet on Thursday in Geneva.", kFriday),
              ElementsAre("Thursday|DATE|2013-09-19"));
  EXPECT_THAT(Values("Talks resume next Friday; they ended last Friday.", kFriday),
              ElementsAre("next Friday|DATE|2013-09-20", "last Friday|DATE|2013-09-06"));
  EXPECT_THAT(Values("He spoke Thursday night.", kFriday),
              ElementsAre("Thursday night|TIME|2013-09-12TNI"));
  EXPECT_THAT(Values("Lavrov said Thursday there is a chance.", kThursday),
              ElementsAre("Thursday|DATE|2013-09-12"));
}

TEST(TimexTest, AbsoluteDates) {
  EXPECT_THAT(Values("On Sept. 12, 2013 and 12 September 2013 and 2013-09-12.", std::nullopt),
              ElementsAre("Sept. 12, 2013|DATE|2013-09-12", "12 September 2013|DATE|2013-09-12",
                          "2013-09-12|DATE|2013-09-12"));
  EXPECT_THAT(Values("Tuesday, September 1, 2015", std::nullopt),
              ElementsAre("Tuesday, September 1, 2015|DATE|2015-09-01"));
  EXPECT_THAT(Values("It rose in 2014, in December 2008 and in the 1990s.", std::nullopt),
              ElementsAre("in 2014|DATE|2014", "December 2008|DATE|2008-12",
                          "the 1990s|DATE|199"));
  EXPECT_THAT(Values("It sold 2014 shares for $2013.", std::nullopt), ElementsAre());
  // Month and day without year: the nearest year in the sentence's direction.
  EXPECT_THAT(Values("The vote was on Dec. 20.", kThursday),
              ElementsAre("Dec. 20|DATE|2012-12-20"));
  EXPECT_THAT(Values("The vote will be on Sept. 20.", kThursday),
              ElementsAre("Sept. 20|DATE|2013-09-20"));
  // "may" and "march" as words are not months.
  EXPECT_THAT(Values("They may march on.", kThursday), ElementsAre());
}

// Offsets are code points and capitalisation is read from the original text,
// across ASCII runs and multi-byte characters (curly quotes fold to ASCII, "İ"
// lowercases to one byte, "Ⱥ" to three).
TEST(TimexTest, NonAsciiTextKeepsOffsetsAndCase) {
  EXPECT_THAT(Values("Zürich said on \u201cMonday\u201d that Ⱥİ fell on Sept. 3, 2013.",
                     kFriday),
              ElementsAre("Monday|DATE|2013-09-09", "Sept. 3, 2013|DATE|2013-09-03"));
  // "may" in lowercase is not a month name: only its year is a date.
  EXPECT_THAT(Values("Ⱥİ é may 5, 2013 and May 6, 2013", std::nullopt),
              ElementsAre("2013|DATE|2013", "May 6, 2013|DATE|2013-05-06"));
  const std::vector<Timex> found = FindTimexes("Ⱥİ é may 5, 2013 and May 6, 2013", std::nullopt);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[1].begin, 21u);  // code points: "Ⱥİ é may 5, 2013 and " is 21
  EXPECT_EQ(found[1].end, 32u);
}

TEST(TimexTest, RelativeExpressions) {
  EXPECT_THAT(Values("Tomorrow we meet; yesterday we met; tonight we rest.", kThursday),
              ElementsAre("Tomorrow|DATE|2013-09-13", "yesterday|DATE|2013-09-11",
                          "tonight|TIME|2013-09-12TNI"));
  EXPECT_THAT(Values("last week, next month, earlier this year, this summer", kThursday),
              ElementsAre("last week|DATE|2013-W36", "next month|DATE|2013-10",
                          "earlier this year|DATE|2013|START", "this summer|DATE|2013-SU"));
  EXPECT_THAT(Values("two days ago, three years ago", kThursday),
              ElementsAre("two days ago|DATE|2013-09-10", "three years ago|DATE|2010"));
  EXPECT_THAT(Values("at 3 p.m. local time and 15:30 GMT and noon", kThursday),
              ElementsAre("3 p.m. local time|TIME|2013-09-12T15:00",
                          "15:30 GMT|TIME|2013-09-12T15:30Z", "noon|TIME|2013-09-12T12:00"));
  EXPECT_THAT(Values("Thursday", std::nullopt), ElementsAre("Thursday|DATE|XXXX-WXX-4"));
}

TEST(TimexTest, DurationsAndSets) {
  EXPECT_THAT(Values("for two days, a three-day visit, about 10 years, several weeks", kThursday),
              ElementsAre("two days|DURATION|P2D", "three-day|DURATION|P3D",
                          "about 10 years|DURATION|P10Y|APPROX", "several weeks|DURATION|PXW"));
  EXPECT_THAT(Values("They meet every Monday and publish daily.", kThursday),
              ElementsAre("every Monday|SET|XXXX-WXX-1", "daily|SET|P1D"));
  EXPECT_THAT(Values("first quarter of 1987 and the fourth quarter", kThursday),
              ElementsAre("first quarter of 1987|DATE|1987-Q1", "fourth quarter|DATE|2013-Q4"));
}

TEST(TimexTest, IsoWeekAndDayOfValue) {
  EXPECT_EQ(IsoWeek(absl::CivilDay(2013, 9, 12)), "2013-W37");
  EXPECT_EQ(IsoWeek(absl::CivilDay(2010, 1, 3)), "2009-W53");
  EXPECT_EQ(DayOfValue("2013-09-12T15:00"), absl::CivilDay(2013, 9, 12));
  EXPECT_EQ(DayOfValue("2013-09"), std::nullopt);
}

v1::Article Article(absl::string_view dateline_date, std::vector<absl::string_view> paragraphs) {
  v1::Article a;
  TextBuilder b;
  *a.mutable_headline() = b.Append("Headline");
  for (absl::string_view p : paragraphs) {
    b.Append("\n\n");
    *a.add_paragraphs() = b.Append(p);
  }
  a.set_text(b.Release());
  a.set_language("en");
  a.mutable_dateline()->set_date(std::string(dateline_date));
  return a;
}

TEST(TimesStageTest, DatelineBeatsPublishedAt) {
  v1::Article a = Article("Sept 13", {"Lavrov said on Thursday talks will resume Monday."});
  a.mutable_published_at()->set_seconds(1379246400);  // 2013-09-15T12:00:00Z
  TimesStage stage({});
  ASSERT_THAT(stage.Process(a, StageContext()), IsOk());
  ASSERT_EQ(a.times_size(), 2);
  EXPECT_EQ(a.times(0).value(), "2013-09-12");
  EXPECT_EQ(a.times(0).anchor(), "2013-09-13");
  EXPECT_EQ(a.times(0).anchor_source(), "dateline");
  EXPECT_EQ(a.times(1).value(), "2013-09-16");
  EXPECT_EQ(a.event_date(), "2013-09-12");
}

TEST(TimesStageTest, DatelineDateWithItsYearIsTheAnchor) {
  // Dateline dates as the decode stage now reads them, year included (no
  // published_at: the year comes from the dateline itself).
  for (absl::string_view date : {"Jan 3, 2024", "3 January 2024", "2024-01-03"}) {
    v1::Article a = Article(date, {"The minister spoke on Tuesday."});
    TimesStage stage({});
    ASSERT_THAT(stage.Process(a, StageContext()), IsOk());
    ASSERT_EQ(a.times_size(), 1) << date;
    EXPECT_EQ(a.times(0).value(), "2024-01-02") << date;
    EXPECT_EQ(a.times(0).anchor(), "2024-01-03") << date;
    EXPECT_EQ(a.times(0).anchor_source(), "dateline") << date;
    EXPECT_EQ(a.published_at().seconds(), 1704240000) << date;  // 2024-01-03T00:00:00Z
  }
}

TEST(TimesStageTest, DateLineParagraphFillsPublishedAt) {
  v1::Article a = Article("", {"Friday, July 21, 2017", "The team won on Wednesday."});
  TimesStage stage({});
  ASSERT_THAT(stage.Process(a, StageContext()), IsOk());
  ASSERT_EQ(a.times_size(), 2);
  EXPECT_EQ(a.times(1).value(), "2017-07-19");
  EXPECT_EQ(a.times(1).anchor_source(), "dateline");
  EXPECT_EQ(a.published_at().seconds(), 1500595200);  // 2017-07-21T00:00:00Z
  EXPECT_EQ(a.event_date(), "2017-07-19");
}

TEST(TimesStageTest, KafkaTimestampIsTheLastResortAndNeverTheWallClock) {
  v1::Article a = Article("", {"It happened yesterday."});
  TimesStage stage({});
  ASSERT_THAT(stage.Process(a, StageContext()), IsOk());
  ASSERT_EQ(a.times_size(), 1);
  EXPECT_EQ(a.times(0).value(), "XXXX-XX-XX");
  EXPECT_EQ(a.times(0).anchor(), "");
  a.mutable_source()->mutable_timestamp()->set_seconds(1379030400);  // 2013-09-13T00:00Z
  ASSERT_THAT(stage.Process(a, StageContext()), IsOk());
  EXPECT_EQ(a.times(0).value(), "2013-09-12");
  EXPECT_EQ(a.times(0).anchor_source(), "kafka_timestamp");
}

TEST(TimesStageTest, DatelineCityTimeZone) {
  EXPECT_EQ(CountryTimeZone("CH")->name(), "Europe/Zurich");
  EXPECT_FALSE(CountryTimeZone("US").has_value());
  // 2013-09-12T22:00Z is already the 13th in Tokyo.
  v1::Article a = Article("", {"It happened yesterday."});
  a.mutable_dateline()->set_place("TOKYO");
  v1::Entity* tokyo = a.add_entities();
  tokyo->set_name("Tokyo");
  tokyo->set_type("GPE");
  tokyo->mutable_geo()->set_country_code("JP");
  a.mutable_published_at()->set_seconds(1379023200);
  ASSERT_THAT(TimesStage({}).Process(a, StageContext()), IsOk());
  EXPECT_EQ(a.times(0).anchor(), "2013-09-13");
  EXPECT_EQ(a.times(0).value(), "2013-09-12");
}

// The table built in one pass agrees with ICU's per-region enumeration (the
// look-up it replaced) for every two-letter code, in either case.
TEST(TimesStageTest, CountryTimeZoneMatchesIcuPerRegion) {
  int single = 0;
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      const std::string code = {a, b};
      UErrorCode status = U_ZERO_ERROR;
      std::unique_ptr<icu::StringEnumeration> zones(icu::TimeZone::createTimeZoneIDEnumeration(
          UCAL_ZONE_TYPE_CANONICAL_LOCATION, code.c_str(), nullptr, status));
      ASSERT_TRUE(U_SUCCESS(status)) << code;
      std::optional<std::string> expected;
      if (zones->count(status) == 1) expected = zones->next(nullptr, status);
      std::optional<absl::TimeZone> got = CountryTimeZone(code);
      ASSERT_EQ(got.has_value(), expected.has_value()) << code;
      if (!expected.has_value()) continue;
      ++single;
      EXPECT_EQ(got->name(), *expected) << code;
      const std::string lower = {static_cast<char>(a - 'A' + 'a'), static_cast<char>(b - 'A' + 'a')};
      std::optional<absl::TimeZone> got_lower = CountryTimeZone(lower);
      ASSERT_TRUE(got_lower.has_value()) << lower;
      EXPECT_EQ(got_lower->name(), *expected) << lower;
    }
  }
  EXPECT_GT(single, 150);  // most countries have one zone
  EXPECT_FALSE(CountryTimeZone("").has_value());
  EXPECT_FALSE(CountryTimeZone("CHE").has_value());
}

TEST(TimesStageTest, OtherLanguagesAndBadInput) {
  v1::Article a = Article("", {"Am Donnerstag, 12. September 2013."});
  a.set_language("de");
  ASSERT_THAT(TimesStage({}).Process(a, StageContext()), IsOk());
  EXPECT_EQ(a.times_size(), 0);
  a.set_text("\xff");
  a.clear_paragraphs();
  EXPECT_THAT(TimesStage({}).Process(a, StageContext()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("UTF-8")));
}

}  // namespace
}  // namespace newsd::stages

namespace newsd::stages {
namespace {

TEST(TimesSharedTokensTest, SameTimesWithTheSharedTokenStream) {
  TimesStage stage({});
  for (const std::vector<absl::string_view>& paragraphs :
       std::vector<std::vector<absl::string_view>>{
           {"Lavrov said on Thursday talks will resume Monday, Sept. 16, at 10 a.m."},
           {"Ärzte in Zürich said on 5 March 2013 \u2014 a Tuesday \u2014 that the "
            "two-week trial ends next month.",
            "Every Friday since 1999 the \u201cMarch\u201d has started at noon."}}) {
    SCOPED_TRACE(paragraphs[0]);
    v1::Article alone = Article("Sept 13", paragraphs);
    alone.mutable_published_at()->set_seconds(1379246400);
    v1::Article shared = alone;
    ASSERT_THAT(stage.Process(alone, StageContext()), IsOk());
    Analyses analyses;
    std::optional<TextAnalysis> unused;
    const TextAnalysis& analysis = TextAnalysisFor(shared, &analyses, &unused);
    StageContext ctx;
    ctx.analyses = &analyses;
    ASSERT_THAT(stage.Process(shared, ctx), IsOk());
    EXPECT_EQ(FindTextAnalysis(shared, &analyses), &analysis);  // read, not rebuilt
    EXPECT_GT(shared.times_size(), 1);
    EXPECT_EQ(shared.SerializeAsString(), alone.SerializeAsString());
  }
}

TEST(TimesSharedTokensTest, InvalidUtf8IsRejectedAlike) {
  TimesStage stage({});
  v1::Article a;
  a.set_text("Monday \xff");
  Analyses analyses;
  std::optional<TextAnalysis> unused;
  TextAnalysisFor(a, &analyses, &unused);
  StageContext ctx;
  ctx.analyses = &analyses;
  EXPECT_THAT(stage.Process(a, ctx), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("not valid UTF-8")));
  EXPECT_THAT(stage.Process(a, StageContext()), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("not valid UTF-8")));
}

TEST(TimexTest, FindTimexesOfCodePointsEqualsFindTimexesOfUtf8) {
  const std::string text =
      "On Monday, 5 M\u00c4RZ \u2014 no: March 5, 2013 \u2014 at 10:30 a.m. the "
      "\u201cthree-year\u201d plan started.";
  const absl::CivilDay anchor(2013, 3, 7);
  const TextAnalysis a = AnalyzeText(text, {});
  const std::vector<Timex> from_utf8 = FindTimexes(text, anchor);
  const std::vector<Timex> from_cps = FindTimexes(a.code_points, anchor);
  ASSERT_EQ(from_cps.size(), from_utf8.size());
  ASSERT_GT(from_cps.size(), 2u);
  for (size_t i = 0; i < from_cps.size(); ++i) {
    EXPECT_EQ(from_cps[i].begin, from_utf8[i].begin);
    EXPECT_EQ(from_cps[i].end, from_utf8[i].end);
    EXPECT_EQ(from_cps[i].value, from_utf8[i].value);
    EXPECT_EQ(from_cps[i].type, from_utf8[i].type);
  }
}

}  // namespace
}  // namespace newsd::stages
