// Inputs that are not articles (decode.h, option not_articles): a null value and
// the NewsML-G2 items that are not news are skipped with a kind (pipeline/stage.h
// NotAnArticle), or rejected as before with not_articles "dead_letter".
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "stages/decode/decode.h"
#include "stages/decode/formats.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::CorpusPath;
using ::newsd::testing::IsOk;
using ::newsd::testing::ReadFile;
using ::newsd::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

DecodeOptions DeadLetter() {
  DecodeOptions o;
  o.not_articles = DecodeOptions::NotArticles::kDeadLetter;
  return o;
}

// One run of the stage as the engine makes it (fan-out and skipped items collected).
struct Decoded {
  absl::Status status;
  std::vector<v1::Article> articles;  // the first, then the fanned-out ones
  std::vector<absl::Status> skipped_items;
};

Decoded Decode(absl::string_view payload, DecodeOptions options = {},
           absl::string_view content_type = "", bool collect_skipped = true) {
  Decoded run;
  v1::Article article;
  article.set_id("news.raw/0/5");
  article.mutable_source()->set_content_type(std::string(content_type));
  std::vector<v1::Article> more;
  StageContext ctx;
  ctx.payload = payload;
  ctx.more_articles = &more;
  if (collect_skipped) ctx.skipped_items = &run.skipped_items;
  run.status = DecodeStage(options).Process(article, ctx);
  if (run.status.ok()) {
    run.articles.push_back(std::move(article));
    for (v1::Article& a : more) run.articles.push_back(std::move(a));
  }
  return run;
}

MATCHER_P(NotAnArticleOfKind, kind, "") {
  *result_listener << "status: " << arg << ", kind \"" << NotAnArticleKind(arg) << "\"";
  return IsNotAnArticle(arg) && arg.code() == absl::StatusCode::kInvalidArgument &&
         NotAnArticleKind(arg) == kind;
}

std::vector<std::string> Kinds(const std::vector<absl::Status>& statuses) {
  std::vector<std::string> kinds;
  for (const absl::Status& s : statuses) kinds.push_back(NotAnArticleKind(s));
  return kinds;
}

constexpr absl::string_view kConceptItem = R"(<?xml version="1.0" encoding="UTF-8"?>
<conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:ex.com:c:draghi"
    version="1" standard="NewsML-G2" standardversion="2.35">
  <itemMeta><itemClass qcode="cinat:concept"/><provider qcode="nprov:EX"/>
    <versionCreated>2018-10-19T11:17:00Z</versionCreated></itemMeta>
  <concept>
    <conceptId qcode="ex:draghi"/><type qcode="cpnat:person"/>
    <name>Mario Draghi</name>
    <definition>Mario Draghi, born 3 September 1947, is an Italian banker.</definition>
  </concept>
</conceptItem>)";

constexpr absl::string_view kPlanningItem = R"(<?xml version="1.0" encoding="UTF-8"?>
<planningItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:ex.com:p:1"
    version="1" standard="NewsML-G2" standardversion="2.35">
  <itemMeta><itemClass qcode="plinat:newscoverage"/><provider qcode="nprov:EX"/>
    <versionCreated>2018-10-19T11:17:00Z</versionCreated></itemMeta>
  <contentMeta><headline>Coverage of the summit</headline></contentMeta>
  <newsCoverageSet><newsCoverage><planning>
    <g2contentType>application/vnd.iptc.g2.newsitem+xml</g2contentType>
    <edNote>Two stories and pictures.</edNote>
  </planning></newsCoverage></newsCoverageSet>
</planningItem>)";

constexpr absl::string_view kPackageItem = R"(<?xml version="1.0" encoding="UTF-8"?>
<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:ex.com:pkg:1"
    version="3" standard="NewsML-G2" standardversion="2.35">
  <itemMeta><itemClass qcode="ninat:composite"/><provider qcode="nprov:EX"/>
    <versionCreated>2018-10-19T11:17:00Z</versionCreated><title>UK-TOPNEWS</title></itemMeta>
  <groupSet root="G1"><group id="G1" role="group:main">
    <itemRef residref="urn:newsml:ex.com:a" contenttype="application/vnd.iptc.g2.newsitem+xml">
      <title>Obama announces his team</title></itemRef>
  </group></groupSet>
</packageItem>)";

// A newsMessage holding a package, a concept, two news items and a planning item.
constexpr absl::string_view kMixedMessage = R"(<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <header><sent>2018-10-19T11:17:00Z</sent></header>
  <itemSet>
    <packageItem guid="urn:newsml:ex.com:pkg:1" version="1">
      <groupSet root="G1"><group id="G1"><itemRef residref="urn:newsml:ex.com:a">
        <title>Talks resume</title></itemRef></group></groupSet>
    </packageItem>
    <conceptItem guid="urn:newsml:ex.com:c:1" version="1">
      <concept><name>Geneva</name></concept>
    </conceptItem>
    <newsItem guid="urn:newsml:ex.com:a" version="1">
      <contentMeta><headline>Talks resume</headline></contentMeta>
      <contentSet><inlineData contenttype="text/plain">Talks resumed today.</inlineData></contentSet>
    </newsItem>
    <planningItem guid="urn:newsml:ex.com:p:1" version="1">
      <contentMeta><headline>More at noon</headline></contentMeta>
    </planningItem>
    <newsItem version="1">
      <contentMeta><headline>Second story</headline></contentMeta>
    </newsItem>
  </itemSet>
