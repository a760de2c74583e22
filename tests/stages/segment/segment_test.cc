#include "stages/segment/segment.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "stages/common/spans.h"
#include "stages/common/tokens.h"
#include "stages/decode/decode.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// An article laid out like the decode stage does: headline, then paragraphs.
v1::Article MakeArticle(absl::string_view headline, std::vector<absl::string_view> paragraphs) {
  v1::Article a;
  TextBuilder b;
  if (!headline.empty()) *a.mutable_headline() = b.Append(headline);
  for (absl::string_view p : paragraphs) {
    if (b.size_code_points() > 0) b.Append("\n\n");
    *a.add_paragraphs() = b.Append(p);
  }
  a.set_text(b.Release());
  return a;
}

std::vector<std::string> Sentences(const v1::Article& a) {
  std::vector<std::string> out;
  for (const v1::Span& s : a.sentences()) {
    absl::StatusOr<absl::string_view> t = SpanText(a.text(), s);
    out.push_back(t.ok() ? std::string(*t) : "<bad span>");
  }
  return out;
}

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SegmentStage>> stage = SegmentStage::Create({});
    ASSERT_THAT(stage, IsOk());
    stage_ = *std::move(stage);
  }

  std::vector<std::string> Segment(absl::string_view headline,
                                   std::vector<absl::string_view> paragraphs) {
    v1::Article a = MakeArticle(headline, std::move(paragraphs));
    EXPECT_THAT(stage_->Process(a, StageContext()), IsOk());
    return Sentences(a);
  }

  std::unique_ptr<SegmentStage> stage_;
};

TEST_F(SegmentTest, AbbreviationsIcuHandles) {
  EXPECT_THAT(Segment("", {"Mr. Smith flew to the U.S. on Monday. He met Prof. Jones there."}),
              ElementsAre("Mr. Smith flew to the U.S. on Monday.", "He met Prof. Jones there."));
}

TEST_F(SegmentTest, AbbreviationsIcuMisses) {
  // ICU 72 breaks after "Sen.", "Gen.", "Dr.", "Lt." and "U.S." before a capital.
  EXPECT_THAT(Segment("", {"Sen. Bob Dole met Lt. Col. Oliver North and Gen. Jones. "
                           "Dr. Ruth Westheimer was not invited."}),
              ElementsAre("Sen. Bob Dole met Lt. Col. Oliver North and Gen. Jones.",
                          "Dr. Ruth Westheimer was not invited."));
  EXPECT_THAT(Segment("", {"Officials in the U.S. State Department declined to comment. "
                           "The talks resume Sept. 12 in Geneva."}),
              ElementsAre("Officials in the U.S. State Department declined to comment.",
                          "The talks resume Sept. 12 in Geneva."));
  EXPECT_THAT(Segment("", {"Prices rose on Jan. 5 and Feb. 6 in Sacramento, Calif. Traders said."}),
              ElementsAre("Prices rose on Jan. 5 and Feb. 6 in Sacramento, Calif. Traders said."));
}

TEST_F(SegmentTest, InitialsDoNotEndSentences) {
  EXPECT_THAT(Segment("", {"President John F. Kennedy was shot in Dallas. J. R. R. Tolkien "
                           "wrote books. It was 1963."}),
              ElementsAre("President John F. Kennedy was shot in Dallas.",
                          "J. R. R. Tolkien wrote books.", "It was 1963."));
  EXPECT_THAT(Segment("", {"Washington, D.C. Mayor Marion Barry and N.Y. Gov. Mario Cuomo met."}),
              ElementsAre("Washington, D.C. Mayor Marion Barry and N.Y. Gov. Mario Cuomo met."));
}

// Issue 21 item 10: an abbreviation that may end a sentence ends one when the
// next word starts a sentence, in both directions. Each case is one paragraph and
// the sentences expected from it.
struct AbbreviationCase {
  const char* paragraph;
  std::vector<std::string> sentences;
};

