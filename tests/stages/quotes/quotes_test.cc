// The quotes stage on byte-exact inputs, one test per quote pattern of issue 5.
#include "stages/quotes/quotes.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "stages/common/spans.h"
#include "stages/common/tokens.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::StatusIs;
using ::testing::Contains;
using ::testing::Not;

// The stage registered as `name`, with its default options.
StagePtr Registered(const char* name) {
  v1::StageConfig config;
  config.set_name(name);
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  EXPECT_THAT(stage, IsOk()) << name;
  return stage.ok() ? *std::move(stage) : nullptr;
}

// Headline + paragraphs laid out as the decode stage does, then segment,
// entities (English only) and quotes.
v1::Article Extract(std::vector<absl::string_view> paragraphs, absl::string_view language = "en") {
  static const StagePtr segment = Registered("segment");
  static const StagePtr entities = Registered("entities");
  static const StagePtr quotes = Registered("quotes");
  v1::Article a;
  TextBuilder b;
  *a.mutable_headline() = b.Append("Headline");
  for (absl::string_view p : paragraphs) {
    b.Append("\n\n");
    *a.add_paragraphs() = b.Append(p);
  }
  a.set_text(b.Release());
  a.set_language(std::string(language));
  StageContext ctx;
  EXPECT_THAT(segment->Process(a, ctx), IsOk());
  if (language == "en") EXPECT_THAT(entities->Process(a, ctx), IsOk());
  EXPECT_THAT(quotes->Process(a, ctx), IsOk());
  return a;
}

// Extract, with the stages sharing one token stream through the context, as
// they do in a chain (segment builds it, entities and quotes read it).
v1::Article ExtractShared(std::vector<absl::string_view> paragraphs) {
  static const StagePtr segment = Registered("segment");
  static const StagePtr entities = Registered("entities");
  static const StagePtr quotes = Registered("quotes");
  v1::Article a;
  TextBuilder b;
  *a.mutable_headline() = b.Append("Headline");
  for (absl::string_view p : paragraphs) {
    b.Append("\n\n");
    *a.add_paragraphs() = b.Append(p);
  }
  a.set_text(b.Release());
  a.set_language("en");
  Analyses analyses;
  StageContext ctx;
  ctx.analyses = &analyses;
  EXPECT_THAT(segment->Process(a, ctx), IsOk());
  EXPECT_NE(analyses.Find<TextAnalysis>(), nullptr);
  EXPECT_THAT(entities->Process(a, ctx), IsOk());
  EXPECT_THAT(quotes->Process(a, ctx), IsOk());
  EXPECT_EQ(analyses.size(), 1u);  // nobody built a second one
  return a;
}

std::string Describe(const v1::Article& a) {
  std::string out;
  for (const v1::Quote& q : a.quotes()) {
    absl::StrAppend(&out, v1::QuoteKind_Name(q.kind()), " '", q.text(), "' speaker='",
                    q.speaker(), "' id=", q.speaker_entity_id(), " cue='", q.cue(), "'\n");
  }
  for (const v1::Entity& e : a.entities()) absl::StrAppend(&out, e.id(), " ", e.type(), " ", e.name(), "\n");
  return out;
}

std::string EntityId(const v1::Article& a, absl::string_view name) {
  for (const v1::Entity& e : a.entities()) {
    if (e.name() == name) return e.id();
  }
  return "";
}

TEST(QuotesStageTest, CueAfterQuoteStraightMarks) {
  const v1::Article a = Extract({"\"We will win,\" John Smith said on Monday."});
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 1);
  const v1::Quote& q = a.quotes(0);
  EXPECT_EQ(q.text(), "We will win,");
  EXPECT_EQ(q.begin(), 11u);  // "Headline\n\n\"" is 11 code points
  EXPECT_EQ(q.end(), 23u);
  EXPECT_EQ(q.kind(), v1::QUOTE_KIND_DIRECT);
  EXPECT_EQ(q.speaker(), "John Smith");
  EXPECT_EQ(q.speaker_entity_id(), EntityId(a, "John Smith"));
  EXPECT_FALSE(q.speaker_entity_id().empty());
  EXPECT_EQ(q.cue(), "said");
}

