#include "stages/decode/decode.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"
#include "stages/decode/formats.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::CorpusPath;
using ::newsd::testing::IsOk;
using ::newsd::testing::ReadFile;
using ::newsd::testing::StatusIs;
using ::testing::ElementsAre;
using namespace std::string_literals;  // NOLINT: "...\0..."s keeps NUL bytes
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// Runs the decode stage on `payload` as the engine would: id and content type set.
absl::StatusOr<v1::Article> Decode(absl::string_view payload,
                                   absl::string_view content_type = "",
                                   DecodeOptions options = {}) {
  v1::Article article;
  article.set_id("news.raw/0/42");
  article.mutable_source()->set_content_type(std::string(content_type));
  StageContext ctx;
  ctx.payload = payload;
  if (absl::Status s = DecodeStage(options).Process(article, ctx); !s.ok()) return s;
  return article;
}

std::string Text(const v1::Article& a, const v1::Span& span) {
  absl::StatusOr<absl::string_view> t = SpanText(a.text(), span);
  return t.ok() ? std::string(*t) : absl::StrCat("<", t.status().ToString(), ">");
}

std::vector<std::string> Paragraphs(const v1::Article& a) {
  std::vector<std::string> out;
  for (const v1::Span& p : a.paragraphs()) out.push_back(Text(a, p));
  return out;
}

std::string SeedText() {
  absl::StatusOr<std::string> seed = ReadFile(CorpusPath("seed/lavrov-syria-2013.txt"));
  EXPECT_THAT(seed, IsOk());
  return seed.value_or("");
}

// ---- Plain text --------------------------------------------------------------