const AbbreviationCase kAbbreviationCases[] = {
    // Split: the next word starts a sentence.
    {"The meeting was held in Washington, D.C. The U.S. delegation backed the plan.",
     {"The meeting was held in Washington, D.C.", "The U.S. delegation backed the plan."}},
    {"He moved to the U.S. He said he liked it.",
     {"He moved to the U.S.", "He said he liked it."}},
    {"The vote is at 5 p.m. The meeting starts earlier.",
     {"The vote is at 5 p.m.", "The meeting starts earlier."}},
    {"Police arrived at 9 a.m. Officers said nobody was hurt.",
     {"Police arrived at 9 a.m.", "Officers said nobody was hurt."}},
    {"Shares of Apple Inc. The company said sales rose.",
     {"Shares of Apple Inc.", "The company said sales rose."}},
    {"They sell pens, paper, etc. Prices rose in May.",
     {"They sell pens, paper, etc.", "Prices rose in May."}},
    {"He lives in Boston, Mass. It is cold there.",
     {"He lives in Boston, Mass.", "It is cold there."}},
    {"The speech honoured Martin Luther King Jr. His family attended.",
     {"The speech honoured Martin Luther King Jr.", "His family attended."}},
    {"Sales fell in Jan. The company blamed the weather.",
     {"Sales fell in Jan.", "The company blamed the weather."}},
    {"He met Malcolm X. They talked for an hour.",
     {"He met Malcolm X.", "They talked for an hour."}},
    {"Sales rose in the U.S. But they fell in Europe.",
     {"Sales rose in the U.S.", "But they fell in Europe."}},
    {"Showers are likely Sat. Highs will be in the 60s.",
     {"Showers are likely Sat.", "Highs will be in the 60s."}},
    {"The firm is based in the U.K. \u201cWe are pleased,\u201d he said.",
     {"The firm is based in the U.K.", "\u201cWe are pleased,\u201d he said."}},
    {"He left the U.S. It's over, he said.", {"He left the U.S.", "It's over, he said."}},
    {"ST. PAUL, Minn. The company said it would move.",
     {"ST. PAUL, Minn.", "The company said it would move."}},
    // No split: a name, weekday, number or lower-case word continues the sentence.
    {"The talks resume at 9 a.m. Friday. Officials said so.",
     {"The talks resume at 9 a.m. Friday.", "Officials said so."}},
    {"The market opens at 9 a.m. Moscow time on Monday.",
     {"The market opens at 9 a.m. Moscow time on Monday."}},
    {"Trading starts at 9:30 a.m. Eastern on weekdays.",
     {"Trading starts at 9:30 a.m. Eastern on weekdays."}},
    {"The shares open at 9 a.m. EST on Monday.", {"The shares open at 9 a.m. EST on Monday."}},
    {"Mr. Smith arrived late.", {"Mr. Smith arrived late."}},
    {"U.S. officials said the plan failed.", {"U.S. officials said the plan failed."}},
    {"The talks resume Jan. 5 in Geneva.", {"The talks resume Jan. 5 in Geneva."}},
    {"Officials in the U.S. State Department declined to comment.",
     {"Officials in the U.S. State Department declined to comment."}},
    {"Washington, D.C. Mayor Marion Barry spoke.", {"Washington, D.C. Mayor Marion Barry spoke."}},
    {"President John F. Kennedy was shot.", {"President John F. Kennedy was shot."}},
    {"J. A. Smith wrote it.", {"J. A. Smith wrote it."}},
    {"Samsung Electronics Co. Ltd. said profit rose.",
     {"Samsung Electronics Co. Ltd. said profit rose."}},
    {"The case of Smith vs. The State of Texas was heard.",
     {"The case of Smith vs. The State of Texas was heard."}},
    {"Gen. The Lord Dannatt spoke.", {"Gen. The Lord Dannatt spoke."}},
    {"ST. LOUIS, March 2 - Profit rose.", {"ST. LOUIS, March 2 - Profit rose."}},
    {"The sale ends Sat. Jan. 5 at noon.", {"The sale ends Sat. Jan. 5 at noon."}},
    {"GM vice-president C.N. \"Bud\" Moore spoke.",
     {"GM vice-president C.N. \"Bud\" Moore spoke."}},
    {"It sold its stake in <N.Z. Forest Products Ltd> to Fletcher.",
     {"It sold its stake in <N.Z. Forest Products Ltd> to Fletcher."}},
    {"Flights to New York-J.F. Kennedy resumed.", {"Flights to New York-J.F. Kennedy resumed."}},
    {"The shares rose at Geo. A. Hormel and Co.", {"The shares rose at Geo. A. Hormel and Co."}},
    // Prepositions are no sentence starters after "U.S.": archives capitalise them
    // mid-sentence ("exported to the U.S. In July 1984").
    {"Cars exported to the U.S. In July rose.", {"Cars exported to the U.S. In July rose."}},
    // A paragraph in title case is a headline: nothing starts after "U.S." there.
    {"U.S. The Biggest Winner In Trade Talks With China",
     {"U.S. The Biggest Winner In Trade Talks With China"}},
    // An archive that capitalises every word after "U.S." (Reuters-21578: "the U.S.
    // And Europe"): there "U.S." ends no sentence.
    {"Exports to the U.S. And Europe fell. Japan will ask the U.S. The same question.",
     {"Exports to the U.S. And Europe fell.",
      "Japan will ask the U.S. The same question."}},
};

