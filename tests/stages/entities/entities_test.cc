#include "stages/entities/entities.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "stages/common/spans.h"
#include "tests/stages/entities/entity_testing.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::DescribeEntities;
using ::newsd::testing::FindEntity;
using ::newsd::testing::IsOk;
using ::newsd::testing::MentionTexts;
using ::newsd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

StagePtr MakeStage(const char* name, std::map<std::string, std::string> options = {}) {
  v1::StageConfig config;
  config.set_name(name);
  for (const auto& [k, v] : options) (*config.mutable_options())[k] = v;
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  EXPECT_THAT(stage, IsOk());
  return stage.ok() ? *std::move(stage) : nullptr;
}

// An article laid out like the decode stage does (headline, blank line,
// paragraphs), segmented by the segment stage, then run through entities.
v1::Article Extract(absl::string_view headline, std::vector<absl::string_view> paragraphs,
                    absl::string_view dateline_place = "") {
  static const StagePtr segment = MakeStage("segment");
  static const StagePtr entities = MakeStage("entities");
  v1::Article a;
  TextBuilder b;
  *a.mutable_headline() = b.Append(headline);
  for (absl::string_view p : paragraphs) {
    b.Append("\n\n");
    *a.add_paragraphs() = b.Append(p);
  }
  a.set_text(b.Release());
  a.set_language("en");
  a.mutable_dateline()->set_place(std::string(dateline_place));
  StageContext ctx;
  EXPECT_THAT(segment->Process(a, ctx), IsOk());
  EXPECT_THAT(entities->Process(a, ctx), IsOk());
  return a;
}

