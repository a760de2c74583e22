#include "stages/common/tokens.h"

#include <string>
#include <vector>

#include <optional>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/common/unicode.h"
#include "unicode/uchar.h"

namespace newsd::stages {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Keys(absl::string_view text) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(text)) out.push_back(t.key);
  return out;
}

TEST(TokenizerTest, PossessivesAreSplitForBothApostrophes) {
  EXPECT_THAT(Keys("Russia's plan"), ElementsAre("russia", "'s", "plan"));
  EXPECT_THAT(Keys("Syria\u2019s adherence"), ElementsAre("syria", "'s", "adherence"));
  EXPECT_THAT(Keys("O'Reilly d\u2019Ettorre"), ElementsAre("o'reilly", "d'ettorre"));
}

TEST(TokenizerTest, HyphensAndDottedInitials) {
  EXPECT_THAT(Keys("French-drafted"), ElementsAre("french", "-", "drafted"));
  EXPECT_THAT(Keys("the U.S. and D.C."), ElementsAre("the", "u.s.", "and", "d.c."));
  EXPECT_THAT(Keys("John F. Kennedy"), ElementsAre("john", "f", ".", "kennedy"));
}

TEST(TokenizerTest, OffsetsAreCodePoints) {
  const std::vector<Token> t = Tokenize("Genève \u201cZürich\u201d");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].key, "genève");
  EXPECT_EQ(t[0].begin, 0u);
  EXPECT_EQ(t[0].end, 6u);
  EXPECT_EQ(t[0].byte_end, 7u);
  EXPECT_EQ(t[1].key, "\"");
  EXPECT_EQ(t[2].key, "zürich");
  EXPECT_EQ(t[2].begin, 8u);
  EXPECT_EQ(t[2].end, 14u);
  EXPECT_FALSE(t[2].space_before);
  EXPECT_TRUE(t[1].space_before);
}

TEST(TokenizerTest, CaseFlags) {
  const std::vector<Token> t = Tokenize("UN Lavrov said LibriVox McCain I");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_TRUE(t[0].all_caps);
  EXPECT_TRUE(t[0].capitalized);
  EXPECT_TRUE(t[1].capitalized);
  EXPECT_FALSE(t[1].all_caps);
  EXPECT_FALSE(t[2].capitalized);
  EXPECT_TRUE(t[2].has_lower);
  EXPECT_TRUE(t[3].camel_case);
  EXPECT_FALSE(t[4].camel_case);
  EXPECT_TRUE(t[5].all_caps);
  EXPECT_EQ(Tokenize("1987")[0].kind, Token::Kind::kNumber);
}

TEST(TokenizerTest, AsciiClassesAgreeWithIcu) {
  // The tokenizer answers ASCII without ICU: every ASCII character must be
  // classified as ICU classifies it.
  for (UChar32 c = 1; c < 0x80; ++c) {
    SCOPED_TRACE(c);
    const std::string one(1, static_cast<char>(c));
    EXPECT_EQ(IsUnicodeWhitespace(c), u_isUWhiteSpace(c) != 0);
    const std::vector<Token> alone = Tokenize(one);
    if (u_isUWhiteSpace(c)) {
      EXPECT_TRUE(alone.empty());
      continue;
    }
    ASSERT_EQ(alone.size(), 1u);
    const bool word = u_isalnum(c) != 0;
    EXPECT_EQ(alone[0].kind, !word           ? Token::Kind::kPunct
                             : u_isdigit(c) ? Token::Kind::kNumber
                                            : Token::Kind::kWord);
    EXPECT_EQ(alone[0].capitalized, word && (u_isupper(c) || u_istitle(c)));
    EXPECT_EQ(alone[0].has_lower, word && u_islower(c));
    // Inside a word: joins it if and only if ICU calls it a letter or digit (or
    // it is an apostrophe: "O'Brien").
    EXPECT_EQ(Tokenize("x" + one + "y").size(), word || c == '\'' ? 1u : 3u);
  }
}

std::vector<TokenShape> Shapes(absl::string_view text) {
  std::vector<TokenShape> out;
  for (const Token& t : Tokenize(text)) out.push_back(t.shape);
  return out;
}

