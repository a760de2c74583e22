// Golden test: the seed article through the default chain (decode → segment →
// language → entities), with the entity expectations of issue 4.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/chain.h"
#include "stages/common/spans.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/entities/entity_testing.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd {
namespace {

using ::newsd::testing::DescribeEntities;
using ::newsd::testing::FindEntity;
using ::newsd::testing::IsOk;
using ::newsd::testing::MentionTexts;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::FloatEq;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// The article the default chain (as in DefaultConfig()) makes of `raw`.
v1::Article RunDefaultChain(const std::string& raw) {
  google::protobuf::RepeatedPtrField<v1::StageConfig> stages;
  for (const char* name : {"decode", "segment", "language", "entities"}) {
    stages.Add()->set_name(name);
  }
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(stages);
  EXPECT_THAT(chain, IsOk());
  if (!chain.ok()) return {};
  RawMessage message;
  message.topic = "news.raw";
  message.value = raw;
  message.headers = {{"published-at", "2013-09-12T12:00:00Z"}};
  ChainResult result = (*chain)->Run(message, absl::Now());
  EXPECT_FALSE(result.failure.has_value())
      << result.failure->stage << ": " << result.failure->status;
  return result.event.article();
}

class EntitiesGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> seed =
        newsd::testing::ReadFile(newsd::testing::CorpusPath("seed/lavrov-syria-2013.txt"));
    ASSERT_THAT(seed, IsOk());
    seed_ = *seed;
    article_ = RunDefaultChain(seed_);
  }
  std::string seed_;
  v1::Article article_;
};

TEST_F(EntitiesGoldenTest, ThePeople) {
  SCOPED_TRACE(DescribeEntities(article_));
  const v1::Entity* lavrov = FindEntity(article_, "Sergey Lavrov");
  ASSERT_NE(lavrov, nullptr);
  EXPECT_EQ(lavrov->type(), "PERSON");
  EXPECT_EQ(lavrov->role(), "Foreign Minister");
  EXPECT_THAT(MentionTexts(*lavrov, v1::Mention::NAME),
              ElementsAre("Sergey Lavrov", "Sergey Lavrov", "Lavrov", "Lavrov", "Lavrov",
                          "Lavrov", "Lavrov"));
  // "his Kazakh counterpart", "Echoing ... Putin, he said", "..., he said", "his
  // US counterpart": the pronouns that refer to Lavrov, and nothing else.
  EXPECT_THAT(MentionTexts(*lavrov, v1::Mention::PRONOUN), ElementsAre("his", "he", "he", "his"));
  EXPECT_THAT(MentionTexts(*lavrov, v1::Mention::NOMINAL), IsEmpty());
  EXPECT_EQ(lavrov->mentions_size(), 11);
  EXPECT_EQ(lavrov->mentions(3).text(), "his");
  EXPECT_EQ(lavrov->mentions(3).begin(), 595u);
  EXPECT_EQ(lavrov->mentions(3).end(), 598u);
  // Offsets are code points into text; the headline mention is at 25.
  EXPECT_EQ(lavrov->mentions(0).begin(), 25u);
  EXPECT_EQ(lavrov->mentions(0).end(), 38u);
  for (const v1::Mention& m : lavrov->mentions()) {
    absl::StatusOr<absl::string_view> t =
        stages::SpanText(article_.text(), stages::MakeSpan(m.begin(), m.end()));
    ASSERT_THAT(t, IsOk());
    EXPECT_EQ(*t, m.text());
  }
  // Syria, the topic, is the most salient entity; Lavrov, who speaks, comes next.
  const v1::Entity* syria = FindEntity(article_, "Syria");
  ASSERT_NE(syria, nullptr);
  EXPECT_THAT(syria->salience(), FloatEq(1.0f));
  for (const v1::Entity& e : article_.entities()) {
    if (e.name() != "Syria" && e.name() != "Sergey Lavrov") {
      EXPECT_LT(e.salience(), lavrov->salience()) << e.name();
    }
  }

  const v1::Entity* putin = FindEntity(article_, "Vladimir Putin");
  ASSERT_NE(putin, nullptr);
  EXPECT_EQ(putin->type(), "PERSON");
  EXPECT_EQ(putin->role(), "President");
  EXPECT_THAT(MentionTexts(*putin), ElementsAre("Vladimir Putin"));  // not "he"

  const v1::Entity* kerry = FindEntity(article_, "John Kerry");
  ASSERT_NE(kerry, nullptr);
  EXPECT_EQ(kerry->type(), "PERSON");
  EXPECT_EQ(kerry->role(), "Secretary of State");
  EXPECT_THAT(MentionTexts(*kerry), ElementsAre("John Kerry", "John Kerry", "Kerry"));
}