TEST(QuotesStageTest, CueBeforeQuoteWithColonAndInvertedCue) {
  const v1::Article a = Extract(
      {"John Smith told reporters: \u201cThe talks are over.\u201d",
       "\u201cWe are leaving,\u201d said Smith, who chairs the committee."});
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 2);
  EXPECT_EQ(a.quotes(0).text(), "The talks are over.");
  EXPECT_EQ(a.quotes(0).speaker(), "John Smith");
  EXPECT_EQ(a.quotes(0).cue(), "told");
  EXPECT_EQ(a.quotes(0).kind(), v1::QUOTE_KIND_DIRECT);
  EXPECT_EQ(a.quotes(1).speaker(), "John Smith");
  EXPECT_EQ(a.quotes(1).cue(), "said");
}

TEST(QuotesStageTest, MismatchedMarksAndApostrophes) {
  const v1::Article a = Extract(
      {"\"I'm sure it\u2019s Russia\u2019s plan,\u201d Mary Brown said.",
       "\u201cIt isn't,\" she added."});
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 2);
  EXPECT_EQ(a.quotes(0).text(), "I'm sure it\u2019s Russia\u2019s plan,");
  EXPECT_EQ(a.quotes(1).text(), "It isn't,");
  EXPECT_EQ(a.quotes(1).speaker(), "Mary Brown");
  EXPECT_EQ(a.quotes(1).cue(), "added");
}

TEST(QuotesStageTest, NestedSingleQuotesStayInside) {
  const v1::Article a = Extract(
      {"\u201cHe told me \u2018we will win\u2019 and left,\u201d John Smith said."});
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 1);
  EXPECT_EQ(a.quotes(0).text(), "He told me \u2018we will win\u2019 and left,");
  EXPECT_EQ(a.quotes(0).speaker(), "John Smith");
}

TEST(QuotesStageTest, GuillemetsAndGermanMarks) {
  const v1::Article fr = Extract({"\u00ab Nous gagnerons \u00bb, said John Smith."});
  SCOPED_TRACE(Describe(fr));
  ASSERT_EQ(fr.quotes_size(), 1);
  EXPECT_EQ(fr.quotes(0).text(), "Nous gagnerons");
  EXPECT_EQ(fr.quotes(0).speaker(), "John Smith");

  const v1::Article de =
      Extract({"\u201eWir schaffen das\u201c, sagte Angela Merkel am Montag in Berlin."}, "de");
  SCOPED_TRACE(Describe(de));
  ASSERT_EQ(de.quotes_size(), 1);
  EXPECT_EQ(de.quotes(0).text(), "Wir schaffen das");
  EXPECT_EQ(de.quotes(0).speaker(), "Angela Merkel");  // a name without an entity
  EXPECT_EQ(de.quotes(0).speaker_entity_id(), "");
  EXPECT_EQ(de.quotes(0).cue(), "sagte");
  const v1::Article de2 = Extract({"Der Minister sagte: \u00bbDas ist falsch.\u00ab"}, "de");
  ASSERT_EQ(de2.quotes_size(), 1);
  EXPECT_EQ(de2.quotes(0).text(), "Das ist falsch.");
  EXPECT_EQ(de2.quotes(0).speaker(), "Der Minister");
}

TEST(QuotesStageTest, MultiParagraphQuoteKeepsSpeaker) {
  const v1::Article a = Extract({
      "\u201cWe will rebuild,\u201d Mayor John Smith said. \u201cIt will take years.",
      "\u201cBut we will do it.\u201d",
  });
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 3);
  EXPECT_EQ(a.quotes(1).text(), "It will take years.");
  EXPECT_FALSE(a.quotes(1).unclosed());
  EXPECT_EQ(a.quotes(2).text(), "But we will do it.");
  EXPECT_TRUE(a.quotes(2).continued());
  for (const v1::Quote& q : a.quotes()) EXPECT_EQ(q.speaker(), "John Smith") << q.text();
  EXPECT_THAT(a.flags(), Not(Contains("quote_unclosed")));
}

TEST(QuotesStageTest, UnclosedQuoteEndsAtParagraphAndIsFlagged) {
  const v1::Article a = Extract({"John Smith said \"this will never end. ", "Nobody answered."});
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 1);
  EXPECT_EQ(a.quotes(0).text(), "this will never end.");
  EXPECT_TRUE(a.quotes(0).unclosed());
  EXPECT_THAT(a.flags(), Contains("quote_unclosed"));
}