TEST(EntitiesStageTest, AcronymAndExpansionAreOneEntity) {
  const v1::Article a = Extract(
      "Inspectors arrive",
      {"The Agency for Nuclear Safety (ANS) sent inspectors on Monday.",
       "ANS officials said the visit would last a week."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* ans = FindEntity(a, "Agency for Nuclear Safety");
  ASSERT_NE(ans, nullptr);
  EXPECT_EQ(ans->type(), "ORG");
  EXPECT_THAT(MentionTexts(*ans), ElementsAre("Agency for Nuclear Safety", "ANS", "ANS"));
  EXPECT_EQ(FindEntity(a, "Monday"), nullptr);
}

TEST(EntitiesStageTest, SurnamesResolveToTheFullName) {
  const v1::Article a = Extract(
      "Talks resume",
      {"German Chancellor Angela Merkel met Mr. Okonkwo Adebayo in Berlin.",
       "Merkel said the talks went well. Adebayo agreed."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* merkel = FindEntity(a, "Angela Merkel");
  ASSERT_NE(merkel, nullptr);
  EXPECT_EQ(merkel->type(), "PERSON");
  EXPECT_EQ(merkel->role(), "Chancellor");
  EXPECT_THAT(MentionTexts(*merkel), ElementsAre("Angela Merkel", "Merkel"));
  const v1::Entity* adebayo = FindEntity(a, "Okonkwo Adebayo");
  ASSERT_NE(adebayo, nullptr);
  EXPECT_EQ(adebayo->role(), "");  // "Mr." is an honorific, not a role
  EXPECT_THAT(MentionTexts(*adebayo), ElementsAre("Okonkwo Adebayo", "Adebayo"));
  const v1::Entity* germany = FindEntity(a, "Germany");
  ASSERT_NE(germany, nullptr);
  EXPECT_EQ(germany->mentions(0).type(), "NORP");
  const v1::Entity* berlin = FindEntity(a, "Berlin");
  ASSERT_NE(berlin, nullptr);
  EXPECT_EQ(berlin->geo().country_code(), "DE");
  EXPECT_EQ(berlin->geo().feature_code(), "PPLC");
}

TEST(EntitiesStageTest, PlacesAreDisambiguatedByTheArticle) {
  const v1::Article pakistan =
      Extract("Floods", {"Pakistani officials in Hyderabad said the river rose overnight."});
  SCOPED_TRACE(DescribeEntities(pakistan));
  const v1::Entity* h = FindEntity(pakistan, "Hyderabad");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->geo().country_code(), "PK");
  const v1::Article india = Extract("Floods", {"Officials in Hyderabad said the river rose."});
  SCOPED_TRACE(DescribeEntities(india));
  h = FindEntity(india, "Hyderabad");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->geo().country_code(), "IN");  // the bigger one without context
  // The dateline decides too.
  const v1::Article dated =
      Extract("Floods", {"Officials in Hyderabad said the river rose."}, "KARACHI");
  h = FindEntity(dated, "Hyderabad");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->geo().country_code(), "PK");
}

TEST(EntitiesStageTest, CommonWordsAndSentenceStarts) {
  const v1::Article a = Extract(
      "A nice day",
      {"French police in Nice said nothing. Tomorrow the Amazon River floods.",
       "During the day, Reading fans sang."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* nice = FindEntity(a, "Nice");
  ASSERT_NE(nice, nullptr);
  EXPECT_EQ(nice->geo().country_code(), "FR");
  EXPECT_THAT(MentionTexts(*nice), ElementsAre("Nice"));  // not "nice" in the headline
  const v1::Entity* river = FindEntity(a, "Amazon River");
  ASSERT_NE(river, nullptr);
  EXPECT_EQ(river->type(), "LOC");
  EXPECT_EQ(FindEntity(a, "Tomorrow"), nullptr);
  EXPECT_EQ(FindEntity(a, "During"), nullptr);
  EXPECT_EQ(FindEntity(a, "Reading"), nullptr);  // a common word with no support for the town
}

TEST(EntitiesStageTest, HeadWordsTypeUnknownNames) {
  const v1::Article a = Extract(
      "Study", {"Researchers at the University of Tartu and the Kessler Institute studied "
                "the Zambezi River near Kariba Airport during the Crimean War."});
  SCOPED_TRACE(DescribeEntities(a));
  ASSERT_NE(FindEntity(a, "University of Tartu"), nullptr);
  EXPECT_EQ(FindEntity(a, "University of Tartu")->type(), "ORG");
  ASSERT_NE(FindEntity(a, "Kessler Institute"), nullptr);
  EXPECT_EQ(FindEntity(a, "Kessler Institute")->type(), "ORG");
  ASSERT_NE(FindEntity(a, "Zambezi River"), nullptr);
  EXPECT_EQ(FindEntity(a, "Zambezi River")->type(), "LOC");
  ASSERT_NE(FindEntity(a, "Kariba Airport"), nullptr);
  EXPECT_EQ(FindEntity(a, "Kariba Airport")->type(), "FAC");
  ASSERT_NE(FindEntity(a, "Crimean War"), nullptr);
  EXPECT_EQ(FindEntity(a, "Crimean War")->type(), "EVENT");
}

TEST(EntitiesStageTest, NameShapes) {
  const v1::Article a = Extract(
      "Vote count",
      {"Troy Patterson of Slate Magazine met Lee Cheuk-yan in Eureka Springs, Arkansas.",
       "ChemLawn Corp rejected the bid. A ChemLawn spokesman said LibriVox was not "
       "involved. The Kazakh-born envoy left."});
  SCOPED_TRACE(DescribeEntities(a));
  ASSERT_NE(FindEntity(a, "Troy Patterson"), nullptr);
  EXPECT_EQ(FindEntity(a, "Troy Patterson")->type(), "PERSON");
  ASSERT_NE(FindEntity(a, "Slate Magazine"), nullptr);
  EXPECT_EQ(FindEntity(a, "Slate Magazine")->type(), "ORG");
  ASSERT_NE(FindEntity(a, "Lee Cheuk-yan"), nullptr);  // hyphenated given name
  EXPECT_EQ(FindEntity(a, "Lee Cheuk-yan")->type(), "PERSON");
  const v1::Entity* town = FindEntity(a, "Eureka Springs");  // too small for the gazetteer
  ASSERT_NE(town, nullptr);
  EXPECT_EQ(town->type(), "GPE");
  ASSERT_NE(FindEntity(a, "Arkansas"), nullptr);
  EXPECT_EQ(FindEntity(a, "Arkansas")->link(), "iso3166-2:US-AR");
  const v1::Entity* chemlawn = FindEntity(a, "ChemLawn Corp");
  ASSERT_NE(chemlawn, nullptr);
  EXPECT_EQ(chemlawn->type(), "ORG");
  EXPECT_THAT(MentionTexts(*chemlawn), ElementsAre("ChemLawn Corp", "ChemLawn"));
  ASSERT_NE(FindEntity(a, "LibriVox"), nullptr);
  EXPECT_EQ(FindEntity(a, "LibriVox")->type(), "ORG");
  const v1::Entity* kz = FindEntity(a, "Kazakhstan");
  ASSERT_NE(kz, nullptr);
  EXPECT_THAT(MentionTexts(*kz), ElementsAre("Kazakh"));
}

TEST(EntitiesStageTest, AllCapsHeadlineUsesNamesFromTheBody) {
  const v1::Article a = Extract("OKONKWO ADEBAYO VISITS NIGERIA",
                                {"Okonkwo Adebayo arrived in Nigeria on Tuesday."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* p = FindEntity(a, "Okonkwo Adebayo");
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(MentionTexts(*p), ElementsAre("OKONKWO ADEBAYO", "Okonkwo Adebayo"));
  const v1::Entity* ng = FindEntity(a, "Nigeria");
  ASSERT_NE(ng, nullptr);
  EXPECT_THAT(MentionTexts(*ng), ElementsAre("NIGERIA", "Nigeria"));
  EXPECT_EQ(FindEntity(a, "VISITS"), nullptr);
}

// Mention texts and kinds of an entity, "text/KIND", in order.
std::vector<std::string> MentionsWithKinds(const v1::Entity& e) {
  std::vector<std::string> out;
  for (const v1::Mention& m : e.mentions()) {
    out.push_back(absl::StrCat(m.text(), "/", v1::Mention::Kind_Name(m.kind())));
  }
  return out;
}

TEST(EntitiesStageTest, PronounsReferToTheMostMentionedPersonNearby) {
  const v1::Article a = Extract(
      "Talks resume",
      {"Okonkwo Adebayo met Angela Merkel in Berlin. Adebayo said he was pleased with her "
       "answers.",
       "Merkel thanked him. She said his plan would help.",
       "The weather was fine. Officials said he left on Friday."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* adebayo = FindEntity(a, "Okonkwo Adebayo");
  const v1::Entity* merkel = FindEntity(a, "Angela Merkel");
  ASSERT_NE(adebayo, nullptr);
  ASSERT_NE(merkel, nullptr);
  // "Angela" is a female first name: "she"/"her" go to Merkel, and "he"/"him"/
  // "his" skip her for the person of unknown sex; the last "he" has no person
  // named in its sentence or the one before, so it is no mention.
  EXPECT_THAT(MentionsWithKinds(*adebayo),
              ElementsAre("Okonkwo Adebayo/NAME", "Adebayo/NAME", "he/PRONOUN", "him/PRONOUN",
                          "his/PRONOUN"));
  EXPECT_THAT(MentionsWithKinds(*merkel),
              ElementsAre("Angela Merkel/NAME", "her/PRONOUN", "Merkel/NAME", "She/PRONOUN"));
  const v1::Mention& he = adebayo->mentions(2);
  EXPECT_EQ(a.text().substr(he.begin(), he.end() - he.begin()), "he");  // ASCII text
  // Pronouns do not rename an entity or make it more confident.
  EXPECT_EQ(adebayo->name(), "Okonkwo Adebayo");
}

TEST(EntitiesStageTest, DefiniteDescriptionsReferToANamedPlaceOrOrganisation) {
  const v1::Article a = Extract(
      "Floods",
      {"Heavy rain hit Pakistan on Monday. Officials said the country needed help.",
       "The University of Helsinki sent experts. The university said the team would stay.",
       "The city of Lahore was spared."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* pakistan = FindEntity(a, "Pakistan");
  ASSERT_NE(pakistan, nullptr);
  EXPECT_THAT(MentionsWithKinds(*pakistan),
              ElementsAre("Pakistan/NAME", "the country/NOMINAL"));
  const v1::Entity* helsinki = FindEntity(a, "University of Helsinki");
  ASSERT_NE(helsinki, nullptr);
  // "the team" is an organisation too; "the city of Lahore" names its city.
  EXPECT_THAT(MentionsWithKinds(*helsinki),
              ElementsAre("University of Helsinki/NAME", "The university/NOMINAL",
                          "the team/NOMINAL"));
  for (const v1::Entity& e : a.entities()) {
    for (const v1::Mention& m : e.mentions()) EXPECT_NE(m.text(), "The city") << e.name();
  }
}

TEST(EntitiesStageTest, InterviewFirstPersonIsTheInterviewee) {
  const v1::Article a = Extract(
      "Interview with biologist Okonkwo Adebayo",
      {"Okonkwo Adebayo studies ants in Lagos.",
       "What got you interested in ants?",
       "I kept ants as a child. My mother thought I was odd.",
       "\"I am here,\" Adebayo said."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* adebayo = FindEntity(a, "Okonkwo Adebayo");
  ASSERT_NE(adebayo, nullptr);
  // "you" in a question, "I"/"My" in answers; not in the headline.
  EXPECT_THAT(MentionsWithKinds(*adebayo),
              ElementsAre("Okonkwo Adebayo/NAME", "Okonkwo Adebayo/NAME", "you/PRONOUN",
                          "I/PRONOUN", "My/PRONOUN", "I/PRONOUN", "I/PRONOUN",
                          "Adebayo/NAME"));
  // Outside an interview "I" is nobody's.
  const v1::Article news = Extract(
      "Ant study", {"Okonkwo Adebayo studies ants.", "I kept ants as a child, he said."});
  SCOPED_TRACE(DescribeEntities(news));
  const v1::Entity* person = FindEntity(news, "Okonkwo Adebayo");
  ASSERT_NE(person, nullptr);
  EXPECT_THAT(MentionsWithKinds(*person),
              ElementsAre("Okonkwo Adebayo/NAME", "he/PRONOUN"));
  // "interview" as a common noun does not make an interview, and the newspaper
  // "the i" is no pronoun.
  const v1::Article asylum = Extract(
      "Questionnaire to replace interview with questionnaire",
      {"Okonkwo Adebayo announced the change.", "I think it is fair, the i reported."});
  SCOPED_TRACE(DescribeEntities(asylum));
  const v1::Entity* minister = FindEntity(asylum, "Okonkwo Adebayo");
  ASSERT_NE(minister, nullptr);
  EXPECT_THAT(MentionsWithKinds(*minister), ElementsAre("Okonkwo Adebayo/NAME"));
  const v1::Article onion = Extract(
      "An interview with the editors of a paper",
      {"Okonkwo Adebayo edits the paper.", "Who reads it?", "I hope the i does not."});
  SCOPED_TRACE(DescribeEntities(onion));
  const v1::Entity* editor = FindEntity(onion, "Okonkwo Adebayo");
  ASSERT_NE(editor, nullptr);
  EXPECT_THAT(MentionsWithKinds(*editor), ElementsAre("Okonkwo Adebayo/NAME", "I/PRONOUN"));
}

TEST(EntitiesStageTest, CapitalisedTheInsideASentenceStartsATitle) {
  const v1::Article a = Extract(
      "Satire",
      {"She writes for The Onion and told The Huffington Post about it.",
       "The Onion is a satirical paper. Protests against The Church of Scientology grew."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* onion = FindEntity(a, "Onion");
  ASSERT_NE(onion, nullptr);
  EXPECT_EQ(onion->type(), "ORG");
  // Only where "The" is not the first word of a sentence.
  EXPECT_THAT(MentionTexts(*onion), ElementsAre("Onion"));
  EXPECT_EQ(onion->mentions(0).begin(), 27u);  // "Satire\n\nShe writes for The "
  const v1::Entity* post = FindEntity(a, "Huffington Post");
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(post->type(), "ORG");
  // A head word still types the name.
  const v1::Entity* church = FindEntity(a, "Church of Scientology");
  ASSERT_NE(church, nullptr);
  EXPECT_EQ(church->type(), "ORG");
}

TEST(EntitiesStageTest, KnownPlacesInsideOrganisationNamesAreMentions) {
  const v1::Article a = Extract(
      "Ants", {"He studied at the University of Copenhagen and at Pace University."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* university = FindEntity(a, "University of Copenhagen");
  ASSERT_NE(university, nullptr);
  EXPECT_EQ(university->type(), "ORG");
  const v1::Entity* copenhagen = FindEntity(a, "Copenhagen");
  ASSERT_NE(copenhagen, nullptr);
  EXPECT_EQ(copenhagen->type(), "GPE");
  EXPECT_EQ(copenhagen->geo().country_code(), "DK");
  ASSERT_EQ(copenhagen->mentions_size(), 1);
  // Nested inside the organisation's mention: "Ants\n\nHe studied at the
  // University of " is 38 code points.
  EXPECT_EQ(copenhagen->mentions(0).begin(), 38u);
  EXPECT_EQ(copenhagen->mentions(0).end(), 48u);
  EXPECT_EQ(university->mentions(0).begin(), 24u);
  EXPECT_EQ(university->mentions(0).end(), 48u);
  // "pace" is an English word: no place Pace.
  EXPECT_EQ(FindEntity(a, "Pace"), nullptr);
}

TEST(EntitiesStageTest, PeopleHeadingOrganisationNamesAreMentions) {
  const v1::Article a = Extract(
      "Art", {"Andy Warhol painted. The prints came from the Andy Warhol Foundation for the "
              "Visual Arts and the Andrew Mellon Foundation, not the Victoria Cross Fund."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* warhol = FindEntity(a, "Andy Warhol");
  ASSERT_NE(warhol, nullptr);
  EXPECT_EQ(warhol->type(), "PERSON");
  // The person named in the article, and inside the foundation's name
  // ("Art\n\nAndy Warhol painted. The prints came from the " is 51 code points).
  ASSERT_EQ(warhol->mentions_size(), 2);
  EXPECT_EQ(warhol->mentions(1).begin(), 51u);
  EXPECT_EQ(warhol->mentions(1).end(), 62u);
  const v1::Entity* foundation = FindEntity(a, "Andy Warhol Foundation for the Visual Arts");
  ASSERT_NE(foundation, nullptr);
  EXPECT_EQ(foundation->type(), "ORG");
  // A first name and a surname before the head word.
  const v1::Entity* mellon = FindEntity(a, "Andrew Mellon");
  ASSERT_NE(mellon, nullptr);
  EXPECT_EQ(mellon->type(), "PERSON");
  // "Cross" is an English word: no person "Victoria Cross".
  EXPECT_EQ(FindEntity(a, "Victoria Cross"), nullptr);
}

TEST(EntitiesStageTest, HeadWordNamedPlaceBeforeItsComplementHeadsAName) {
  // University is also a city in Florida (GeoNames 7260219).
  const v1::Article a = Extract("Exhibit", {"It opened at the University of Southern Indiana."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* usi = FindEntity(a, "University of Southern Indiana");
  ASSERT_NE(usi, nullptr);
  EXPECT_EQ(usi->type(), "ORG");
  EXPECT_EQ(FindEntity(a, "University"), nullptr);
}

TEST(EntitiesStageTest, NamesInAListWithPeopleArePeople) {
  // "dries" is an English word, so "Dries Mertens" alone has no evidence; "Kevin"
  // is a first name. A comma alone is no list ("John Dingell, D-Mich, said"),
  // nor are firms listed with names of the same shape.
  const v1::Article a = Extract(
      "Match", {"Belgium attacked with Romelu Lukaku, Kevin De Bruyne, and Dries Mertens.",
                "Later Dries Mertens scored from a volley. John Dingell, D-Mich, said so.",
                "Dean Witter and Acme Brothers advised them."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* mertens = FindEntity(a, "Dries Mertens");
  ASSERT_NE(mertens, nullptr);
  EXPECT_EQ(mertens->type(), "PERSON");
  EXPECT_EQ(mertens->mentions_size(), 2);
  EXPECT_EQ(FindEntity(a, "D-Mich"), nullptr);
  const v1::Entity* acme = FindEntity(a, "Acme Brothers");
  EXPECT_TRUE(acme == nullptr || acme->type() != "PERSON");
}

TEST(EntitiesStageTest, WordsMostlyCapitalisedInTheArticleAreNames) {
  // WordNet's noun.group gives Scientology the type ORG; one lower-case use and
  // a newsgroup name do not make it a common word of the article, two
  // capitalised uses inside sentences do not either.
  const v1::Article a = Extract(
      "Hackers", {"Critics of Scientology posted on alt.religion.scientology. They said "
                  "Scientology had sued. One wrote that the scientology site was down.",
                  "Voters backed DAB on Monday. Later DAB won seats, and a dab of paint did not.",
                  "Its board met."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* scientology = FindEntity(a, "Scientology");
  ASSERT_NE(scientology, nullptr);
  EXPECT_EQ(scientology->type(), "ORG");
  EXPECT_EQ(scientology->mentions_size(), 2);
  // "dab" is an English word, and the article writes it in lower case too: no
  // acronym.
  EXPECT_EQ(FindEntity(a, "DAB"), nullptr);
  // An English word in capitals twice, never in lower case: an acronym.
  const v1::Article b = Extract(
      "Robots", {"Teams entered FIRST Global this year. Founded in 1989, FIRST runs it."});
  SCOPED_TRACE(DescribeEntities(b));
  const v1::Entity* first = FindEntity(b, "FIRST");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->type(), "ORG");
  // A single emphasised word stays a word.
  const v1::Article c = Extract("Vote", {"They did NOT vote for him."});
  EXPECT_EQ(FindEntity(c, "NOT"), nullptr);
}

TEST(EntitiesStageTest, PluralsOfTheArticlesWordsAreNoSurnames) {
  const v1::Article a = Extract(
      "Art", {"Andy Warhol used the Polaroid camera. The gallery shows Warhol Polaroids, "
              "and Kristin Wilkins curates them."});
  SCOPED_TRACE(DescribeEntities(a));
  EXPECT_EQ(FindEntity(a, "Warhol Polaroids"), nullptr);
  const v1::Entity* warhol = FindEntity(a, "Andy Warhol");
  ASSERT_NE(warhol, nullptr);
  EXPECT_THAT(MentionTexts(*warhol), ElementsAre("Andy Warhol", "Warhol"));
}

TEST(EntitiesStageTest, ACityIsOfTheRegionNamedAfterIt) {
  const v1::Article a = Extract(
      "Storm", {"A tornado damaged homes in Paris, Texas, and hit Birmingham, Alabama, and "
                "London, Ontario."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* paris = FindEntity(a, "Paris");
  ASSERT_NE(paris, nullptr);
  EXPECT_EQ(paris->geo().country_code(), "US");
  const v1::Entity* birmingham = FindEntity(a, "Birmingham");
  ASSERT_NE(birmingham, nullptr);
  EXPECT_EQ(birmingham->geo().country_code(), "US");
  const v1::Entity* london = FindEntity(a, "London");
  ASSERT_NE(london, nullptr);
  EXPECT_EQ(london->geo().country_code(), "CA");
  // The dateline's region decides the dateline's country.
  const v1::Article dated = Extract("Storm", {"Homes in Paris were damaged."}, "PARIS, Texas");
  SCOPED_TRACE(DescribeEntities(dated));
  paris = FindEntity(dated, "Paris");
  ASSERT_NE(paris, nullptr);
  EXPECT_EQ(paris->geo().country_code(), "US");
}

TEST(EntitiesStageTest, CapitalsStandForTheirGovernments) {
  // A national capital needs no support from the article, and beats a town of
  // the dateline's country (Washington, Tyne and Wear).
  const v1::Article a = Extract(
      "Oil", {"Secretary of State Mike Pompeo said Washington would monitor the market."},
      "LONDON");
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* washington = FindEntity(a, "Washington");
  ASSERT_NE(washington, nullptr);
  EXPECT_EQ(washington->link(), "geonames:4140963");
  // A city WordNet knows as a place is linked without other support; the
  // current English name is canonical.
  const v1::Article b = Extract(
      "Weather", {"Flights were cancelled. Manchester was spared and Kiev was calm. "
                  "Officials in Frankfurt said so."});
  SCOPED_TRACE(DescribeEntities(b));
  const v1::Entity* manchester = FindEntity(b, "Manchester");
  ASSERT_NE(manchester, nullptr);
  EXPECT_EQ(manchester->geo().country_code(), "GB");
  const v1::Entity* kyiv = FindEntity(b, "Kyiv");
  ASSERT_NE(kyiv, nullptr);
  EXPECT_THAT(MentionTexts(*kyiv), ElementsAre("Kiev"));
  const v1::Entity* frankfurt = FindEntity(b, "Frankfurt");
  ASSERT_NE(frankfurt, nullptr);
  EXPECT_EQ(frankfurt->type(), "GPE");
}

TEST(EntitiesStageTest, EveryCityOfTheDatelineIsAPlace) {
  static const StagePtr entities = MakeStage("entities");
  v1::Article a;
  a.set_text("Talks\n\nGENEVA/BRUSSELS, Sept 12 (Reuters) - A team arrived.");
  a.mutable_headline()->set_end(5);
  a.mutable_dateline()->set_place("GENEVA/BRUSSELS");
  a.mutable_dateline()->mutable_span()->set_begin(7);
  a.mutable_dateline()->mutable_span()->set_end(43);  // "GENEVA/BRUSSELS, Sept 12 (Reuters) -"
  a.set_language("en");
  ASSERT_THAT(entities->Process(a, StageContext()), IsOk());
  SCOPED_TRACE(DescribeEntities(a));
  // The dateline is not body text: its places are Dateline.places, not mentions.
  EXPECT_EQ(FindEntity(a, "Geneva"), nullptr);
  EXPECT_EQ(FindEntity(a, "Brussels"), nullptr);
  EXPECT_EQ(FindEntity(a, "Reuters"), nullptr);
  ASSERT_EQ(a.dateline().places_size(), 2);
  const v1::DatelinePlace& geneva = a.dateline().places(0);
  EXPECT_EQ(geneva.name(), "Geneva");
  EXPECT_EQ(geneva.type(), "GPE");
  EXPECT_EQ(geneva.geo().country_code(), "CH");
  EXPECT_EQ(geneva.link(), absl::StrCat("geonames:", geneva.geo().geonames_id()));
  EXPECT_EQ(geneva.entity_id(), "");
  const v1::DatelinePlace& brussels = a.dateline().places(1);
  EXPECT_EQ(brussels.name(), "Brussels");
  EXPECT_EQ(brussels.geo().country_code(), "BE");
}

TEST(EntitiesStageTest, DatelinePlaceNamedInTheBodyLinksItsEntity) {
  static const StagePtr segment = MakeStage("segment");
  static const StagePtr entities = MakeStage("entities");
  v1::Article a;
  // "Talks" [0, 5), paragraph [7, 78), dateline "ASTANA, Kazakhstan (AP) —" [7, 32).
  a.set_text(
      "Talks\n\nASTANA, Kazakhstan (AP) \xE2\x80\x94 Officials in Astana met "
      "Kazakhstan's leaders.");
  a.mutable_headline()->set_end(5);
  v1::Span* p = a.add_paragraphs();
  p->set_begin(7);
  p->set_end(78);
  a.mutable_dateline()->set_place("ASTANA, Kazakhstan");
  a.mutable_dateline()->set_agency("AP");
  a.mutable_dateline()->mutable_span()->set_begin(7);
  a.mutable_dateline()->mutable_span()->set_end(32);
  a.set_language("en");
  ASSERT_THAT(segment->Process(a, StageContext()), IsOk());
  ASSERT_THAT(entities->Process(a, StageContext()), IsOk());
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* astana = FindEntity(a, "Astana");
  ASSERT_NE(astana, nullptr);
  EXPECT_THAT(MentionTexts(*astana), ElementsAre("Astana"));  // not "ASTANA"
  EXPECT_GE(astana->mentions(0).begin(), 32u);
  const v1::Entity* kazakhstan = FindEntity(a, "Kazakhstan");
  ASSERT_NE(kazakhstan, nullptr);
  EXPECT_THAT(MentionTexts(*kazakhstan), ElementsAre("Kazakhstan"));
  EXPECT_GE(kazakhstan->mentions(0).begin(), 32u);
  ASSERT_EQ(a.dateline().places_size(), 2);
  EXPECT_EQ(a.dateline().places(0).name(), "Astana");
  EXPECT_EQ(a.dateline().places(0).entity_id(), astana->id());
  EXPECT_EQ(a.dateline().places(0).geo().country_code(), "KZ");
  EXPECT_EQ(a.dateline().places(1).name(), "Kazakhstan");
  EXPECT_EQ(a.dateline().places(1).link(), "iso3166:KZ");
  EXPECT_EQ(a.dateline().places(1).entity_id(), kazakhstan->id());
  // Run again: the places are replaced, not appended.
  ASSERT_THAT(entities->Process(a, StageContext()), IsOk());
  EXPECT_EQ(a.dateline().places_size(), 2);
}

// The lede's first word after the dateline is not trimmed as a sentence start.
TEST(EntitiesStageTest, LedeNameAfterTheDatelineKeepsItsFirstWord) {
  static const StagePtr segment = MakeStage("segment");
  static const StagePtr entities = MakeStage("entities");
  v1::Article a;
  // "Bank deal" [0, 9); paragraph [11, 74); "CHARLOTTE, March 3 -" [11, 31).
  a.set_text("Bank deal\n\nCHARLOTTE, March 3 - First Union Corp said it agreed to buy it.");
  a.mutable_headline()->set_end(9);
  v1::Span* p = a.add_paragraphs();
  p->set_begin(11);
  p->set_end(74);
  a.mutable_dateline()->set_place("CHARLOTTE");
  a.mutable_dateline()->mutable_span()->set_begin(11);
  a.mutable_dateline()->mutable_span()->set_end(31);
  a.set_language("en");
  ASSERT_THAT(segment->Process(a, StageContext()), IsOk());
  ASSERT_THAT(entities->Process(a, StageContext()), IsOk());
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* bank = FindEntity(a, "First Union Corp");
  ASSERT_NE(bank, nullptr);
  EXPECT_EQ(bank->type(), "ORG");
}

TEST(EntitiesStageTest, TitledSurnamesAndAppositivesJoinThePerson) {
  const v1::Article a = Extract(
      "Talks", {"Juncker met Angela Merkel, Germany's chancellor, on Monday. Labour leader "
                "Jeremy Corbyn spoke. Mr. Corbyn's party was pleased. Mr Corbyn said he "
                "would stay."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* merkel = FindEntity(a, "Angela Merkel");
  ASSERT_NE(merkel, nullptr);
  EXPECT_EQ(merkel->type(), "PERSON");
  const v1::Entity* corbyn = FindEntity(a, "Jeremy Corbyn");
  ASSERT_NE(corbyn, nullptr);
  EXPECT_THAT(MentionTexts(*corbyn), ElementsAre("Jeremy Corbyn", "Corbyn", "Corbyn", "he"));
  EXPECT_EQ(FindEntity(a, "Corbyn"), nullptr);
  // "Donald" is a first name (human-names; Moby lacks it); a relative named
  // with the same surname is a person of its own.
  const v1::Article b = Extract(
      "Visit", {"Donald Trump arrived. Ivanka Trump, his daughter, was present."});
  SCOPED_TRACE(DescribeEntities(b));
  const v1::Entity* donald = FindEntity(b, "Donald Trump");
  ASSERT_NE(donald, nullptr);
  EXPECT_EQ(donald->type(), "PERSON");
  const v1::Entity* ivanka = FindEntity(b, "Ivanka Trump");
  ASSERT_NE(ivanka, nullptr);
  EXPECT_EQ(ivanka->type(), "PERSON");
}

TEST(EntitiesStageTest, MonthSurnamesAndSentenceInitialSurnames) {
  const v1::Article a = Extract(
      "Talks", {"British Prime Minister Theresa May said in May that talks would go on. "
                "Mrs. May agreed. Tim Cook met Gordon Brown. Cook said it went well. Brown "
                "said so. Image: Reuters."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* may = FindEntity(a, "Theresa May");
  ASSERT_NE(may, nullptr);
  EXPECT_EQ(may->role(), "Prime Minister");
  EXPECT_THAT(MentionTexts(*may), ElementsAre("Theresa May", "May"));  // not "in May"
  const v1::Entity* cook = FindEntity(a, "Tim Cook");
  ASSERT_NE(cook, nullptr);
  EXPECT_THAT(MentionTexts(*cook), ElementsAre("Tim Cook", "Cook"));
  const v1::Entity* brown = FindEntity(a, "Gordon Brown");
  ASSERT_NE(brown, nullptr);
  EXPECT_THAT(MentionTexts(*brown), ElementsAre("Gordon Brown", "Brown"));
  EXPECT_EQ(FindEntity(a, "Image"), nullptr);
}

TEST(EntitiesStageTest, TheWestIsARegion) {
  const v1::Article a = Extract(
      "Energy", {"Russia sells gas to the West and to the West Bank. Prices rose in the south."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* west = FindEntity(a, "West");
  ASSERT_NE(west, nullptr);
  EXPECT_EQ(west->type(), "LOC");
  EXPECT_THAT(MentionTexts(*west), ElementsAre("West"));
  EXPECT_EQ(FindEntity(a, "south"), nullptr);
}

TEST(EntitiesStageTest, LoneWordNetProperNounsAreTyped) {
  const v1::Article a = Extract(
      "Talks", {"The agreement was that Gorbachev agreed to leave. Schools in Tuscany paid.",
                "Zeus was worshipped. Washington stayed calm."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* gorbachev = FindEntity(a, "Gorbachev");
  ASSERT_NE(gorbachev, nullptr);
  EXPECT_EQ(gorbachev->type(), "PERSON");
  EXPECT_FLOAT_EQ(gorbachev->confidence(), 0.7f);
  const v1::Entity* tuscany = FindEntity(a, "Tuscany");
  ASSERT_NE(tuscany, nullptr);
  EXPECT_EQ(tuscany->type(), "GPE");  // "in X" reads it first
  const v1::Entity* zeus = FindEntity(a, "Zeus");  // sentence-initial, not a word
  ASSERT_NE(zeus, nullptr);
  EXPECT_EQ(zeus->type(), "PERSON");
  // A person, a city and a state in WordNet: its reading comes from the
  // gazetteer, not from WordNet; the national capital rather than the state.
  const v1::Entity* washington = FindEntity(a, "Washington");
  ASSERT_NE(washington, nullptr);
  EXPECT_EQ(washington->link(), "geonames:4140963");
}

TEST(EntitiesStageTest, UnknownNamesAfterInArePlaces) {
  const v1::Article a = Extract(
      "Holiday", {"He spent a week in Levico Terme, and in Okonkwo Adebayo's view it rained."});
  SCOPED_TRACE(DescribeEntities(a));
  const v1::Entity* levico = FindEntity(a, "Levico Terme");
  ASSERT_NE(levico, nullptr);
  EXPECT_EQ(levico->type(), "GPE");
  const v1::Entity* adebayo = FindEntity(a, "Okonkwo Adebayo");
  ASSERT_NE(adebayo, nullptr);
  EXPECT_EQ(adebayo->type(), "PERSON");
}

TEST(EntitiesStageTest, GenericAbbreviationsAreNoOrganisations) {
  const v1::Article a = Extract(
      "Web", {"The page uses HTML and XML, and the ANS checked its GPS data on a PC."});
  SCOPED_TRACE(DescribeEntities(a));
  std::vector<std::string> names;
  for (const v1::Entity& e : a.entities()) names.push_back(e.name());
  EXPECT_THAT(names, ElementsAre("ANS"));
}

TEST(EntitiesStageTest, OtherLanguagesAreSkipped) {
  static const StagePtr entities = MakeStage("entities");
  v1::Article a;
  a.set_text("Angela Merkel besuchte Berlin.");
  a.set_language("de");
  EXPECT_THAT(entities->Process(a, StageContext()), IsOk());
  EXPECT_THAT(a.entities(), IsEmpty());
  const StagePtr german_too = MakeStage("entities", {{"languages", "en, de"}});
  EXPECT_THAT(german_too->Process(a, StageContext()), IsOk());
  EXPECT_NE(a.entities_size(), 0);
}

TEST(EntitiesStageTest, BadInputIsInvalidArgument) {
  static const StagePtr entities = MakeStage("entities");
  v1::Article a;
  a.set_text("Syria\xff");
  EXPECT_THAT(entities->Process(a, StageContext()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8 at byte 5")));
  a.set_text("Syria");
  *a.add_sentences() = MakeSpan(0, 9);
  EXPECT_THAT(entities->Process(a, StageContext()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sentences[0]")));
}

TEST(EntitiesStageTest, OptionsAreChecked) {
  v1::StageConfig config;
  config.set_name("entities");
  (*config.mutable_options())["min_confidence"] = "2";
  EXPECT_THAT(StageRegistry::Global().Create(config).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("min_confidence")));
  config.clear_options();
  (*config.mutable_options())["colour"] = "blue";
  EXPECT_THAT(StageRegistry::Global().Create(config).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("colour")));
  // A higher confidence bar drops the weakly supported entities.
  const StagePtr strict = MakeStage("entities", {{"min_confidence", "0.9"}});
  v1::Article a;
  a.set_text("Zorblat Quim met Syria's envoy.");
  a.set_language("en");
  ASSERT_THAT(strict->Process(a, StageContext()), IsOk());
  ASSERT_EQ(a.entities_size(), 1);
  EXPECT_EQ(a.entities(0).name(), "Syria");
}

TEST(EntitiesStageTest, ConcurrentCallsAgree) {
  const v1::Article expected =
      Extract("Talks", {"Russian Foreign Minister Sergey Lavrov met John Kerry in Geneva."});
  ASSERT_EQ(expected.entities_size(), 4);
  static const StagePtr entities = MakeStage("entities");
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        v1::Article a = expected;
        if (entities->Process(a, StageContext()).ok() &&
            a.SerializeAsString() == expected.SerializeAsString()) {
          ++ok[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(ok, ElementsAre(50, 50, 50, 50));
}

}  // namespace
}  // namespace newsd::stages
