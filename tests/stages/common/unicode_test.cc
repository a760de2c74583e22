#include "stages/common/unicode.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/stages/testing/status_matchers.h"
#include "unicode/uchar.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOkAndHolds;
using ::newsd::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(CodePointCursorTest, AgreesWithCodePointSubstrInAnyQueryOrder) {
  const std::string s = "aé東😀b";
  CodePointCursor cursor(s);
  EXPECT_EQ(cursor.ByteOffset(2), 3u);
  EXPECT_THAT(cursor.Substr(2, 4), Optional(absl::string_view("東😀")));
  EXPECT_THAT(cursor.Substr(0, 1), Optional(absl::string_view("a")));  // backwards: restarts
  EXPECT_THAT(cursor.Substr(5, 5), Optional(absl::string_view("")));
  EXPECT_EQ(cursor.Substr(4, 6), std::nullopt);  // past the end
  EXPECT_EQ(cursor.Substr(3, 2), std::nullopt);
  EXPECT_EQ(cursor.ByteOffset(99), s.size());
  for (size_t b = 0; b <= 5; ++b) {
    for (size_t e = b; e <= 6; ++e) {
      EXPECT_EQ(cursor.Substr(b, e), CodePointSubstr(s, b, e)) << b << "," << e;
    }
  }
}

TEST(CodePointsTest, CountAndOffsets) {
  const std::string s = "aé東😀b";  // 1 + 2 + 3 + 4 + 1 bytes
  EXPECT_EQ(CountCodePoints(s), 5u);
  EXPECT_EQ(CodePointToByteOffset(s, 0), 0u);
  EXPECT_EQ(CodePointToByteOffset(s, 2), 3u);
  EXPECT_EQ(CodePointToByteOffset(s, 4), 10u);
  EXPECT_EQ(CodePointToByteOffset(s, 5), 11u);
  EXPECT_EQ(CodePointToByteOffset(s, 99), 11u);
  EXPECT_THAT(CodePointSubstr(s, 1, 4), Optional(absl::string_view("é東😀")));
  EXPECT_THAT(CodePointSubstr(s, 5, 5), Optional(absl::string_view("")));
  EXPECT_EQ(CodePointSubstr(s, 4, 6), std::nullopt);
  EXPECT_EQ(CodePointSubstr(s, 3, 2), std::nullopt);
}

TEST(WhitespaceTest, TrimsUnicodeWhiteSpace) {
  EXPECT_EQ(TrimWhitespace(" \t\u00a0\u3000text here\u2028 \n"), "text here");
  EXPECT_EQ(TrimWhitespace("   "), "");
  EXPECT_TRUE(IsBlank("\u00a0 \r\n"));
  EXPECT_FALSE(IsBlank(" x "));
  EXPECT_EQ(CollapseWhitespace("  ASSETS OF\n  MONEY\u00a0\u00a0FUNDS \n"),
            "ASSETS OF MONEY FUNDS");
}

TEST(RemoveControlCharactersTest, KeepsWhitespaceControls) {
  std::string s = "\x02\x05Line\tone\r\nline\x7f two\xc2\x85\x03";  // U+0085 is C1 (NEL)
  EXPECT_EQ(RemoveControlCharacters(&s), 5u);
  EXPECT_EQ(s, "Line\tone\r\nline two");
}

// The ASCII path agrees with ICU's general category for every ASCII character.
TEST(RemoveControlCharactersTest, EveryAsciiCharacterAsIcuSays) {
  for (UChar32 c = 0; c < 0x80; ++c) {
    std::string s = {'a', static_cast<char>(c), 'z'};
    const bool control = u_charType(c) == U_CONTROL_CHAR;
    const bool kept = c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    EXPECT_EQ(RemoveControlCharacters(&s), control && !kept ? 1u : 0u) << c;
    EXPECT_EQ(s, control && !kept ? std::string("az") : std::string({'a', static_cast<char>(c), 'z'}))
        << c;
  }
}

TEST(NormalizeNfcTest, ComposesDecomposedText) {
  EXPECT_THAT(NormalizeNfc("Cafe\u0301 A\u030a"), IsOkAndHolds("Caf\u00e9 \u00c5"));
  EXPECT_THAT(NormalizeNfc("already NFC: café"), IsOkAndHolds("already NFC: café"));
  // Singleton decomposition: U+212B ANGSTROM SIGN → U+00C5.
  EXPECT_THAT(NormalizeNfc("\u212b"), IsOkAndHolds("\u00c5"));
}

TEST(CharsetTest, RecognizesUtf8Names) {
  EXPECT_TRUE(IsUtf8Charset("UTF-8"));
  EXPECT_TRUE(IsUtf8Charset("utf8"));
  EXPECT_TRUE(IsUtf8Charset("US-ASCII"));
  EXPECT_FALSE(IsUtf8Charset("ISO-8859-1"));
}

TEST(CharsetTest, ConvertsLegacyCharsetsToUtf8) {
  EXPECT_THAT(ConvertToUtf8("Z\xfcrich", "ISO-8859-1"), IsOkAndHolds("Zürich"));
  EXPECT_THAT(ConvertToUtf8("\x93quoted\x94 \x80", "windows-1252"),
              IsOkAndHolds("“quoted” €"));
  EXPECT_THAT(ConvertToUtf8("\x93\xfa\x96\x7b", "Shift_JIS"), IsOkAndHolds("日本"));
}

TEST(CharsetTest, RejectsUnknownCharsetAndIllegalBytes) {
  EXPECT_THAT(ConvertToUtf8("x", "no-such-charset"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown charset 'no-such-charset'")));
  // 0x81 0x20 is not a valid Shift_JIS sequence.
  EXPECT_THAT(ConvertToUtf8("ab\x81\x20", "Shift_JIS"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid Shift_JIS byte sequence at byte 2")));
}

TEST(AppendUtf8Test, EncodesAllPlanes) {
  std::string s;
  AppendUtf8('<', &s);
  AppendUtf8(0xE9, &s);
  AppendUtf8(0x6771, &s);
  AppendUtf8(0x1F600, &s);
  EXPECT_EQ(s, "<é東😀");
}

}  // namespace
}  // namespace newsd::stages
