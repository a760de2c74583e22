#include "stages/common/spans.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/stages/testing/status_matchers.h"
#include "unicode/unistr.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::IsOkAndHolds;
using ::newsd::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TextBuilderTest, SpansCountCodePoints) {
  TextBuilder b;
  const v1::Span head = b.Append("Zürich");  // 6 code points, 7 bytes
  b.Append("\n\n");
  const v1::Span body = b.Append("東京 😀.");
  EXPECT_EQ(head.begin(), 0u);
  EXPECT_EQ(head.end(), 6u);
  EXPECT_EQ(body.begin(), 8u);
  EXPECT_EQ(body.end(), 13u);
  EXPECT_EQ(b.size_code_points(), 13u);
  EXPECT_THAT(SpanText(b.text(), body), IsOkAndHolds("東京 😀."));
  EXPECT_EQ(b.Release(), "Zürich\n\n東京 😀.");
  EXPECT_EQ(b.size_code_points(), 0u);
}

TEST(CheckSpanTest, RejectsInvertedAndOutOfRangeSpans) {
  EXPECT_THAT(CheckSpan(MakeSpan(0, 5), 5, "headline"), IsOk());
  EXPECT_THAT(CheckSpan(MakeSpan(3, 6), 5, "paragraphs[1]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "paragraphs[1] [3, 6) out of range for text of 5 code points"));
  EXPECT_THAT(CheckSpan(MakeSpan(4, 2), 5, "headline"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("begin > end")));
  EXPECT_THAT(SpanText("abc", MakeSpan(1, 4)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of range")));
}

TEST(Utf16CodePointMapTest, IdentityWithoutSupplementaryCharacters) {
  const icu::UnicodeString s = icu::UnicodeString::fromUTF8("Zürich 東京");
  const Utf16CodePointMap map(s);
  EXPECT_EQ(map.code_points(), 9u);
  for (int32_t i = 0; i <= 9; ++i) {
    EXPECT_EQ(map.ToCodePoint(i), static_cast<uint32_t>(i));
    EXPECT_EQ(map.ToUtf16(static_cast<uint32_t>(i)), i);
  }
}

TEST(Utf16CodePointMapTest, SurrogatePairsCountOnce) {
  // Code points: a 😀 b 𝄞 c → UTF-16 units: a D83D DE00 b D834 DD1E c.
  const icu::UnicodeString s = icu::UnicodeString::fromUTF8("a😀b𝄞c");
  ASSERT_EQ(s.length(), 7);
  const Utf16CodePointMap map(s);
  EXPECT_EQ(map.code_points(), 5u);
  const int32_t utf16[] = {0, 1, 3, 4, 6, 7};
  for (uint32_t cp = 0; cp <= 5; ++cp) {
    EXPECT_EQ(map.ToUtf16(cp), utf16[cp]) << cp;
    EXPECT_EQ(map.ToCodePoint(utf16[cp]), cp) << cp;
  }
  // Between the halves of a pair: rounds up to the next code point.
  EXPECT_EQ(map.ToCodePoint(2), 2u);
  EXPECT_EQ(map.ToCodePoint(5), 4u);
}

}  // namespace
}  // namespace newsd::stages