google::protobuf::RepeatedPtrField<v1::Span> Spans(
    std::initializer_list<std::pair<uint32_t, uint32_t>> spans) {
  google::protobuf::RepeatedPtrField<v1::Span> out;
  for (const auto& [b, e] : spans) {
    v1::Span& s = *out.Add();
    s.set_begin(b);
    s.set_end(e);
  }
  return out;
}

std::vector<uint32_t> SentenceOf(const TextAnalysis& a) {
  std::vector<uint32_t> out;
  for (const Token& t : a.tokens) out.push_back(t.sentence);
  return out;
}

constexpr uint32_t kNone = Token::kNoSentence;

TEST(TokenShapeTest, ClassifiesCaseDigitsInitialsAndPunctuation) {
  EXPECT_THAT(Shapes("said Lavrov UN LibriVox iPhone I"),
              ElementsAre(TokenShape::kLower, TokenShape::kCapitalized, TokenShape::kUpper,
                          TokenShape::kMixed, TokenShape::kMixed, TokenShape::kUpper));
  EXPECT_THAT(Shapes("1987 G7 2nd U.S. , Russia's"),
              ElementsAre(TokenShape::kDigits, TokenShape::kAlphanumeric,
                          TokenShape::kAlphanumeric, TokenShape::kInitials, TokenShape::kPunct,
                          TokenShape::kCapitalized, TokenShape::kPunct));
  // "F." is no initials: a capital, then a period.
  EXPECT_THAT(Shapes("F. Genève ÉTÉ"),
              ElementsAre(TokenShape::kUpper, TokenShape::kPunct, TokenShape::kCapitalized,
                          TokenShape::kUpper));
}

TEST(TextAnalysisTest, DecodesCodePointsWithByteOffsets) {
  const std::string text = "Genève \u201cZürich\u201d";
  const TextAnalysis a = AnalyzeText(text, {});
  EXPECT_FALSE(a.invalid_utf8_at.has_value());
  EXPECT_EQ(a.text_bytes, text.size());
  ASSERT_EQ(a.size(), 15u);
  EXPECT_EQ(a.code_points[3], U'\u00e8');
  EXPECT_EQ(a.code_points[7], U'\u201c');
  ASSERT_EQ(a.byte_offsets.size(), 16u);
  EXPECT_EQ(a.byte_offsets[4], 5u);  // after the two-byte è
  EXPECT_EQ(a.byte_offsets[8], 11u);  // after the three-byte quote
  EXPECT_EQ(a.byte_offsets.back(), text.size());
  EXPECT_EQ(a.Substr(text, 8, 14), "Zürich");
  EXPECT_EQ(a.Substr(text, 0, 15), text);
  EXPECT_FALSE(a.Substr(text, 3, 16).has_value());
  EXPECT_FALSE(a.Substr(text, 4, 3).has_value());
}

TEST(TextAnalysisTest, TokensAreThoseOfTokenize) {
  const std::string text = "Russia's U.S.-backed plan, O'Reilly said: \u201cNo.\u201d 3.5%";
  const TextAnalysis a = AnalyzeText(text, {});
  const std::vector<Token> expected = Tokenize(text);
  ASSERT_EQ(a.tokens.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a.tokens[i].key, expected[i].key);
    EXPECT_EQ(a.tokens[i].begin, expected[i].begin);
    EXPECT_EQ(a.tokens[i].end, expected[i].end);
    EXPECT_EQ(a.tokens[i].byte_begin, expected[i].byte_begin);
    EXPECT_EQ(a.tokens[i].byte_end, expected[i].byte_end);
    EXPECT_EQ(a.tokens[i].shape, expected[i].shape);
    EXPECT_EQ(text.substr(a.tokens[i].byte_begin, a.tokens[i].byte_end - a.tokens[i].byte_begin),
              a.Substr(text, a.tokens[i].begin, a.tokens[i].end));
  }
}

