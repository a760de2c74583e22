#include "pipeline/utf8.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

using ::testing::Optional;

TEST(FindInvalidUtf8Test, AcceptsWellFormedText) {
  EXPECT_EQ(FindInvalidUtf8(""), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("plain ASCII"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("Zürich – 東京 😀"), std::nullopt);
}

TEST(FindInvalidUtf8Test, ReportsByteOffsetOfFirstIllFormedSequence) {
  EXPECT_THAT(FindInvalidUtf8("abc\xff"), Optional(3u));
  EXPECT_THAT(FindInvalidUtf8("\xc3"), Optional(0u));                 // truncated
  EXPECT_THAT(FindInvalidUtf8("ok \xc0\xaf"), Optional(3u));          // overlong '/'
  EXPECT_THAT(FindInvalidUtf8("ü\xed\xa0\x80"), Optional(2u));        // surrogate D800
  EXPECT_THAT(FindInvalidUtf8("\xf4\x90\x80\x80"), Optional(0u));     // > U+10FFFF
  EXPECT_THAT(FindInvalidUtf8("Zürich\x80"), Optional(7u));           // stray trail
}

// ASCII is skipped eight bytes at a time: an ill-formed byte or a multi-byte
// character is found at every offset of a long ASCII run.
TEST(FindInvalidUtf8Test, EveryOffsetInLongAsciiRuns) {
  for (size_t at = 0; at < 40; ++at) {
    std::string s(40, 'x');
    s[at] = '\xff';
    EXPECT_THAT(FindInvalidUtf8(s), Optional(at)) << at;
    s.replace(at, 1, "\xc3\xa9");  // é: well formed
    EXPECT_EQ(FindInvalidUtf8(s), std::nullopt) << at;
    s.replace(at, 2, "\xc3");      // truncated before ASCII
    EXPECT_THAT(FindInvalidUtf8(s), Optional(at)) << at;
  }
}

TEST(ReplaceInvalidUtf8Test, WellFormedInputIsUnchanged) {
  size_t replaced = 99;
  EXPECT_EQ(ReplaceInvalidUtf8("Zürich – 東京 😀", &replaced), "Zürich – 東京 😀");
  EXPECT_EQ(replaced, 0u);
  EXPECT_EQ(ReplaceInvalidUtf8(""), "");
}

TEST(ReplaceInvalidUtf8Test, OneReplacementPerMaximalSubpart) {
  // The example of Unicode 15 §3.9 Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
  size_t replaced = 0;
  EXPECT_EQ(ReplaceInvalidUtf8("a\xF1\x80\x80\xE1\x80\xC2" "b\x80" "c\x80\xBF" "d", &replaced),
            "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
  EXPECT_EQ(replaced, 6u);
  // Overlong, surrogate, beyond U+10FFFF: every byte is its own maximal subpart.
  EXPECT_EQ(ReplaceInvalidUtf8("\xC0\xAF|\xED\xA0\x80|\xF4\x90\x80\x80", &replaced),
            "\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(replaced, 9u);
  // Truncated at the end of the input.
  EXPECT_EQ(ReplaceInvalidUtf8("caf\xC3"), "caf\uFFFD");
  EXPECT_EQ(FindInvalidUtf8(ReplaceInvalidUtf8("\xff\xfez\xe2\x82", nullptr)), std::nullopt);
}

TEST(Utf8SequenceLengthTest, LengthOfEachWellFormedSequenceElseZero) {
  const std::string s = "aé東😀\xff\xe2\x82";
  EXPECT_EQ(Utf8SequenceLength(s, 0), 1u);
  EXPECT_EQ(Utf8SequenceLength(s, 1), 2u);
  EXPECT_EQ(Utf8SequenceLength(s, 3), 3u);
  EXPECT_EQ(Utf8SequenceLength(s, 6), 4u);
  EXPECT_EQ(Utf8SequenceLength(s, 10), 0u);  // 0xFF
  EXPECT_EQ(Utf8SequenceLength(s, 11), 0u);  // truncated E2 82
  EXPECT_EQ(Utf8SequenceLength(s, 2), 0u);   // a trail byte
  EXPECT_EQ(Utf8SequenceLength(s, s.size()), 0u);
}

}  // namespace
}  // namespace newsd
