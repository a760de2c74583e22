#include "stages/language/language.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "stages/decode/decode.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::IsOkAndHolds;
using ::newsd::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

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

TEST(DetectLanguageTest, NoncharactersAndControlsAreNotInvalidUtf8) {
  // Well-formed UTF-8 that CLD2's interchange check refuses: U+FFFE, U+10FFFF,
  // U+FDD0 and a C1 control.
  const std::string text =
      "The central bank left interest rates unchanged on Thursday \xEF\xBF\xBE and said "
      "inflation was slowing \xF4\x8F\xBF\xBF across the euro zone, \xEF\xB7\x90 while "
      "growth remained weak \xC2\x85 in most member states this year.";
  absl::StatusOr<LanguageGuess> guess = DetectLanguage(text, "");
  ASSERT_THAT(guess, IsOk());
  EXPECT_EQ(guess->language, "en");
  // Ill-formed UTF-8 after them is still reported at its own byte.
  EXPECT_THAT(DetectLanguage("ok \xEF\xBF\xBE \xFF", ""),
              StatusIs(kInvalid, "text is not valid UTF-8 at byte 7"));
}

TEST(DetectLanguageTest, InvalidUtf8) {
  EXPECT_THAT(DetectLanguage("Guten Tag \xff", ""),
              StatusIs(kInvalid, "text is not valid UTF-8 at byte 10"));
}

// Issue 21 item 8. An Arabic wire item with one English paragraph: 80% of
// CLD2's scored bytes are Arabic. Plain text as the decode stage reads it.
constexpr absl::string_view kArabicWithEnglish =
    "وزير الخارجية يلتقي نظيره الأمريكي في الرياض\n"
    "\n"
    "الرياض (رويترز) - التقى وزير الخارجية السعودي اليوم الخميس نظيره الأمريكي في "
    "الرياض لبحث الأوضاع في المنطقة وسبل تعزيز التعاون بين البلدين في مجالات الأمن "
    "والاقتصاد والطاقة.\n"
    "\n"
    "وقال الوزير في مؤتمر صحفي مشترك إن المحادثات كانت بناءة وإن الجانبين اتفقا على "
    "مواصلة التشاور خلال الأسابيع المقبلة.\n"
    "\n"
    "The two ministers said in a joint statement that they had agreed to keep talking "
    "over the coming weeks and to meet again before the end of the year.\n";

// An English wire item with an Arabic passage: more English than Arabic, which is
// exactly when CLD2's summary language is Arabic (it takes English for web
// boilerplate next to another language with 17% of the text). newsd used to give
// "und" for it.
constexpr absl::string_view kEnglishWithArabic =
    "Saudi, U.S. ministers meet in Riyadh\n"
    "\n"
    "RIYADH, May 3 (Reuters) - Saudi Arabia's foreign minister met his U.S. counterpart "
    "in Riyadh on Thursday to discuss the situation in the region and ways to deepen "
    "security, economic and energy cooperation between the two countries.\n"
    "\n"
    "\"The talks were constructive,\" the minister told a joint news conference, adding "
    "that both sides had agreed to keep consulting over the coming weeks.\n"
    "\n"
    "التقى وزير الخارجية السعودي اليوم الخميس نظيره الأمريكي في الرياض لبحث الأوضاع في "
    "المنطقة وسبل تعزيز التعاون بين البلدين.\n"
    "\n"
    "وقال الوزير إن المحادثات كانت بناءة.\n";

// Russian and Arabic halves: no language has a clear majority, so CLD2 calls its
// answer unreliable, though it keeps both languages.
constexpr absl::string_view kRussianAndArabic =
    "Министр иностранных дел России встретился в четверг со своим коллегой в Москве.\n"
    "\n"
    "التقى وزير الخارجية السعودي اليوم الخميس نظيره الأمريكي في الرياض لبحث الأوضاع\n";

// A ninjs item declaring English ("language": "en") whose text is German.
constexpr absl::string_view kGermanDeclaredEnglish =
    "{\n"
    "  \"uri\": \"urn:example:de-declared-en:1\",\n"
    "  \"language\": \"en\",\n"
    "  \"headline\": \"Lawrow sieht Chance auf Frieden in Syrien\",\n"
    "  \"body_text\": \"MOSKAU (Reuters) - Der russische Außenminister Sergej Lawrow "
    "sagte am Donnerstag in Moskau, es gebe eine Chance auf Frieden in Syrien, die nicht "
    "verpasst werden dürfe.\\n\\nDie Gespräche in Genf sollten in der kommenden Woche "
    "fortgesetzt werden, sagte er vor Journalisten.\"\n"
    "}\n";