TEST_F(SegmentTest, AbbreviationEndsSentenceWhenNextWordStartsOne) {
  for (const AbbreviationCase& c : kAbbreviationCases) {
    EXPECT_THAT(Segment("", {c.paragraph}), ::testing::ElementsAreArray(c.sentences))
        << c.paragraph;
  }
}

TEST_F(SegmentTest, ExtraAbbreviationNeverEndsSentence) {
  // "Jr." may end a sentence by default; named in the option it never does.
  SegmentOptions options;
  options.extra_abbreviations = {"Jr."};
  absl::StatusOr<std::unique_ptr<SegmentStage>> stage = SegmentStage::Create(options);
  ASSERT_THAT(stage, IsOk());
  v1::Article a = MakeArticle("", {"The speech honoured Martin Luther King Jr. His family came."});
  ASSERT_THAT((*stage)->Process(a, StageContext()), IsOk());
  EXPECT_THAT(Sentences(a),
              ElementsAre("The speech honoured Martin Luther King Jr. His family came."));
}

TEST(SegmentLocaleTest, OtherLocalesKeepCldrSuppressions) {
  // German: CLDR's "z.B." keeps the sentence going before a capital.
  absl::StatusOr<std::unique_ptr<SegmentStage>> stage = SegmentStage::Create({.locale = "de"});
  ASSERT_THAT(stage, IsOk());
  v1::Article a = MakeArticle("", {"Es gibt viele Tiere, z.B. Hunde und Katzen. Das ist gut."});
  ASSERT_THAT((*stage)->Process(a, StageContext()), IsOk());
  EXPECT_THAT(Sentences(a), ElementsAre("Es gibt viele Tiere, z.B. Hunde und Katzen.",
                                        "Das ist gut."));
}

TEST_F(SegmentTest, QuestionsExclamationsAndQuotes) {
  EXPECT_THAT(Segment("", {"\"I'm positive.\" Then he left. Was it over? Yes! "
                           "“Really,” she said."}),
              ElementsAre("\"I'm positive.\"", "Then he left.", "Was it over?", "Yes!",
                          "“Really,” she said."));
}

TEST_F(SegmentTest, SentencesNeverCrossUnits) {
  // Neither the headline nor the first paragraph ends with punctuation.
  EXPECT_THAT(Segment("Talks fail. War looms", {"No period here", "Next one. And another."}),
              ElementsAre("Talks fail.", "War looms", "No period here", "Next one.",
                          "And another."));
}

TEST_F(SegmentTest, OffsetsAreCodePointsAndTrimmed) {
  // "😀" is one code point but two UTF-16 units; "é" is one code point, two bytes.
  v1::Article a = MakeArticle("", {"  Café 😀 opened.   Next one\u00a0"});
  ASSERT_THAT(stage_->Process(a, StageContext()), IsOk());
  ASSERT_EQ(a.sentences_size(), 2);
  EXPECT_EQ(a.sentences(0).begin(), 2u);
  EXPECT_EQ(a.sentences(0).end(), 16u);
  EXPECT_EQ(a.sentences(1).begin(), 19u);
  EXPECT_EQ(a.sentences(1).end(), 27u);
  EXPECT_THAT(Sentences(a), ElementsAre("Café 😀 opened.", "Next one"));
}

