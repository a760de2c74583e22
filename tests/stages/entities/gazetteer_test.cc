#include "stages/entities/gazetteer.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/entities/gazetteer_data.h"
#include "stages/common/tokens.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::StatusIs;
using ::testing::HasSubstr;

// The readings of `name` as a whole in gazetteer `g`.
std::vector<GazEntry> Readings(const Gazetteer& g, absl::string_view name) {
  std::vector<uint32_t> symbols;
  for (const Token& t : Tokenize(name)) symbols.push_back(g.Symbol(t.key));
  std::vector<TokenAhoCorasick::Match> matches;
  g.FindAll(symbols, &matches);
  for (const TokenAhoCorasick::Match& m : matches) {
    if (m.begin == 0 && m.end == symbols.size()) {
      return {g.entries(m.pattern).begin(), g.entries(m.pattern).end()};
    }
  }
  return {};
}

class CompiledGazetteerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<const Gazetteer>> g = Gazetteer::Load(GazetteerData(), 15000);
    ASSERT_THAT(g, IsOk());
    gazetteer_ = g->release();
  }
  static const Gazetteer* gazetteer_;
};
const Gazetteer* CompiledGazetteerTest::gazetteer_ = nullptr;

TEST_F(CompiledGazetteerTest, CountriesFromIsoCodesWithWorldCountriesNames) {
  const Gazetteer& g = *gazetteer_;
  EXPECT_GE(g.countries().size(), 240u);
  const int32_t ru = g.CountryIndex("RU");
  ASSERT_GE(ru, 0);
  EXPECT_EQ(g.countries()[ru].name, "Russia");
  std::vector<GazEntry> r = Readings(g, "Russian Federation");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, GazKind::kCountry);
  EXPECT_EQ(r[0].index, static_cast<uint32_t>(ru));
  r = Readings(g, "US");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].case_sensitive);
  EXPECT_EQ(g.countries()[r[0].index].code, "US");
}

TEST_F(CompiledGazetteerTest, DemonymsLinkToCountries) {
  const Gazetteer& g = *gazetteer_;
  for (const auto& [word, code] : std::vector<std::pair<const char*, const char*>>{
           {"Kazakh", "KZ"}, {"Russian", "RU"}, {"American", "US"}, {"French", "FR"},
           {"Russians", "RU"}}) {
    std::vector<GazEntry> r = Readings(g, word);
    ASSERT_EQ(r.size(), 1u) << word;
    EXPECT_EQ(r[0].kind, GazKind::kDemonym) << word;
    const GazDemonym& d = g.demonyms()[r[0].index];
    ASSERT_GE(d.country, 0) << word;
    EXPECT_EQ(g.countries()[d.country].code, code) << word;
  }
}

TEST_F(CompiledGazetteerTest, CitiesFromGeoNamesWithEnglishNames) {
  const Gazetteer& g = *gazetteer_;
  bool swiss_geneva = false;
  for (const GazEntry& e : Readings(g, "Geneva")) {
    if (e.kind != GazKind::kCity) continue;
    const GazCity& c = g.cities()[e.index];
    if (c.geonames_id == 2660646) {
      swiss_geneva = true;
      EXPECT_EQ(c.name, "Geneva");
      EXPECT_EQ(c.country_code, "CH");
      EXPECT_NEAR(c.latitude, 46.20, 0.01);
    }
  }
  EXPECT_TRUE(swiss_geneva);
  std::vector<GazEntry> r = Readings(g, "Nur-Sultan");  // former name of Astana
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(g.cities()[r[0].index].name, "Astana");
  EXPECT_EQ(g.cities()[r[0].index].feature_code, "PPLC");
}