</newsMessage>)";

TEST(NotArticlesTest, NullValueIsATombstone) {
  v1::Article article;
  StageContext ctx;
  ctx.payload_is_null = true;
  EXPECT_THAT(DecodeStage({}).Process(article, ctx), NotAnArticleOfKind("tombstone"));
  EXPECT_EQ(DecodeStage(DeadLetter()).Process(article, ctx),
            absl::InvalidArgumentError("null value (tombstone)"));
}

TEST(NotArticlesTest, NewsMlG2ItemsThatAreNotNewsHaveAKind) {
  const Decoded concept_item = Decode(kConceptItem);
  EXPECT_THAT(concept_item.status, NotAnArticleOfKind("newsml_g2_concept"));
  EXPECT_EQ(concept_item.status.message(),
            "NewsML-G2 conceptItem \"urn:newsml:ex.com:c:draghi\" is not news: it describes "
            "one concept (a person, an organisation, an event, a topic ...)");
  EXPECT_THAT(concept_item.skipped_items, IsEmpty());

  // A headline does not make a planning item an article.
  const Decoded planning = Decode(kPlanningItem);
  EXPECT_THAT(planning.status, NotAnArticleOfKind("newsml_g2_planning"));
  EXPECT_THAT(std::string(planning.status.message()), HasSubstr("urn:newsml:ex.com:p:1"));

  // A package alone (its item references have titles, but no story).
  EXPECT_THAT(Decode(kPackageItem).status, NotAnArticleOfKind("newsml_g2_package"));

  const std::string knowledge = absl::StrCat(
      R"(<knowledgeItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="k1" version="1">)",
      R"(<conceptSet><concept><name>X</name></concept></conceptSet></knowledgeItem>)");
  EXPECT_THAT(Decode(knowledge).status, NotAnArticleOfKind("newsml_g2_knowledge"));
  EXPECT_THAT(Decode(R"(<catalogItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="c1"/>)")
                  .status,
              NotAnArticleOfKind("newsml_g2_catalog"));
}

TEST(NotArticlesTest, BareGroupSetAndG2CatalogAreRecognized) {
  // Both were "unsupported markup document" before.
  EXPECT_THAT(Decode(R"(<groupSet root="G1"><group id="G1"><itemRef residref="a"/></group>
                        </groupSet>)")
                  .status,
              NotAnArticleOfKind("newsml_g2_package"));
  EXPECT_THAT(
      Decode(R"(<?xml version="1.0"?><catalog xmlns="http://iptc.org/std/nar/2006-10-01/">
                <scheme alias="x" uri="http://cv.example.com/x/"/></catalog>)")
          .status,
      NotAnArticleOfKind("newsml_g2_catalog"));
  // A <catalog> of another vocabulary is still unknown markup.
  EXPECT_THAT(Decode("<catalog><book/></catalog>").status,
              StatusIs(kInvalid, "unsupported markup document: root element <catalog>"));
  // The G2 media types of these items select NewsML-G2.
  for (const char* type : {"application/vnd.iptc.g2.conceptitem+xml",
                           "application/vnd.iptc.g2.knowledgeitem+xml",
                           "application/vnd.iptc.g2.planningitem+xml",
                           "application/vnd.iptc.g2.catalogitem+xml"}) {
    absl::StatusOr<const FormatSpec*> f = SelectFormat("<x/>", ParseContentType(type));
    ASSERT_THAT(f, IsOk()) << type;
    EXPECT_EQ((*f)->format, v1::FORMAT_NEWSML_G2) << type;
  }
}

TEST(NotArticlesTest, OnlyNonArticlesInANewsMessage) {
  // The first item is the returned status, the others are skipped items.
  const std::string message = absl::StrCat(
      R"(<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>)",
      R"(<packageItem guid="p"/><conceptItem guid="c"/><planningItem guid="q"/>)",
      R"(</itemSet></newsMessage>)");
  const Decoded run = Decode(message);
  EXPECT_THAT(run.status, NotAnArticleOfKind("newsml_g2_package"));
  EXPECT_THAT(Kinds(run.skipped_items), ElementsAre("newsml_g2_concept", "newsml_g2_planning"));
  // dead_letter: the message is rejected with the first item's reason.
  const Decoded rejected = Decode(message, DeadLetter());
  EXPECT_THAT(rejected.status, StatusIs(kInvalid, HasSubstr("NewsML-G2 packageItem")));
  EXPECT_FALSE(IsNotAnArticle(rejected.status));
  EXPECT_THAT(rejected.skipped_items, IsEmpty());
}