TEST_F(SegmentTest, WholeTextWhenThereAreNoSpans) {
  v1::Article a;
  a.set_text("First sentence. Second one.");
  ASSERT_THAT(stage_->Process(a, StageContext()), IsOk());
  EXPECT_THAT(Sentences(a), ElementsAre("First sentence.", "Second one."));

  v1::Article empty;
  ASSERT_THAT(stage_->Process(empty, StageContext()), IsOk());
  EXPECT_THAT(empty.sentences(), IsEmpty());
}

TEST_F(SegmentTest, ProcessReplacesSentences) {
  v1::Article a = MakeArticle("Head", {"One. Two."});
  ASSERT_THAT(stage_->Process(a, StageContext()), IsOk());
  ASSERT_THAT(stage_->Process(a, StageContext()), IsOk());
  EXPECT_THAT(Sentences(a), ElementsAre("Head", "One.", "Two."));
}

TEST_F(SegmentTest, BadSpansAreRejected) {
  v1::Article a = MakeArticle("Head", {"One. Two."});  // 15 code points
  a.mutable_paragraphs(0)->set_end(99);
  EXPECT_THAT(stage_->Process(a, StageContext()),
              StatusIs(kInvalid, "paragraphs[0] [6, 99) out of range for text of 15 code points"));

  a = MakeArticle("Head", {"One.", "Two."});
  a.mutable_paragraphs(1)->set_begin(7);
  EXPECT_THAT(stage_->Process(a, StageContext()),
              StatusIs(kInvalid, "paragraphs[1] [7, 16) overlaps the span before it"));

  a = MakeArticle("Head", {"One."});
  a.set_text("Head\n\nOne\xff");
  EXPECT_THAT(stage_->Process(a, StageContext()),
              StatusIs(kInvalid, "text is not valid UTF-8 at byte 9"));

  a = MakeArticle("Head", {"One."});
  a.mutable_headline()->set_end(50);
  EXPECT_THAT(stage_->Process(a, StageContext()),
              StatusIs(kInvalid, HasSubstr("headline [0, 50) out of range")));
}

TEST_F(SegmentTest, SharedByThreads) {
  absl::StatusOr<std::string> seed =
      newsd::testing::ReadFile(newsd::testing::CorpusPath("seed/lavrov-syria-2013.txt"));
  ASSERT_THAT(seed, IsOk());
  v1::Article decoded;
  StageContext ctx;
  ctx.payload = *seed;
  ASSERT_THAT(DecodeStage({}).Process(decoded, ctx), IsOk());
  v1::Article expected = decoded;
  ASSERT_THAT(stage_->Process(expected, ctx), IsOk());
  ASSERT_EQ(expected.sentences_size(), 13);

  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        v1::Article a = decoded;
        if (!stage_->Process(a, ctx).ok() ||
            a.SerializeAsString() != expected.SerializeAsString()) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(mismatches, ElementsAre(0, 0, 0, 0));
}

TEST(SegmentFactoryTest, Options) {
  v1::StageConfig config;
  config.set_name("segment");
  (*config.mutable_options())["abbreviations"] = "Twp., Bldg.";
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  EXPECT_EQ((*stage)->name(), "segment");
  v1::Article a = MakeArticle("", {"He lives in Eureka Twp. Smith said so."});
  ASSERT_THAT((*stage)->Process(a, StageContext()), IsOk());
  EXPECT_THAT(Sentences(a), ElementsAre("He lives in Eureka Twp. Smith said so."));

  absl::StatusOr<std::unique_ptr<SegmentStage>> plain = SegmentStage::Create({});
  ASSERT_THAT(plain, IsOk());
  a = MakeArticle("", {"He lives in Eureka Twp. Smith said so."});
  ASSERT_THAT((*plain)->Process(a, StageContext()), IsOk());
  EXPECT_THAT(Sentences(a), ElementsAre("He lives in Eureka Twp.", "Smith said so."));

  config.mutable_options()->clear();
  (*config.mutable_options())["locale"] = "not a tag!";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("options[\"locale\"]: locale 'not a tag!'")));
  config.mutable_options()->clear();
  (*config.mutable_options())["language"] = "en";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("unknown option")));
}