TEST(TextAnalysisTest, GivesEveryTokenItsSentence) {
  //                  0         1         2
  //                  0123456789012345678901234
  const std::string text = "LONDON - Hi there. Bye now.";
  const TextAnalysis a = AnalyzeText(text, Spans({{9, 18}, {19, 27}}));
  // LONDON and the dash lie in no sentence (a dateline).
  EXPECT_THAT(SentenceOf(a), ElementsAre(kNone, kNone, 0u, 0u, 0u, 1u, 1u, 1u));
  EXPECT_EQ(a.sentence_count, 2);
  // Sentences out of order keep their own index.
  const TextAnalysis b = AnalyzeText(text, Spans({{19, 27}, {9, 18}}));
  EXPECT_THAT(SentenceOf(b), ElementsAre(kNone, kNone, 1u, 1u, 1u, 0u, 0u, 0u));
  // A token cut by a sentence's end belongs to none.
  const TextAnalysis c = AnalyzeText(text, Spans({{9, 14}}));
  EXPECT_THAT(SentenceOf(c), ElementsAre(kNone, kNone, 0u, kNone, kNone, kNone, kNone, kNone));
}

TEST(TextAnalysisTest, MarksInvalidUtf8AndStillDecodes) {
  const TextAnalysis a = AnalyzeText("ab\xff" "cd", {});
  ASSERT_TRUE(a.invalid_utf8_at.has_value());
  EXPECT_EQ(*a.invalid_utf8_at, 2u);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a.code_points[2], U'\ufffd');
}

TEST(TextAnalysisForTest, BuildsOnceAndSharesThroughTheHolder) {
  v1::Article article;
  article.set_text("One. Two.");
  *article.mutable_sentences() = Spans({{0, 4}, {5, 9}});
  Analyses analyses;
  std::optional<TextAnalysis> local;
  const TextAnalysis& first = TextAnalysisFor(article, &analyses, &local);
  EXPECT_FALSE(local.has_value());
  EXPECT_EQ(analyses.Find<TextAnalysis>(), &first);
  EXPECT_EQ(FindTextAnalysis(article, &analyses), &first);
  EXPECT_EQ(&TextAnalysisFor(article, &analyses, &local), &first);
  EXPECT_EQ(first.tokens.size(), 4u);
  EXPECT_EQ(first.tokens[3].sentence, 1u);
}

TEST(TextAnalysisForTest, RebuildsForAnotherTextOrOtherSentences) {
  v1::Article article;
  article.set_text("One. Two.");
  Analyses analyses;
  std::optional<TextAnalysis> local;
  EXPECT_EQ(TextAnalysisFor(article, &analyses, &local).tokens[3].sentence, kNone);
  *article.mutable_sentences() = Spans({{0, 4}, {5, 9}});
  EXPECT_EQ(FindTextAnalysis(article, &analyses), nullptr);
  EXPECT_EQ(TextAnalysisFor(article, &analyses, &local).tokens[3].sentence, 1u);
  article.set_text("One. Two. Three.");
  EXPECT_EQ(FindTextAnalysis(article, &analyses), nullptr);
  EXPECT_EQ(TextAnalysisFor(article, &analyses, &local).tokens.size(), 6u);
  EXPECT_EQ(analyses.size(), 1u);
}

TEST(TextAnalysisForTest, WithoutAHolderBuildsIntoTheLocalSlot) {
  v1::Article article;
  article.set_text("Hello world");
  std::optional<TextAnalysis> local;
  const TextAnalysis& a = TextAnalysisFor(article, nullptr, &local);
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(&a, &*local);
  EXPECT_EQ(a.tokens.size(), 2u);
  EXPECT_EQ(FindTextAnalysis(article, nullptr), nullptr);
}

TEST(PublishTokensTest, WritesPackedParallelArrays) {
  v1::Article article;
  article.set_text("LONDON - Hi there. U.S. 2020");
  *article.mutable_sentences() = Spans({{9, 18}, {19, 28}});
  std::optional<TextAnalysis> local;
  PublishTokens(TextAnalysisFor(article, nullptr, &local), &article);
  const v1::Tokens& t = article.tokens();
  EXPECT_THAT(t.begins(), ElementsAre(0u, 7u, 9u, 12u, 17u, 19u, 24u));
  EXPECT_THAT(t.ends(), ElementsAre(6u, 8u, 11u, 17u, 18u, 23u, 28u));
  EXPECT_THAT(t.sentences(), ElementsAre(-1, -1, 0, 0, 0, 1, 1));
  EXPECT_THAT(t.shapes(), ElementsAre(3u, 8u, 2u, 1u, 8u, 7u, 5u));
  // Publishing again replaces, not appends.
  PublishTokens(*local, &article);
  EXPECT_EQ(article.tokens().begins_size(), 7);
}

}  // namespace
}  // namespace newsd::stages
