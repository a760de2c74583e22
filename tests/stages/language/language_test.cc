#include "stages/language/language.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::IsOkAndHolds;
using ::newsd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

constexpr absl::string_view kGerman =
    "Der russische Außenminister Sergej Lawrow sagte am Donnerstag, es gebe eine Chance "
    "auf Frieden in Syrien, die nicht verpasst werden dürfe.";
constexpr absl::string_view kFrench =
    "Le ministre russe des Affaires étrangères a déclaré jeudi qu'il y avait une chance "
    "de paix en Syrie.";
constexpr absl::string_view kChineseTraditional =
    "俄羅斯外交部長拉夫羅夫星期四表示，敘利亞存在和平的機會，這個機會不能錯過。他呼籲各方盡最大努力。";
constexpr absl::string_view kChineseSimplified =
    "俄罗斯外交部长拉夫罗夫星期四表示，叙利亚存在和平的机会，这个机会不能错过。他呼吁各方尽最大努力。";
constexpr absl::string_view kHebrew =
    "שלום עולם, זהו טקסט בעברית על השלום במזרח התיכון והשיחות בין הצדדים.";
// Danish that CLD2 alone takes for Norwegian.
constexpr absl::string_view kDanish = "Det er en god dag i dag og vi skal til byen for at handle.";

MATCHER_P2(Guess, language, confidence, "") {
  return ::testing::ExplainMatchResult(language, arg.language, result_listener) &&
         ::testing::ExplainMatchResult(FloatNear(confidence, 0.005), arg.confidence,
                                       result_listener);
}

TEST(DetectLanguageTest, SeedIsEnglish) {
  absl::StatusOr<std::string> seed =
      newsd::testing::ReadFile(newsd::testing::CorpusPath("seed/lavrov-syria-2013.txt"));
  ASSERT_THAT(seed, IsOk());
  absl::StatusOr<LanguageGuess> g = DetectLanguage(*seed, "");
  ASSERT_THAT(g, IsOk());
  EXPECT_THAT(*g, Guess("en", 0.99f));
  EXPECT_TRUE(g->reliable);
}

TEST(DetectLanguageTest, BcpTagsForSeveralLanguages) {
  EXPECT_THAT(DetectLanguage(kGerman, ""), IsOkAndHolds(Guess("de", 0.99f)));
  EXPECT_THAT(DetectLanguage(kFrench, ""), IsOkAndHolds(Guess("fr", 0.99f)));
  EXPECT_THAT(DetectLanguage(kChineseTraditional, ""),
              IsOkAndHolds(Guess("zh-Hant", 0.99f)));
  EXPECT_THAT(DetectLanguage(kChineseSimplified, ""),
              IsOkAndHolds(Guess("zh", 0.99f)));
  // CLD2 says "iw"; BCP-47 says "he".
  EXPECT_THAT(DetectLanguage(kHebrew, ""), IsOkAndHolds(Guess("he", 0.99f)));
}

TEST(DetectLanguageTest, UndeterminedText) {
  for (absl::string_view text : {"", "Hello", "12345 678", "---"}) {
    absl::StatusOr<LanguageGuess> g = DetectLanguage(text, "");
    ASSERT_THAT(g, IsOk()) << text;
    EXPECT_THAT(*g, Guess("und", 0.0f)) << text;
    EXPECT_FALSE(g->reliable) << text;
  }
}

TEST(DetectLanguageTest, DeclaredLanguageIsAHint) {
  EXPECT_THAT(DetectLanguage(kDanish, ""), IsOkAndHolds(Guess("no", 0.98f)));
  EXPECT_THAT(DetectLanguage(kDanish, "da"), IsOkAndHolds(Guess("da", 0.98f)));
  EXPECT_THAT(DetectLanguage(kDanish, "da-DK"),
              IsOkAndHolds(Guess("da", 0.98f)));
  // A hint does not override clear evidence, and unknown hints are ignored.
  EXPECT_THAT(DetectLanguage(kGerman, "fr"), IsOkAndHolds(Guess("de", 0.99f)));
  EXPECT_THAT(DetectLanguage(kGerman, "x-klingon"),
              IsOkAndHolds(Guess("de", 0.99f)));
}

TEST(DetectLanguageTest, MinConfidence) {
  EXPECT_THAT(DetectLanguage(kGerman, "", 0.95), IsOkAndHolds(Guess("de", 0.99f)));
  EXPECT_THAT(DetectLanguage(kGerman, "", 1.0), IsOkAndHolds(Guess("und", 0.0f)));
}

TEST(DetectLanguageTest, InvalidUtf8) {
  EXPECT_THAT(DetectLanguage("Guten Tag \xff", ""),
              StatusIs(kInvalid, "text is not valid UTF-8 at byte 10"));
}

TEST(Cld2CodeToBcp47Test, Mapping) {
  EXPECT_EQ(Cld2CodeToBcp47("en"), "en");
  EXPECT_EQ(Cld2CodeToBcp47("zh-Hant"), "zh-Hant");
  EXPECT_EQ(Cld2CodeToBcp47("iw"), "he");
  EXPECT_EQ(Cld2CodeToBcp47("jw"), "jv");
  EXPECT_EQ(Cld2CodeToBcp47("in"), "id");
  EXPECT_EQ(Cld2CodeToBcp47("un"), "und");
  EXPECT_EQ(Cld2CodeToBcp47(""), "und");
  EXPECT_EQ(Cld2CodeToBcp47("xx-Qaai"), "und");
}

TEST(LanguageStageTest, SetsLanguageAndFlagsUndetermined) {
  LanguageStage stage({});
  v1::Article a;
  a.set_text(std::string(kGerman));
  ASSERT_THAT(stage.Process(a, StageContext()), IsOk());
  EXPECT_EQ(a.language(), "de");
  EXPECT_THAT(a.language_confidence(), FloatNear(0.99f, 0.005));
  EXPECT_THAT(a.flags(), IsEmpty());

  v1::Article danish;
  danish.set_text(std::string(kDanish));
  danish.mutable_wire()->set_declared_language("da");
  ASSERT_THAT(stage.Process(danish, StageContext()), IsOk());
  EXPECT_EQ(danish.language(), "da");

  v1::Article short_text;
  short_text.set_text("Hello");
  ASSERT_THAT(stage.Process(short_text, StageContext()), IsOk());
  EXPECT_EQ(short_text.language(), "und");
  EXPECT_EQ(short_text.language_confidence(), 0.0f);
  EXPECT_THAT(short_text.flags(), ElementsAre("language_unreliable"));

  v1::Article empty;
  ASSERT_THAT(stage.Process(empty, StageContext()), IsOk());
  EXPECT_EQ(empty.language(), "und");
  EXPECT_THAT(empty.flags(), IsEmpty());
}

TEST(LanguageFactoryTest, Options) {
  v1::StageConfig config;
  config.set_name("language");
  (*config.mutable_options())["min_confidence"] = "0.5";
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  EXPECT_EQ((*stage)->name(), "language");

  (*config.mutable_options())["min_confidence"] = "2";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("options[\"min_confidence\"]")));
  config.mutable_options()->clear();
  (*config.mutable_options())["hint"] = "en";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("unknown option")));
}

}  // namespace
}  // namespace newsd::stages