TEST(SegmentTokensTest, BuildsTheTokenStreamForLaterStages) {
  absl::StatusOr<std::unique_ptr<SegmentStage>> stage = SegmentStage::Create({});
  ASSERT_THAT(stage, IsOk());
  v1::Article a = MakeArticle("", {"He left. She stayed."});
  Analyses analyses;
  StageContext ctx;
  ctx.analyses = &analyses;
  ASSERT_THAT((*stage)->Process(a, ctx), IsOk());
  const TextAnalysis* analysis = analyses.Find<TextAnalysis>();
  ASSERT_NE(analysis, nullptr);
  EXPECT_EQ(FindTextAnalysis(a, &analyses), analysis);  // built for the new sentences
  std::vector<uint32_t> sentence;
  for (const Token& t : analysis->tokens) sentence.push_back(t.sentence);
  EXPECT_THAT(sentence, ElementsAre(0u, 0u, 0u, 1u, 1u, 1u));
  EXPECT_FALSE(a.has_tokens());  // not published by default
}

TEST(SegmentTokensTest, PublishTokensOption) {
  v1::StageConfig config;
  config.set_name("segment");
  (*config.mutable_options())["publish_tokens"] = "true";
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  v1::Article a = MakeArticle("", {"He left. She stayed."});
  ASSERT_THAT((*stage)->Process(a, StageContext()), IsOk());
  ASSERT_TRUE(a.has_tokens());
  EXPECT_THAT(a.tokens().begins(), ElementsAre(0u, 3u, 7u, 9u, 13u, 19u));
  EXPECT_THAT(a.tokens().ends(), ElementsAre(2u, 7u, 8u, 12u, 19u, 20u));
  EXPECT_THAT(a.tokens().sentences(), ElementsAre(0, 0, 0, 1, 1, 1));
  EXPECT_THAT(a.tokens().shapes(), ElementsAre(2u, 1u, 8u, 2u, 1u, 8u));

  (*config.mutable_options())["publish_tokens"] = "false";
  stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  a = MakeArticle("", {"He left. She stayed."});
  ASSERT_THAT((*stage)->Process(a, StageContext()), IsOk());
  EXPECT_FALSE(a.has_tokens());

  (*config.mutable_options())["publish_tokens"] = "yes";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("options[\"publish_tokens\"]: expected \"true\" or "
                                           "\"false\", got \"yes\"")));
}

// A parsed dateline is in no sentence: the first sentence of its paragraph
// starts after it.
TEST_F(SegmentTest, DatelineIsNotPartOfTheFirstSentence) {
  // "Vote" [0, 4); paragraph [6, 70); "WASHINGTON (AP) —" [6, 23).
  v1::Article a = MakeArticle(
      "Vote", {"WASHINGTON (AP) \xE2\x80\x94 The Senate voted on Tuesday. The House "
               "agreed."});
  a.mutable_dateline()->set_place("WASHINGTON");
  a.mutable_dateline()->mutable_span()->set_begin(6);
  a.mutable_dateline()->mutable_span()->set_end(23);
  ASSERT_THAT(stage_->Process(a, StageContext()), IsOk());
  EXPECT_THAT(Sentences(a),
              ElementsAre("Vote", "The Senate voted on Tuesday.", "The House agreed."));
  EXPECT_EQ(a.sentences(1).begin(), 24u);
  // A dateline that is the whole paragraph leaves it without a sentence.
  v1::Article only = MakeArticle("Vote", {"GENEVA, Sept 12 (Reuters) -", "Talks resumed."});
  only.mutable_dateline()->mutable_span()->set_begin(6);
  only.mutable_dateline()->mutable_span()->set_end(33);
  ASSERT_THAT(stage_->Process(only, StageContext()), IsOk());
  EXPECT_THAT(Sentences(only), ElementsAre("Vote", "Talks resumed."));
  // Without a dateline span the paragraph is segmented from its start.
  v1::Article plain = MakeArticle(
      "Vote", {"WASHINGTON (AP) \xE2\x80\x94 The Senate voted on Tuesday."});
  ASSERT_THAT(stage_->Process(plain, StageContext()), IsOk());
  EXPECT_THAT(Sentences(plain),
              ElementsAre("Vote", "WASHINGTON (AP) \xE2\x80\x94 The Senate voted on Tuesday."));
}

}  // namespace
}  // namespace newsd::stages