TEST_F(EntitiesGoldenTest, CountriesAndDemonyms) {
  SCOPED_TRACE(DescribeEntities(article_));
  struct Expected {
    const char* name;
    const char* link;
    std::vector<std::string> mentions;
  };
  const std::vector<Expected> expected = {
      {"Syria", "iso3166:SY",
       {"Syria", "Syria", "Syrian", "Syria", "Syria", "Syria", "Syria", "Syria", "Syrian",
        "Syria", "Syria", "Syria", "Syria"}},
      {"Russia", "iso3166:RU",
       {"Russian", "Russian", "Russian", "Russia", "Russian", "Russian", "Russian", "Russian",
        "Russia", "Russia"}},
      {"Kazakhstan", "iso3166:KZ", {"Kazakh"}},
      {"United States", "iso3166:US", {"American", "US", "US"}},
      {"France", "iso3166:FR", {"French"}},
  };
  for (const Expected& x : expected) {
    SCOPED_TRACE(x.name);
    const v1::Entity* e = FindEntity(article_, x.name);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->type(), "GPE");
    EXPECT_EQ(e->link(), x.link);
    EXPECT_EQ(e->geo().country_code(), std::string(x.link).substr(8));
    EXPECT_EQ(e->geo().feature_code(), "PCL");
    EXPECT_EQ(MentionTexts(*e, v1::Mention::NAME), x.mentions);
    // "destabilization in the country": Syria.
    EXPECT_EQ(MentionTexts(*e, v1::Mention::NOMINAL),
              x.name == std::string("Syria") ? std::vector<std::string>{"the country"}
                                             : std::vector<std::string>{});
    EXPECT_THAT(MentionTexts(*e, v1::Mention::PRONOUN), IsEmpty());
    for (const v1::Mention& m : e->mentions()) {
      if (m.kind() != v1::Mention::NAME) continue;
      const bool demonym = m.text() != x.name && m.text() != "US";
      EXPECT_EQ(m.type(), demonym ? "NORP" : "") << m.text();
    }
  }
}

TEST_F(EntitiesGoldenTest, CitiesOnTheMap) {
  SCOPED_TRACE(DescribeEntities(article_));
  const v1::Entity* astana = FindEntity(article_, "Astana");
  ASSERT_NE(astana, nullptr);
  EXPECT_EQ(astana->type(), "GPE");
  EXPECT_EQ(astana->link(), "geonames:1526273");
  EXPECT_EQ(astana->geo().geonames_id(), 1526273u);
  EXPECT_EQ(astana->geo().country_code(), "KZ");
  EXPECT_THAT(astana->geo().latitude(), DoubleNear(51.18, 0.01));
  EXPECT_THAT(astana->geo().longitude(), DoubleNear(71.446, 0.01));
  EXPECT_EQ(astana->geo().feature_code(), "PPLC");

  const v1::Entity* geneva = FindEntity(article_, "Geneva");
  ASSERT_NE(geneva, nullptr);
  EXPECT_EQ(geneva->type(), "GPE");
  EXPECT_EQ(geneva->link(), "geonames:2660646");  // Genève, not Geneva (Illinois)
  EXPECT_EQ(geneva->geo().country_code(), "CH");
  EXPECT_THAT(geneva->geo().latitude(), DoubleNear(46.202, 0.01));
  EXPECT_THAT(geneva->geo().longitude(), DoubleNear(6.146, 0.01));
  EXPECT_GT(geneva->geo().population(), 100000u);
  EXPECT_THAT(MentionTexts(*geneva), ElementsAre("Geneva", "Geneva", "Geneva"));
}