TEST(QuotesStageTest, PartialAndScareQuotes) {
  const v1::Article a = Extract({
      "John Smith said the plan was \u201ca total failure\u201d and left.",
      "Critics call it a \u201cstorm\u201d of protest.",
      "The so-called \u201cpeace dividend\u201d never came.",
  });
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 3);
  EXPECT_EQ(a.quotes(0).kind(), v1::QUOTE_KIND_PARTIAL);
  EXPECT_EQ(a.quotes(0).speaker(), "John Smith");
  EXPECT_EQ(a.quotes(1).kind(), v1::QUOTE_KIND_SCARE);
  EXPECT_EQ(a.quotes(1).speaker(), "");
  EXPECT_EQ(a.quotes(2).kind(), v1::QUOTE_KIND_SCARE);
  EXPECT_EQ(a.quotes(2).speaker(), "");
}

TEST(QuotesStageTest, PronounGoesToLastCompatibleSpeaker) {
  const v1::Article a = Extract({
      "\u201cWe are ready,\u201d Ms. Mary Jones said.",
      "Mr. Robert Brown, the mayor, disagreed with her.",
      "\u201cThey are not,\u201d he said.",
      "\u201cWe are,\u201d she said.",
  });
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 3);
  EXPECT_EQ(a.quotes(0).speaker(), "Mary Jones");
  EXPECT_EQ(a.quotes(1).speaker(), "Robert Brown");
  EXPECT_EQ(a.quotes(2).speaker(), "Mary Jones");
  EXPECT_EQ(a.quotes(2).speaker_span().end() - a.quotes(2).speaker_span().begin(), 3u);
}

TEST(QuotesStageTest, RoleDescriptionAndApposition) {
  const v1::Article a = Extract({
      "Foreign Minister Sergey Lavrov met John Kerry in Geneva.",
      "\u201cThe talks were useful,\u201d the minister said.",
      "\u201cWe will see,\u201d said Jane Doe, a spokeswoman for the ministry, adding that "
      "nothing was signed.",
      "\u201cIt is over,\u201d according to John Kerry.",
  });
  SCOPED_TRACE(Describe(a));
  ASSERT_EQ(a.quotes_size(), 3);
  EXPECT_EQ(a.quotes(0).speaker(), "Sergey Lavrov");
  EXPECT_EQ(a.quotes(0).speaker_entity_id(), EntityId(a, "Sergey Lavrov"));
  EXPECT_EQ(a.quotes(1).speaker(), "Jane Doe");
  EXPECT_EQ(a.quotes(2).speaker(), "John Kerry");
  EXPECT_EQ(a.quotes(2).cue(), "according to");
}

TEST(QuotesStageTest, BadSpansAreInvalidArgument) {
  QuotesStage stage({});
  v1::Article a;
  a.set_text("short");
  *a.add_paragraphs() = MakeSpan(0, 99);
  EXPECT_THAT(stage.Process(a, StageContext()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("paragraph")));
  a.clear_paragraphs();
  a.set_text("\xff\"x\"");
  EXPECT_THAT(stage.Process(a, StageContext()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("UTF-8")));
}

}  // namespace
}  // namespace newsd::stages

namespace newsd::stages {
namespace {

TEST(QuotesSharedTokensTest, SameQuotesWithAndWithoutTheSharedTokenStream) {
  const std::vector<std::vector<absl::string_view>> texts = {
      {"\u201cWe will not accept this,\u201d Russian Foreign Minister Sergey Lavrov said.",
       "He added: \u201cThe U.S.-drafted text is unacceptable.\u201d"},
      {"Ms. Jones said the plan was \"dead on arrival\" and 'premature'.",
       "\u201cIt\u2019s over,\u201d she told reporters in Zürich. \u201cWe\u2019re done."},
      {"\u00abC'est fini\u00bb, a déclaré le ministre.", "\"Bad UTF-8 free\" said Bob."},
  };
  for (const auto& paragraphs : texts) {
    SCOPED_TRACE(paragraphs[0]);
    const v1::Article alone = Extract(paragraphs);
    const v1::Article shared = ExtractShared(paragraphs);
    EXPECT_EQ(Describe(shared), Describe(alone));
    EXPECT_EQ(shared.SerializeAsString(), alone.SerializeAsString());
    EXPECT_GT(shared.quotes_size(), 0);
  }
}

}  // namespace
}  // namespace newsd::stages