MATCHER_P2(Secondary, language, share, "") {
  return ::testing::ExplainMatchResult(language, arg.secondary_language, result_listener) &&
         ::testing::ExplainMatchResult(FloatNear(share, 0.005), arg.secondary_share,
                                       result_listener);
}

TEST(DetectLanguageTest, MixedScriptGivesMajorityAndSecondary) {
  absl::StatusOr<LanguageGuess> g = DetectLanguage(kArabicWithEnglish, "");
  ASSERT_THAT(g, IsOk());
  EXPECT_THAT(*g, Guess("ar", 0.80f));
  EXPECT_THAT(*g, Secondary("en", 0.19f));

  // The majority language, not CLD2's summary language ("ar").
  g = DetectLanguage(kEnglishWithArabic, "");
  ASSERT_THAT(g, IsOk());
  EXPECT_THAT(*g, Guess("en", 0.58f));
  EXPECT_THAT(*g, Secondary("ar", 0.41f));
  // The same with the item's declared language as hint.
  EXPECT_THAT(DetectLanguage(kEnglishWithArabic, "ar"), IsOkAndHolds(Guess("en", 0.58f)));
}

TEST(DetectLanguageTest, EvenMixIsNotUndetermined) {
  absl::StatusOr<LanguageGuess> g = DetectLanguage(kRussianAndArabic, "");
  ASSERT_THAT(g, IsOk());
  EXPECT_FALSE(g->reliable);  // CLD2's verdict
  EXPECT_THAT(*g, Guess("ar", 0.50f));
  EXPECT_THAT(*g, Secondary("ru", 0.49f));
}

TEST(DetectLanguageTest, SecondaryNeedsItsShare) {
  EXPECT_THAT(DetectLanguage(kArabicWithEnglish, "", 0.0, 0.2),
              IsOkAndHolds(Secondary("", 0.0f)));
  EXPECT_THAT(DetectLanguage(kArabicWithEnglish, "", 0.0, 0.19),
              IsOkAndHolds(Secondary("en", 0.19f)));
  // Single-language texts have none.
  EXPECT_THAT(DetectLanguage(kGerman, ""), IsOkAndHolds(Secondary("", 0.0f)));
  EXPECT_THAT(DetectLanguage("Hello", ""), IsOkAndHolds(Secondary("", 0.0f)));
  // min_confidence applies to the majority language's share.
  EXPECT_THAT(DetectLanguage(kEnglishWithArabic, "", 0.6),
              IsOkAndHolds(::testing::AllOf(Guess("und", 0.0f), Secondary("", 0.0f))));
}

TEST(PrimaryLanguageTest, CanonicalPrimarySubtag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"en", "en"},   {"en-US", "en"}, {"EN_gb", "en"},  {"eng", "en"}, {"de-CH", "de"},
      {"ger", "de"},  {"deu", "de"},   {"fre", "fr"},    {"iw", "he"},  {"he", "he"},
      {"in", "id"},   {"zh-Hant", "zh"}, {"zh-TW", "zh"}, {"ara", "ar"}, {"nb", "no"},
      {"nn", "no"},   {"no", "no"},    {"", ""},         {"und", ""},   {"mul", ""},
      {"zxx", ""},    {"x-klingon", ""}, {"English", ""},
  };
  for (const auto& [tag, primary] : cases) EXPECT_EQ(PrimaryLanguage(tag), primary) << tag;
}

// Runs decode and `stages` (by name, default options) over `payload`.
v1::Article RunChain(absl::string_view payload, const std::vector<std::string>& stages) {
  v1::Article a;
  StageContext ctx;
  ctx.payload = payload;
  EXPECT_THAT(DecodeStage({}).Process(a, ctx), IsOk());
  for (const std::string& name : stages) {
    v1::StageConfig config;
    config.set_name(name);
    absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
    EXPECT_THAT(stage, IsOk()) << name;
    if (!stage.ok()) continue;
    EXPECT_THAT((*stage)->Process(a, ctx), IsOk()) << name;
  }
  return a;
}