TEST_F(CompiledGazetteerTest, OrganisationsTitlesWordsAndNames) {
  const Gazetteer& g = *gazetteer_;
  std::vector<GazEntry> r = Readings(g, "OPCW");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, GazKind::kOrg);
  EXPECT_EQ(g.orgs()[r[0].index].id, "org:opcw");
  r = Readings(g, "Secretary of State");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, GazKind::kTitle);
  EXPECT_FALSE(g.titles()[r[0].index].honorific);
  r = Readings(g, "Mr.");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(g.titles()[r[0].index].honorific);
  EXPECT_TRUE(g.IsCommonWord("tomorrow"));
  EXPECT_FALSE(g.IsCommonWord("lavrov"));
  EXPECT_TRUE(g.IsFirstName("john"));
  // One-word WordNet proper nouns of one type.
  EXPECT_EQ(g.ProperNounType("gorbachev"), "PERSON");
  EXPECT_EQ(g.ProperNounType("tuscany"), "LOC");
  EXPECT_EQ(g.ProperNounType("washington"), "");  // person, place and more
  EXPECT_EQ(g.ProperNounType("okonkwo"), "");
  // Sex from the two @stdlib first-name lists; a name on both is unknown.
  EXPECT_EQ(g.FirstNameGender("john"), NameGender::kMale);
  EXPECT_EQ(g.FirstNameGender("angela"), NameGender::kFemale);
  EXPECT_EQ(g.FirstNameGender("jordan"), NameGender::kUnknown);
  EXPECT_EQ(g.FirstNameGender("lavrov"), NameGender::kUnknown);
  EXPECT_EQ(g.KeywordType("University"), "ORG");
  EXPECT_EQ(g.KeywordType("River"), "LOC");
  EXPECT_EQ(g.KeywordType("university"), "");
}

TEST(GazetteerTest, SmallRecordsAndPopulationThreshold) {
  const char* records =
      "C\tKZ\tKazakhstan\t48\t68\tQazaqstan\tKazakhstani\n"
      "P\t1\tBigtown\tKZ\tPPLA\t50000\t1.5\t2.5\t\n"
      "P\t2\tSmalltown\tKZ\tPPL\t500\t1\t2\t\n"
      "P\t3\tCapitalton\tKZ\tPPLC\t900\t1\t2\tCapital City\n"
      "D\tKazakh\tKZ\n";
  absl::StatusOr<std::unique_ptr<const Gazetteer>> g = Gazetteer::Load(records, 15000);
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ((*g)->cities().size(), 2u);  // Smalltown is below the threshold
  EXPECT_EQ(Readings(**g, "Smalltown").size(), 0u);
  ASSERT_EQ(Readings(**g, "Capital City").size(), 1u);
  EXPECT_EQ((*g)->demonyms().size(), 2u);
  EXPECT_EQ(Readings(**g, "Kazakhs").size(), 1u);  // plural
}

TEST(GazetteerTest, ProperNounRecords) {
  absl::StatusOr<std::unique_ptr<const Gazetteer>> g =
      Gazetteer::Load("I\tzeus\tPERSON\nI\tdarfur\tLOC\n", 0);
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ((*g)->ProperNounType("zeus"), "PERSON");
  EXPECT_EQ((*g)->ProperNounType("darfur"), "LOC");
  EXPECT_EQ((*g)->ProperNounType("hera"), "");
  EXPECT_THAT(Gazetteer::Load("I\tzeus\tGOD\n", 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("record 1")));
}

TEST(GazetteerTest, FirstNameSex) {
  absl::StatusOr<std::unique_ptr<const Gazetteer>> g =
      Gazetteer::Load("F\tjohn\tm\nF\tmary\tf\nF\tsam\t\nF\tlee\n", 0);
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ((*g)->FirstNameGender("john"), NameGender::kMale);
  EXPECT_EQ((*g)->FirstNameGender("mary"), NameGender::kFemale);
  EXPECT_EQ((*g)->FirstNameGender("sam"), NameGender::kUnknown);
  EXPECT_EQ((*g)->FirstNameGender("lee"), NameGender::kUnknown);  // old two-field record
  EXPECT_TRUE((*g)->IsFirstName("lee"));
  EXPECT_EQ((*g)->FirstNameGender("bob"), NameGender::kUnknown);
}

TEST(GazetteerTest, MalformedRecordsAreInvalidArgument) {
  EXPECT_THAT(Gazetteer::Load("C\tKZ\tKazakhstan\n", 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("record 1")));
  EXPECT_THAT(Gazetteer::Load("X\tfoo\n", 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown record kind")));
  EXPECT_THAT(Gazetteer::Load("P\tx\tTown\tKZ\tPPL\t1\t1\t1\t\n", 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad city number")));
  EXPECT_THAT(Gazetteer::Load("D\tMartian\tMA\n", 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown country MA")));
}

}  // namespace
}  // namespace newsd::stages