TEST_F(EntitiesGoldenTest, Organisations) {
  SCOPED_TRACE(DescribeEntities(article_));
  const v1::Entity* opcw = FindEntity(article_, "Organization for the Prohibition of Chemical Weapons");
  ASSERT_NE(opcw, nullptr);
  EXPECT_EQ(opcw->type(), "ORG");
  EXPECT_EQ(opcw->link(), "org:opcw");
  EXPECT_EQ(opcw->mentions_size(), 2);

  const v1::Entity* council = FindEntity(article_, "UN Security Council");
  ASSERT_NE(council, nullptr);
  EXPECT_EQ(council->type(), "ORG");
  EXPECT_EQ(council->link(), "org:unsc");
  EXPECT_THAT(MentionTexts(*council), ElementsAre("UN Security Council"));

  const v1::Entity* un = FindEntity(article_, "United Nations");
  ASSERT_NE(un, nullptr);
  EXPECT_EQ(un->type(), "ORG");
  EXPECT_EQ(un->link(), "org:un");
  EXPECT_THAT(MentionTexts(*un), ElementsAre("UN"));
}

TEST_F(EntitiesGoldenTest, NothingElse) {
  SCOPED_TRACE(DescribeEntities(article_));
  std::vector<std::string> names;
  for (const v1::Entity& e : article_.entities()) names.push_back(e.name());
  EXPECT_THAT(names, UnorderedElementsAre(
                         "Sergey Lavrov", "Vladimir Putin", "John Kerry", "Syria", "Russia",
                         "Kazakhstan", "United States", "France", "Astana", "Geneva",
                         "Organization for the Prohibition of Chemical Weapons",
                         "UN Security Council", "United Nations"));
  for (const v1::Entity& e : article_.entities()) {
    for (const v1::Mention& m : e.mentions()) {
      for (const char* bad : {"Thursday", "Tomorrow", "Secretary of State", "Regarding",
                              "Echoing", "During", "The", "I"}) {
        EXPECT_NE(m.text(), bad) << e.name();
      }
    }
    EXPECT_GT(e.confidence(), 0.5f) << e.name();
    EXPECT_LE(e.confidence(), 1.0f) << e.name();
    EXPECT_GT(e.salience(), 0.0f) << e.name();
    EXPECT_LE(e.salience(), 1.0f) << e.name();
  }
  // Ids are e1, e2, ... in order of first mention.
  for (int i = 0; i < article_.entities_size(); ++i) {
    EXPECT_EQ(article_.entities(i).id(), absl::StrCat("e", i + 1));
  }
  EXPECT_EQ(article_.entities(0).name(), "Russia");
}

// The same article with an ALL-CAPS headline and straight apostrophes gives the
// same entities and mention counts.
TEST_F(EntitiesGoldenTest, AllCapsHeadlineAndStraightQuotes) {
  std::string variant = seed_;
  const size_t newline = variant.find('\n');
  for (size_t i = 0; i < newline; ++i) variant[i] = absl::ascii_toupper(variant[i]);
  for (size_t pos; (pos = variant.find("\u2019")) != std::string::npos;) {
    variant.replace(pos, 3, "'");
  }
  const v1::Article a = RunDefaultChain(variant);
  SCOPED_TRACE(DescribeEntities(a));
  ASSERT_EQ(a.entities_size(), article_.entities_size());
  for (const v1::Entity& e : article_.entities()) {
    const v1::Entity* other = FindEntity(a, e.name());
    ASSERT_NE(other, nullptr) << e.name();
    EXPECT_EQ(other->link(), e.link());
    EXPECT_EQ(MentionTexts(*other).size(), MentionTexts(e).size()) << e.name();
  }
  const v1::Entity* lavrov = FindEntity(a, "Sergey Lavrov");
  ASSERT_NE(lavrov, nullptr);
  EXPECT_EQ(lavrov->mentions(0).text(), "SERGEY LAVROV");
}

}  // namespace
}  // namespace newsd