TEST(LanguageStageTest, DeclaredLanguageMismatch) {
  v1::Article a = RunChain(kGermanDeclaredEnglish, {"segment", "language"});
  EXPECT_EQ(a.wire().declared_language(), "en");
  EXPECT_EQ(a.language(), "de");
  EXPECT_THAT(a.flags(), Contains("language_mismatch"));
  EXPECT_EQ(a.secondary_language(), "");

  // Same primary subtag: no flag ("en-GB" declared, "en" found; ISO 639-2 "ger").
  LanguageStage stage({});
  v1::Article english;
  english.set_text("The Russian foreign minister said on Thursday there was a chance for "
                   "peace in Syria that must not be missed.");
  english.mutable_wire()->set_declared_language("en-GB");
  ASSERT_THAT(stage.Process(english, StageContext()), IsOk());
  EXPECT_EQ(english.language(), "en");
  EXPECT_THAT(english.flags(), IsEmpty());
  v1::Article german;
  german.set_text(std::string(kGerman));
  german.mutable_wire()->set_declared_language("ger");
  ASSERT_THAT(stage.Process(german, StageContext()), IsOk());
  EXPECT_THAT(german.flags(), IsEmpty());
  // Nothing declared, or "und": nothing to compare.
  german.clear_flags();
  german.mutable_wire()->set_declared_language("und");
  ASSERT_THAT(stage.Process(german, StageContext()), IsOk());
  EXPECT_THAT(german.flags(), IsEmpty());
  // Undetermined text: only language_unreliable.
  v1::Article short_text;
  short_text.set_text("Hello");
  short_text.mutable_wire()->set_declared_language("de");
  ASSERT_THAT(stage.Process(short_text, StageContext()), IsOk());
  EXPECT_THAT(short_text.flags(), ElementsAre("language_unreliable"));
}

TEST(LanguageStageTest, MixedItemSetsSecondaryLanguage) {
  v1::Article a = RunChain(kArabicWithEnglish, {"segment", "language"});
  EXPECT_EQ(a.language(), "ar");
  EXPECT_THAT(a.language_confidence(), FloatNear(0.80f, 0.005));
  EXPECT_EQ(a.secondary_language(), "en");
  EXPECT_THAT(a.secondary_language_share(), FloatNear(0.19f, 0.005));
  EXPECT_THAT(a.flags(), Not(Contains("language_unreliable")));

  a = RunChain(kEnglishWithArabic, {"segment", "language"});
  EXPECT_EQ(a.language(), "en");
  EXPECT_EQ(a.secondary_language(), "ar");
  EXPECT_THAT(a.flags(), IsEmpty());
}

TEST(LanguageStageTest, StagesFlagWhatTheySkipForLanguage) {
  const std::vector<std::string> chain = {"segment", "language", "entities", "quotes",
                                          "times"};
  // German: entities and times run for English only (option "languages"); quotes
  // knows German and skips nothing.
  v1::Article a = RunChain(kGermanDeclaredEnglish, chain);
  EXPECT_EQ(a.language(), "de");
  EXPECT_THAT(a.entities(), IsEmpty());
  EXPECT_THAT(a.times(), IsEmpty());
  EXPECT_THAT(a.flags(), Contains("entities_skipped_language"));
  EXPECT_THAT(a.flags(), Contains("times_skipped_language"));
  EXPECT_THAT(a.flags(), Not(Contains("quotes_skipped_language")));

  // An Arabic majority is skipped too, though an English paragraph is there.
  a = RunChain(kArabicWithEnglish, chain);
  EXPECT_THAT(a.flags(), Contains("entities_skipped_language"));
  EXPECT_THAT(a.flags(), Contains("times_skipped_language"));

  // English (majority): nothing skipped.
  a = RunChain(kEnglishWithArabic, chain);
  EXPECT_EQ(a.language(), "en");
  EXPECT_THAT(a.entities(), Not(IsEmpty()));
  for (const std::string& f : a.flags()) {
    EXPECT_THAT(f, Not(HasSubstr("skipped_language")));
  }
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

  (*config.mutable_options())["secondary_min_share"] = "0.25";
  ASSERT_THAT(StageRegistry::Global().Create(config), IsOk());

  (*config.mutable_options())["min_confidence"] = "2";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("options[\"min_confidence\"]")));
  (*config.mutable_options())["min_confidence"] = "0.5";
  (*config.mutable_options())["secondary_min_share"] = "0";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("options[\"secondary_min_share\"]")));
  config.mutable_options()->clear();
  (*config.mutable_options())["hint"] = "en";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("unknown option")));
}

}  // namespace
}  // namespace newsd::stages