TEST(DecodePlainTextTest, SeedHasHeadlineAndTenParagraphs) {
  const std::string seed = SeedText();
  absl::StatusOr<v1::Article> a = Decode(seed);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->format(), v1::FORMAT_PLAIN_TEXT);
  EXPECT_EQ(Text(*a, a->headline()),
            "Russian Foreign Minister Sergey Lavrov said Thursday there is a chance of "
            "peace in Syria which cannot be missed, calling for for maximum efforts in "
            "order to get out of the storm.");
  EXPECT_EQ(seed.substr(0, seed.find('\n')), Text(*a, a->headline()));
  EXPECT_EQ(a->headline().begin(), 0u);
  EXPECT_EQ(a->headline().end(), 178u);
  ASSERT_EQ(a->paragraphs_size(), 10);
  // Offsets are code points: the text has 2387 code points but 2425 bytes
  // (typographic quotes and apostrophes).
  EXPECT_EQ(CountCodePoints(a->text()), 2387u);
  EXPECT_EQ(a->text().size(), 2425u);
  EXPECT_EQ(a->paragraphs(0).begin(), 180u);
  EXPECT_EQ(a->paragraphs(0).end(), 419u);
  EXPECT_EQ(a->paragraphs(1).begin(), 421u);
  EXPECT_EQ(a->paragraphs(1).end(), 628u);
  EXPECT_EQ(a->paragraphs(9).begin(), 2217u);
  EXPECT_EQ(a->paragraphs(9).end(), 2387u);
  EXPECT_EQ(Text(*a, a->paragraphs(6)),
            "Lavrov also said that the Russian-US meeting in Geneva was not intended to "
            "“usurp” the preparatory process for resolving the Syrian question.");
  EXPECT_EQ(a->text().substr(0, 180), Text(*a, a->headline()) + "\n\n");
  // No dateline, byline, wire metadata or date in the seed; the id is kept.
  EXPECT_EQ(a->id(), "news.raw/0/42");
  EXPECT_FALSE(a->has_dateline());
  EXPECT_EQ(a->byline_text(), "");
  EXPECT_EQ(a->wire().guid(), "");
  EXPECT_FALSE(a->has_published_at());
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST(DecodePlainTextTest, BlankLineSeparatedParagraphsJoinTheirLines) {
  absl::StatusOr<v1::Article> a = Decode(
      "\n  Markets rally  \n\nStocks rose on Monday\nafter the report.\n\n\n"
      "Bonds fell.\nThe dollar was flat.\n\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "Markets rally");
  EXPECT_THAT(Paragraphs(*a), ElementsAre("Stocks rose on Monday after the report.",
                                          "Bonds fell. The dollar was flat."));
  EXPECT_EQ(a->text(),
            "Markets rally\n\nStocks rose on Monday after the report.\n\n"
            "Bonds fell. The dollar was flat.");
}

TEST(DecodePlainTextTest, CrLfBomAndNfc) {
  // BOM, CRLF line ends, a decomposed "é" (e + U+0301) that NFC composes.
  absl::StatusOr<v1::Article> a =
      Decode("\xEF\xBB\xBF" "Cafe\u0301 opens\r\nFirst line.\r\nSecond line.\r\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Caf\u00e9 opens\n\nFirst line.\n\nSecond line.");
  EXPECT_EQ(a->headline().end(), 10u);  // "Café opens": 10 code points, 11 bytes
  EXPECT_EQ(a->paragraphs(0).begin(), 12u);
  EXPECT_EQ(a->paragraphs(1).end(), 37u);
}

TEST(DecodePlainTextTest, BylineAndDatelineAreRecognized) {
  absl::StatusOr<v1::Article> a = Decode(
      "Talks resume in Geneva\n"
      "By Jane Smith, Reuters\n"
      "GENEVA, Sept 12 (Reuters) - Talks on Syria resumed on Thursday.\n"
      "Diplomats said progress was slow.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->byline_text(), "By Jane Smith, Reuters");
  EXPECT_EQ(a->byline().end(), 0u);  // not part of the text
  ASSERT_EQ(a->paragraphs_size(), 2);
  EXPECT_EQ(a->dateline().place(), "GENEVA");
  EXPECT_EQ(a->dateline().date(), "Sept 12");
  EXPECT_EQ(a->dateline().agency(), "Reuters");
  EXPECT_EQ(a->dateline().span().begin(), 24u);
  EXPECT_EQ(a->dateline().span().end(), 51u);
  EXPECT_EQ(Text(*a, a->dateline().span()), "GENEVA, Sept 12 (Reuters) -");
  EXPECT_EQ(a->dateline().span().begin(), a->paragraphs(0).begin());
}

TEST(DecodePlainTextTest, SentencesStartingWithByAreNotBylines) {
  absl::StatusOr<v1::Article> a =
      Decode("Talks collapse\nBy Friday, talks had collapsed.\nNobody was surprised.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->byline_text(), "");
  EXPECT_THAT(Paragraphs(*a),
              ElementsAre("By Friday, talks had collapsed.", "Nobody was surprised."));
  EXPECT_FALSE(a->has_dateline());
}

TEST(DecodePlainTextTest, DeclaredCharsetIsConverted) {
  absl::StatusOr<v1::Article> a =
      Decode("Z\xfcrich: Gr\xfc\xdf" "e\nK\xf6ln antwortet.", "text/plain; charset=ISO-8859-1");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "Zürich: Grüße");
  EXPECT_THAT(Paragraphs(*a), ElementsAre("Köln antwortet."));
}

TEST(DecodePlainTextTest, DeclaredUtf16IsNotBinary) {
  const std::string utf16le("H\0i\0\n\0B\0o\0d\0y\0.\0", 16);
  absl::StatusOr<v1::Article> a = Decode(utf16le, "text/plain; charset=UTF-16LE");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Hi\n\nBody.");
  // Undeclared, the NUL bytes are half of it: binary.
  EXPECT_THAT(Decode(utf16le), StatusIs(kInvalid, "binary content: 7 of the first 15 bytes "
                                                  "are control characters"));
  // Declared without BOM: converted up front, so the format is sniffed on text.
  const std::string xml = "<nitf><body><body.head><hedline><hl1>Wide</hl1></hedline>"
                          "</body.head></body></nitf>";
  std::string wide;
  for (const char c : xml) wide += std::string({c, '\0'});
  a = Decode(wide, "application/xml; charset=UTF-16LE");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->format(), v1::FORMAT_NITF);
  EXPECT_EQ(a->text(), "Wide");
}

TEST(DecodePlainTextTest, ControlCharactersAreRemovedAndFlagged) {
  absl::StatusOr<v1::Article> a = Decode("Head\x1b line\nBody\x07 text.");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Head line\n\nBody text.");
  EXPECT_THAT(a->flags(), ElementsAre("control_chars_removed"));
}

TEST(DecodePlainTextTest, HeadlineOnlyIsBodyEmpty) {
  absl::StatusOr<v1::Article> a = Decode("Just a headline\n\n  \n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Just a headline");
  EXPECT_EQ(a->paragraphs_size(), 0);
  EXPECT_THAT(a->flags(), ElementsAre("body_empty"));
}

// A plain text opening with its dateline lede has no headline: the lede is the
// first paragraph (no headline is made up; flag "headline_missing").
TEST(DecodePlainTextTest, DatelineLedeIsNotTheHeadline) {
  absl::StatusOr<v1::Article> a = Decode(
      "WASHINGTON (AP) \xE2\x80\x94 The Senate voted 52-48 on Tuesday to pass the bill.\n"
      "\n"
      "The House votes next week.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 0u);
  EXPECT_THAT(Paragraphs(*a),
              ElementsAre("WASHINGTON (AP) \xE2\x80\x94 The Senate voted 52-48 on Tuesday to "
                          "pass the bill.",
                          "The House votes next week."));
  EXPECT_EQ(a->dateline().place(), "WASHINGTON");
  EXPECT_EQ(a->dateline().agency(), "AP");
  EXPECT_EQ(Text(*a, a->dateline().span()), "WASHINGTON (AP) \xE2\x80\x94");
  EXPECT_EQ(a->dateline().span().begin(), 0u);
  EXPECT_THAT(a->flags(), ElementsAre("headline_missing"));
}

// A one-line article: a first line of several sentences, or longer than 300 code
// points, is the first paragraph (flag "headline_missing"), not the headline.
TEST(DecodePlainTextTest, OneLineArticleHasNoHeadline) {
  const std::string line =
      "Russian Foreign Minister Sergei Lavrov met John Kerry in Geneva on Thursday. They "
      "discussed Syria chemical weapons for three hours. Officials said a deal was near.";
  absl::StatusOr<v1::Article> a = Decode(line + "\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 0u);
  EXPECT_EQ(a->text(), line);
  EXPECT_THAT(Paragraphs(*a), ElementsAre(line));
  EXPECT_THAT(a->flags(), ElementsAre("headline_missing"));
  // Two sentences, the second ending the line.
  a = Decode("Lavrov met Kerry in Geneva. They discussed Syria.\n\nOfficials said a deal was near.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 0u);
  EXPECT_THAT(Paragraphs(*a), ElementsAre("Lavrov met Kerry in Geneva. They discussed Syria.",
                                          "Officials said a deal was near."));
  // One sentence of 301 code points ("é" is one), no sentence end.
  const std::string long_line = std::string(300, 'a') + "\u00e9";
  a = Decode(long_line + "\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 0u);
  EXPECT_THAT(Paragraphs(*a), ElementsAre(long_line));
  // 300 code points is still a headline.
  a = Decode(std::string(299, 'a') + "\u00e9\n\nBody.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 300u);
  // Headlines with one sentence end, abbreviations or initials stay headlines.
  for (const char* headline : {"Lavrov says chance of peace in Syria cannot be missed.",
                               "Fed holds rates steady. Markets rally",
                               "U.S. Sen. John Smith meets Dr. Jane Doe in Washington, D.C.",
                               "Is this the end of the euro?"}) {
    a = Decode(absl::StrCat(headline, "\n\nBody.\n"));
    ASSERT_THAT(a, IsOk());
    EXPECT_EQ(Text(*a, a->headline()), headline);
  }
}

TEST(DecodePlainTextTest, SoftWrappedFirstParagraphIsNotTheHeadline) {
  // Blank-line separated paragraphs, the first wrapped at ~60 columns.
  absl::StatusOr<v1::Article> a = Decode(
      "The Senate voted on Tuesday to pass a spending bill that\n"
      "would keep the government open until the end of\n"
      "September, officials said.\n"
      "\n"
      "The House votes next week.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 0u);
  EXPECT_THAT(Paragraphs(*a),
              ElementsAre("The Senate voted on Tuesday to pass a spending bill that would keep "
                          "the government open until the end of September, officials said.",
                          "The House votes next week."));
  EXPECT_THAT(a->flags(), ElementsAre("headline_missing"));
  // No blank lines: a headline line, then a wrapped paragraph (its continuation
  // lines join it), then one line per paragraph.
  a = Decode(
      "Senate passes spending bill\n"
      "The Senate voted on Tuesday to pass a spending bill, which\n"
      "keeps the government open.\n"
      "The House votes next week.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "Senate passes spending bill");
  EXPECT_THAT(Paragraphs(*a),
              ElementsAre("The Senate voted on Tuesday to pass a spending bill, which keeps "
                          "the government open.",
                          "The House votes next week."));
  // A line ending with "the" continues even before a capital.
  a = Decode(
      "Officials said on Tuesday that the bill would reach the\n"
      "White House by Friday.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 0u);
  EXPECT_THAT(Paragraphs(*a), ElementsAre("Officials said on Tuesday that the bill would reach "
                                          "the White House by Friday."));
}

// An alert without headline: the label is a signal, the dateline is found after
// it, and the first sentence becomes the headline (flag "headline_derived").
TEST(DecodePlainTextTest, AlertGetsItsFirstSentenceAsHeadline) {
  absl::StatusOr<v1::Article> a = Decode(
      "FLASH: WASHINGTON (AP) \xE2\x80\x94 The Senate confirmed Jane Doe to the Supreme Court "
      "on Saturday. The vote was 50-48.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()),
            "The Senate confirmed Jane Doe to the Supreme Court on Saturday");
  EXPECT_THAT(Paragraphs(*a),
              ElementsAre("WASHINGTON (AP) \xE2\x80\x94 The Senate confirmed Jane Doe to the "
                          "Supreme Court on Saturday. The vote was 50-48."));
  EXPECT_EQ(Text(*a, a->dateline().span()), "WASHINGTON (AP) \xE2\x80\x94");
  EXPECT_EQ(a->dateline().place(), "WASHINGTON");
  EXPECT_THAT(a->wire().signals(), ElementsAre("wire:flash"));
  EXPECT_THAT(a->flags(), ElementsAre("headline_derived"));
  // The label alone on the first line.
  a = Decode(
      "BULLETIN\n\nGENEVA, Sept 12 (Reuters) - Talks on Syria collapsed on Thursday, "
      "diplomats said.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(),
            "Talks on Syria collapsed on Thursday, diplomats said\n\n"
            "GENEVA, Sept 12 (Reuters) - Talks on Syria collapsed on Thursday, diplomats said.");
  EXPECT_EQ(a->dateline().place(), "GENEVA");
  EXPECT_THAT(a->wire().signals(), ElementsAre("wire:bulletin"));
  EXPECT_THAT(a->flags(), ElementsAre("headline_derived"));
  // An alert label on a headline: taken off, the headline stays.
  a = Decode("URGENT: Senate confirms Jane Doe\n\nThe vote was 50-48.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "Senate confirms Jane Doe");
  EXPECT_THAT(a->wire().signals(), ElementsAre("wire:urgent"));
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST(DecodePlainTextTest, HeadlineLabelsAndSlugMoveToWire) {
  absl::StatusOr<v1::Article> a =
      Decode("UPDATE 2-RUGBY-All Blacks beat Australia to keep Bledisloe Cup\n\nBody.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "All Blacks beat Australia to keep Bledisloe Cup");
  EXPECT_EQ(a->text().substr(0, 3), "All");
  EXPECT_EQ(a->wire().slugline(), "RUGBY");
  EXPECT_THAT(a->wire().signals(), ElementsAre("sig:update", "wire:update-2"));
  a = Decode("REFILE-CORRECTED-Oil rises as supply fears mount\n\nBody.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "Oil rises as supply fears mount");
  EXPECT_EQ(a->wire().slugline(), "");
  EXPECT_THAT(a->wire().signals(), ElementsAre("wire:refile", "sig:correction"));
  for (const char* headline :
       {"Anti-war protest draws thousands", "U.S.-China talks resume in Geneva"}) {
    a = Decode(absl::StrCat(headline, "\n\nBody.\n"));
    ASSERT_THAT(a, IsOk());
    EXPECT_EQ(Text(*a, a->headline()), headline);
    EXPECT_EQ(a->wire().slugline(), "");
    EXPECT_THAT(a->wire().signals(), IsEmpty());
  }
}

TEST(DecodePlainTextTest, DatelineWithYearKeepsItsDate) {
  absl::StatusOr<v1::Article> a = Decode("Talks\n\nPARIS, Jan 3, 2024 (AFP) - The minister spoke.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->dateline().place(), "PARIS");
  EXPECT_EQ(a->dateline().date(), "Jan 3, 2024");
  EXPECT_EQ(a->dateline().agency(), "AFP");
  EXPECT_EQ(Text(*a, a->dateline().span()), "PARIS, Jan 3, 2024 (AFP) -");
  // A byline before the dateline: no dateline rather than the byline as place.
  a = Decode("Talks\n\nBy Jane Doe GENEVA, Sept 12 (Reuters) - The minister spoke.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->dateline().place(), "");
  EXPECT_FALSE(a->dateline().has_span());
}

// A headline that is only labels leaves no headline: the labels are signals, the
// slug the slugline; with no other text the item has none, like "FLASH:".
TEST(DecodePlainTextTest, HeadlineOfOnlyLabels) {
  absl::StatusOr<v1::Article> a = Decode("UPDATE 2-RUGBY-\n\nThe All Blacks won 30-10.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->headline().end(), 0u);
  EXPECT_EQ(a->text(), "The All Blacks won 30-10.");
  EXPECT_EQ(a->wire().slugline(), "RUGBY");
  EXPECT_THAT(a->wire().signals(), ElementsAre("sig:update", "wire:update-2"));
  EXPECT_THAT(a->flags(), ElementsAre("headline_missing"));
  for (const char* payload : {"UPDATE 2-", "CORRECTED-\n", "REFILE-", "RUGBY-", "FLASH:"}) {
    EXPECT_THAT(Decode(payload),
                StatusIs(kInvalid, "no text: the item has neither headline nor body"))
        << payload;
  }
  // An alert among the labels: its first sentence is the headline.
  a = Decode("REFILE-FLASH:\n\nThe Senate confirmed Jane Doe on Saturday. The vote was 50-48.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "The Senate confirmed Jane Doe on Saturday");
  EXPECT_THAT(a->wire().signals(), ElementsAre("wire:refile", "wire:flash"));
  EXPECT_THAT(a->flags(), ElementsAre("headline_derived"));
}

// The headline cleanup applies to every format; a declared slugline wins over the
// headline's slug, and a declared signal is not repeated.
TEST(DecodeTest, HeadlineLabelsInNinjs) {
  absl::StatusOr<v1::Article> a = Decode(
      R"({"uri": "urn:x:7", "slugline": "soccer-messi",)"
      R"( "headline": "UPDATE 1-SOCCER-Messi joins Inter Miami", "body_text": "Body."})",
      "application/ninjs+json");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "Messi joins Inter Miami");
  EXPECT_EQ(a->wire().slugline(), "soccer-messi");
  EXPECT_THAT(a->wire().signals(), ElementsAre("sig:update", "wire:update-1"));
}

// ---- Publication time and id ---------------------------------------------------

TEST(DecodeTest, PublishedAtFallsBackToKafkaTimestamp) {
  v1::Article article;
  article.mutable_source()->mutable_timestamp()->set_seconds(1378987200);
  StageContext ctx;
  ctx.payload = "Headline\nBody.";
  ASSERT_THAT(DecodeStage({}).Process(article, ctx), IsOk());
  EXPECT_EQ(article.published_at().seconds(), 1378987200);
}

TEST(DecodeTest, PublishedAtFromHeaderIsNotOverwritten) {
  const absl::StatusOr<std::string> sgm =
      ReadFile(CorpusPath("reuters21578/original/reut2-000.sgm.gz"));
  ASSERT_THAT(sgm, IsOk());
  const std::string record = newsd::testing::SplitReutersRecords(*sgm).at(0);

  v1::Article article;
  article.mutable_published_at()->set_seconds(1378987200);  // set by the engine
  article.mutable_source()->mutable_timestamp()->set_seconds(1);
  StageContext ctx;
  ctx.payload = record;
  ASSERT_THAT(DecodeStage({}).Process(article, ctx), IsOk());
  EXPECT_EQ(article.published_at().seconds(), 1378987200);
  // The item's own date is still recorded in the wire metadata.
  EXPECT_EQ(article.wire().version_created().seconds(), 541350061);  // 1987-02-26T15:01:01Z
  EXPECT_EQ(article.id(), "reuters21578-1");
}

// ---- Errors --------------------------------------------------------------------

TEST(DecodeErrorTest, TombstoneIsNotAnArticle) {
  v1::Article article;
  StageContext ctx;
  ctx.payload_is_null = true;
  const absl::Status skipped = DecodeStage({}).Process(article, ctx);
  EXPECT_THAT(skipped, StatusIs(kInvalid, "null value (tombstone)"));
  EXPECT_TRUE(IsNotAnArticle(skipped));
  EXPECT_EQ(NotAnArticleKind(skipped), "tombstone");
  // not_articles "dead_letter": the plain error of before.
  DecodeOptions dead_letter;
  dead_letter.not_articles = DecodeOptions::NotArticles::kDeadLetter;
  const absl::Status rejected = DecodeStage(dead_letter).Process(article, ctx);
  EXPECT_EQ(rejected, absl::InvalidArgumentError("null value (tombstone)"));
  EXPECT_FALSE(IsNotAnArticle(rejected));
}

TEST(DecodeErrorTest, EmptyAndWhitespaceOnly) {
  EXPECT_THAT(Decode(""), StatusIs(kInvalid, "empty value"));
  EXPECT_THAT(Decode(" \r\n\t \n"), StatusIs(kInvalid, "whitespace-only value"));
  // Only non-ASCII white space (NBSP, ideographic space): nothing to decode.
  EXPECT_THAT(Decode("\u00a0\u00a0\n\u3000"), StatusIs(kInvalid, HasSubstr("no text")));
}

TEST(DecodeErrorTest, InvalidUtf8IsReplacedAndFlagged) {
  absl::StatusOr<v1::Article> a = Decode("Headline\nBody \xff more");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nBody \uFFFD more");
  EXPECT_THAT(a->flags(), ElementsAre("invalid_utf8_replaced"));
  // A truncated sequence in UTF-8 text: U+FFFD for its maximal subpart.
  a = Decode("Caf\xc3\xa9 \xc3\nMenu du jour.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Caf\u00e9 \uFFFD\n\nMenu du jour.");
  EXPECT_THAT(a->flags(), ElementsAre("invalid_utf8_replaced"));
  // The integration test's message: ICU's best guess (ISO-8859-1, confidence 33)
  // is below charset_min_confidence, so the bytes are replaced, not guessed.
  a = Decode("Headline\nBody with \xff\xfe bytes \xc3\x28 here\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nBody with \uFFFD\uFFFD bytes \uFFFD( here");
  EXPECT_THAT(a->flags(), ElementsAre("invalid_utf8_replaced"));
}

TEST(DecodeNulTest, NulInsideTextIsRemovedAndFlagged) {
  // One NUL in a line of text (a C-string copy gone wrong) and NUL padding after it.
  const std::string payload =
      "Fed holds rates\nThe Federal Reserve\0 held rates on Wednesday.\n\0\0\0\0\0\0\0\0"s;
  absl::StatusOr<v1::Article> a = Decode(payload);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Fed holds rates\n\nThe Federal Reserve held rates on Wednesday.");
  EXPECT_THAT(a->flags(), ElementsAre("nul_bytes_removed"));
  // In markup too: the NUL is gone before the XML parser sees the bytes.
  a = Decode("<nitf><body><body.head><hedline><hl1>Fed\0 holds</hl1></hedline>"
             "</body.head></body></nitf>"s);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Fed holds");
  EXPECT_THAT(a->flags(), ElementsAre("nul_bytes_removed", "body_empty"));
  // Nothing but NUL bytes.
  EXPECT_THAT(Decode(std::string(16, '\0')), StatusIs(kInvalid, "binary content: only NUL bytes"));
}

TEST(DecodeNulTest, BinaryFormatsAreStillRejected) {
  // A PNG signature and IHDR chunk start; a PDF header followed by text-like bytes
  // (a PDF's first kilobytes can be mostly ASCII: the signature decides).
  const std::string png = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0"s;
  EXPECT_THAT(Decode(png), StatusIs(kInvalid, "binary content: PNG image signature at byte 0"));
  EXPECT_THAT(Decode("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
                     "endobj\n"),
              StatusIs(kInvalid, "binary content: PDF document signature at byte 0"));
  EXPECT_THAT(Decode("PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml"s),
              StatusIs(kInvalid, HasSubstr("ZIP archive")));
  EXPECT_THAT(Decode("\x1f\x8b\x08\0\0\0\0\0\0\x03\xcb" "H\xcd\xc9\xc9W(\xcf/\xca" "I"s),
              StatusIs(kInvalid, "binary content: gzip data signature at byte 0"));
  // Text that merely starts like one of them is text.
  absl::StatusOr<v1::Article> a = Decode("GIF maker sold\nThe GIF89 format's owner sold it.\n");
  ASSERT_THAT(a, IsOk());
}

TEST(DecodeErrorTest, ControlCharacterSoupIsBinary) {
  std::string payload(100, '\x01');
  payload.replace(0, 10, "Headline\n ");
  EXPECT_THAT(Decode(payload), StatusIs(kInvalid, "binary content: 90 of the first 100 "
                                                  "bytes are control characters"));
}

TEST(DecodeErrorTest, TwoMegabytesOfRandomBytesAreRejected) {
  std::mt19937 rng(20130912);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string random(2 << 20, '\0');
  for (char& c : random) c = static_cast<char>(byte(rng));
  EXPECT_THAT(Decode(random), StatusIs(kInvalid, HasSubstr("binary content")));
  EXPECT_THAT(Decode(random, "application/sgml"),
              StatusIs(kInvalid, HasSubstr("binary content")));

  // Without NUL and control bytes it is still not UTF-8.
  for (char& c : random) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = 'x';
  }
  EXPECT_THAT(Decode(random), StatusIs(kInvalid, HasSubstr("invalid UTF-8: ")));
  EXPECT_THAT(Decode(random), StatusIs(kInvalid, HasSubstr("ill-formed sequences in ")));
  // Declared SGML, it is no Reuters record. Declared Latin-1, any byte is valid:
  // it decodes into a garbage article rather than crashing.
  EXPECT_THAT(Decode(random, "application/sgml"),
              StatusIs(kInvalid, HasSubstr("not a Reuters SGML record")));
  EXPECT_THAT(Decode(random, "text/plain; charset=ISO-8859-1"), IsOk());
}

TEST(DecodeErrorTest, ValueOverMaxBytes) {
  DecodeOptions small;
  small.max_bytes = 16;
  EXPECT_THAT(Decode("Headline\nBody 12345", "", small),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "value of 19 bytes exceeds max_bytes (16)"));
  EXPECT_THAT(Decode("Headline\nBody 1", "", small), IsOk());

  const std::string big((8 << 20) + 1, 'a');
  EXPECT_THAT(Decode(big), StatusIs(absl::StatusCode::kResourceExhausted,
                                    "value of 8388609 bytes exceeds max_bytes (8388608)"));
}

TEST(DecodeErrorTest, UnknownMarkupIsNamed) {
  EXPECT_THAT(Decode("<?xml version=\"1.0\"?><inventory><item/></inventory>"),
              StatusIs(kInvalid, "unsupported markup document: root element <inventory>"));
  // An empty NewsML-G2 item has no text: a clear reason, not a crash.
  EXPECT_THAT(Decode("<?xml version=\"1.0\"?>\n<!-- c -->\n<g2:newsItem xmlns:g2=\"x\"/>"),
              StatusIs(kInvalid, "no text: the item has neither headline nor body"));
  // Declared plain text is taken as text, markup or not.
  absl::StatusOr<v1::Article> a = Decode("<b>Bold</b> claim\nBody.", "text/plain");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "<b>Bold</b> claim");
}

// ---- Format selection ----------------------------------------------------------

TEST(SelectFormatTest, MediaTypeFirstThenSniffing) {
  auto format_of = [](absl::string_view payload, absl::string_view content_type) {
    absl::StatusOr<const FormatSpec*> f = SelectFormat(payload, ParseContentType(content_type));
    return f.ok() ? (*f)->format : v1::FORMAT_UNSPECIFIED;
  };
  EXPECT_EQ(format_of("<REUTERS NEWID=\"1\">", ""), v1::FORMAT_REUTERS_SGML);
  EXPECT_EQ(format_of("<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS>", ""),
            v1::FORMAT_REUTERS_SGML);
  EXPECT_EQ(format_of("<REUTERS>", "text/plain"), v1::FORMAT_PLAIN_TEXT);
  EXPECT_EQ(format_of("Plain words", "application/sgml"), v1::FORMAT_REUTERS_SGML);
  EXPECT_EQ(format_of("<nitf>", "application/xml"), v1::FORMAT_NITF);
  EXPECT_EQ(format_of("<rss version=\"2.0\">", ""), v1::FORMAT_RSS);
  EXPECT_EQ(format_of("\xEF\xBB\xBF  <feed xmlns=\"http://www.w3.org/2005/Atom\">", ""),
            v1::FORMAT_ATOM);
  EXPECT_EQ(format_of("Plain words", ""), v1::FORMAT_PLAIN_TEXT);
  EXPECT_EQ(format_of("{}", "application/ninjs+json"), v1::FORMAT_NINJS);
  // A JSON object, or an array of objects (a ninjs collection), is ninjs; text
  // that merely opens with a bracket is not.
  EXPECT_EQ(format_of("{\"uri\": \"x\"}", ""), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("\xEF\xBB\xBF\n[\n  {\"uri\": \"x\"}]", ""), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("[{\"uri\": \"x\"}]", "application/json"), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("[ ]", ""), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("[UPDATE 1] Markets rally\nBody.", ""), v1::FORMAT_PLAIN_TEXT);
  EXPECT_EQ(format_of("[1, 2]", ""), v1::FORMAT_PLAIN_TEXT);
  // A collection whose first entry is not an object is still one.
  EXPECT_EQ(format_of("[null, {\"uri\": \"x\"}]", ""), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("[\"a\", {\"uri\": \"x\"}]", ""), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("[[{\"uri\": \"x\"}]]", ""), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("[]", ""), v1::FORMAT_NINJS);
  EXPECT_EQ(format_of("[[], [1]]", ""), v1::FORMAT_PLAIN_TEXT);
}

TEST(ParseContentTypeTest, MediaTypeAndCharset) {
  ContentType ct = ParseContentType(" Text/Plain ; format=flowed; Charset=\"ISO-8859-1\"");
  EXPECT_EQ(ct.media_type, "text/plain");
  EXPECT_EQ(ct.charset, "ISO-8859-1");
  ct = ParseContentType("");
  EXPECT_EQ(ct.media_type, "");
  EXPECT_EQ(ct.charset, "");
}

// ---- Factory -------------------------------------------------------------------

TEST(DecodeFactoryTest, ValidatesOptions) {
  v1::StageConfig config;
  config.set_name("decode");
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  EXPECT_EQ((*stage)->name(), "decode");

  (*config.mutable_options())["max_bytes"] = "16";
  stage = StageRegistry::Global().Create(config);
  ASSERT_THAT(stage, IsOk());
  v1::Article article;
  StageContext ctx;
  ctx.payload = "Headline\nBody 12345";
  EXPECT_THAT((*stage)->Process(article, ctx),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("max_bytes (16)")));

  (*config.mutable_options())["max_bytes"] = "0";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("options[\"max_bytes\"]")));
  config.mutable_options()->clear();
  (*config.mutable_options())["max_byte"] = "16";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, HasSubstr("unknown option")));
}

}  // namespace
}  // namespace newsd::stages
