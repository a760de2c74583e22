#include "pipeline/log.h"

#include "gtest/gtest.h"

namespace newsd {
namespace {

TEST(LogTest, JsonLineCarriesMessageContext) {
  MessageLogContext c;
  c.article_id = "reuters21578-42";
  c.topic = "news.raw";
  c.partition = 2;
  c.offset = 17;
  c.fields = {{"stage", "decode"}, {"code", "invalid_argument"}};
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, LogLevel::kInfo, "2024-05-01T12:00:00.123Z",
                          "dead letter", &c),
            "{\"ts\":\"2024-05-01T12:00:00.123Z\",\"level\":\"info\",\"msg\":\"dead letter\","
            "\"article_id\":\"reuters21578-42\",\"topic\":\"news.raw\",\"partition\":2,"
            "\"offset\":17,\"stage\":\"decode\",\"code\":\"invalid_argument\"}");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, LogLevel::kWarning, "T", "dead letter", &c),
            "T WARN dead letter article_id=reuters21578-42 topic=news.raw partition=2 "
            "offset=17 stage=decode code=invalid_argument");
}

TEST(LogTest, LinesWithoutContextOmitTheFields) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, LogLevel::kError, "T", "fatal: x", nullptr),
            "{\"ts\":\"T\",\"level\":\"error\",\"msg\":\"fatal: x\"}");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, LogLevel::kInfo, "T", "running", nullptr),
            "T INFO running");
}

TEST(LogRateLimitTest, AllowsPerSecondAndReportsWhatItRefused) {
  LogRateLimit limit(2);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  uint64_t suppressed = 99;
  EXPECT_TRUE(limit.Allow(t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_TRUE(limit.Allow(t0 + absl::Milliseconds(100), &suppressed));
  EXPECT_FALSE(limit.Allow(t0 + absl::Milliseconds(200), &suppressed));
  EXPECT_FALSE(limit.Allow(t0 + absl::Milliseconds(900), &suppressed));
  EXPECT_TRUE(limit.Allow(t0 + absl::Seconds(1), &suppressed));  // a new window
  EXPECT_EQ(suppressed, 2u);
  EXPECT_TRUE(limit.Allow(t0 + absl::Seconds(1), &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

TEST(LogTest, JsonQuoteEscapesControlQuotesAndInvalidUtf8) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
  EXPECT_EQ(JsonQuote("Lavrov → Genf"), "\"Lavrov → Genf\"");
  EXPECT_EQ(JsonQuote("x\xff\xc3\x28y"), "\"x\\ufffd\\ufffd(y\"");
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
}

TEST(LogTest, FormatByName) {
  EXPECT_TRUE(SetLogFormatByName("json").ok());
  EXPECT_TRUE(SetLogFormatByName("text").ok());
  EXPECT_EQ(SetLogFormatByName("xml").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace newsd