TEST(NotArticlesTest, ArticlesOfAMixedNewsMessageArePublished) {
  const Decoded run = Decode(kMixedMessage);
  ASSERT_THAT(run.status, IsOk());
  ASSERT_EQ(run.articles.size(), 2u);
  EXPECT_EQ(run.articles[0].id(), "urn:newsml:ex.com:a");
  EXPECT_EQ(run.articles[0].text(), "Talks resume\n\nTalks resumed today.");
  // Ids of items without a guid keep the item's position in the message.
  EXPECT_EQ(run.articles[1].id(), "news.raw/0/5#5");
  EXPECT_EQ(run.articles[1].text(), "Second story");
  // Counted as skipped items, not flagged.
  EXPECT_THAT(Kinds(run.skipped_items),
              ElementsAre("newsml_g2_package", "newsml_g2_concept", "newsml_g2_planning"));
  EXPECT_THAT(run.articles[0].flags(), Not(Contains("items_skipped")));

  // Without a collector: flagged like items without text.
  const Decoded uncollected = Decode(kMixedMessage, {}, "", /*collect_skipped=*/false);
  ASSERT_THAT(uncollected.status, IsOk());
  EXPECT_THAT(uncollected.articles[0].flags(), Contains("items_skipped"));

  // dead_letter: the articles are published, the other items dropped and flagged.
  const Decoded dead_letter = Decode(kMixedMessage, DeadLetter());
  ASSERT_THAT(dead_letter.status, IsOk());
  ASSERT_EQ(dead_letter.articles.size(), 2u);
  EXPECT_THAT(dead_letter.skipped_items, IsEmpty());
  EXPECT_THAT(dead_letter.articles[0].flags(), Contains("items_skipped"));
}

TEST(NotArticlesTest, NonArticlesBesideAnItemWithoutTextAreStillAnError) {
  // The news item has no text: the message is bad input, as before.
  const std::string message = absl::StrCat(
      R"(<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>)",
      R"(<conceptItem guid="c"><concept><name>X</name></concept></conceptItem>)",
      R"(<newsItem guid="n"/></itemSet></newsMessage>)");
  const Decoded run = Decode(message);
  EXPECT_THAT(run.status, StatusIs(kInvalid, HasSubstr("no text")));
  EXPECT_FALSE(IsNotAnArticle(run.status));
}

TEST(NotArticlesTest, WithoutFanOutTheFirstArticleIsKept) {
  v1::Article article;
  article.set_id("m");
  StageContext ctx;
  ctx.payload = kMixedMessage;
  ASSERT_THAT(DecodeStage({}).Process(article, ctx), IsOk());
  EXPECT_EQ(article.id(), "urn:newsml:ex.com:a");
  EXPECT_THAT(article.flags(), Contains("more_items_dropped"));
}

TEST(NotArticlesTest, IptcSamples) {
  for (const auto& [file, kind] : std::vector<std::pair<std::string, std::string>>{
           {"examples/LISTING_10_Abstract_Concept_conveyed_in_a_NewsML-G2_Concept_Item.xml",
            "newsml_g2_concept"},
           {"examples/LISTING_12_Knowledge_Item_for_Access_Codes.xml", "newsml_g2_knowledge"},
           {"examples/LISTING_13_Complete_Catalog_Item.xml", "newsml_g2_catalog"},
           {"examples/LISTING_17_Planning_Item_a_CCL.xml", "newsml_g2_planning"},
           {"examples/LISTING_6_Simple_NewsML-G2_Package.xml", "newsml_g2_package"},
           {"examples/LISTING_7_Group_Set_example_showing_Hierarchical_Package_Structure.xml",
            "newsml_g2_package"},
       }) {
    absl::StatusOr<std::string> bytes = ReadFile(CorpusPath("iptc/newsml-g2/" + file));
    ASSERT_THAT(bytes, IsOk()) << file;
    EXPECT_THAT(Decode(*bytes).status, NotAnArticleOfKind(kind)) << file;
    const Decoded rejected = Decode(*bytes, DeadLetter());
    EXPECT_EQ(rejected.status.code(), kInvalid) << file;
    EXPECT_FALSE(IsNotAnArticle(rejected.status)) << file;
  }
}

TEST(NotArticlesTest, OptionIsValidated) {
  v1::StageConfig config;
  config.set_name("decode");
  (*config.mutable_options())["not_articles"] = "dead_letter";
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  v1::Article article;
  StageContext ctx;
  ctx.payload_is_null = true;
  EXPECT_FALSE(IsNotAnArticle((*stage)->Process(article, ctx)));

  (*config.mutable_options())["not_articles"] = "skip";
  stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  EXPECT_THAT((*stage)->Process(article, ctx), NotAnArticleOfKind("tombstone"));

  (*config.mutable_options())["not_articles"] = "drop";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, "options[\"not_articles\"]: expected \"skip\" or "
                                 "\"dead_letter\", got \"drop\""));
}

}  // namespace
}  // namespace newsd::stages
