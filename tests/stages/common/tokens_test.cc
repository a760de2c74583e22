#include "stages/entities/tokenizer.h"

#include <string>
#include <vector>

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

}  // namespace
}  // namespace newsd::stages
