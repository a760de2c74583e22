#include "stages/decode/reuters_sgml.h"

#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/common/spans.h"
#include "stages/decode/decode.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::CorpusPath;
using ::newsd::testing::IsOk;
using ::newsd::testing::ReadFile;
using ::newsd::testing::SplitReutersRecords;
using ::newsd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

absl::StatusOr<v1::Article> Decode(absl::string_view payload) {
  v1::Article article;
  article.set_id("news.raw/0/7");
  StageContext ctx;
  ctx.payload = payload;
  if (absl::Status s = DecodeStage({}).Process(article, ctx); !s.ok()) return s;
  return article;
}

std::string Text(const v1::Article& a, const v1::Span& span) {
  absl::StatusOr<absl::string_view> t = SpanText(a.text(), span);
  return t.ok() ? std::string(*t) : absl::StrCat("<", t.status().ToString(), ">");
}

// NEWID attribute of a raw record, read independently of the decoder.
std::string NewId(absl::string_view record) {
  const size_t at = record.find("NEWID=\"");
  if (at == absl::string_view::npos) return "";
  const size_t begin = at + 7;
  return std::string(record.substr(begin, record.find('"', begin) - begin));
}

class ReutersCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> sgm =
        ReadFile(CorpusPath("reuters21578/original/reut2-000.sgm.gz"));
    ASSERT_THAT(sgm, IsOk());
    records_ = new std::vector<std::string>(SplitReutersRecords(*sgm));
  }
  static void TearDownTestSuite() {
    delete records_;
    records_ = nullptr;
  }
  // The record with NEWID `newid` of reut2-000 (NEWID 1..1000, in order).
  static const std::string& Record(int newid) { return records_->at(newid - 1); }

  static std::vector<std::string>* records_;
};

std::vector<std::string>* ReutersCorpusTest::records_ = nullptr;

TEST_F(ReutersCorpusTest, FullRecord) {
  absl::StatusOr<v1::Article> a = Decode(Record(1));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->format(), v1::FORMAT_REUTERS_SGML);
  EXPECT_EQ(a->id(), "reuters21578-1");
  EXPECT_EQ(a->wire().guid(), "reuters21578-1");
  EXPECT_EQ(a->wire().provider(), "Reuters");
  EXPECT_EQ(a->wire().slugline(), "BC-BAHIA-COCOA-REVIEW");
  EXPECT_THAT(a->wire().subjects(), ElementsAre("reuters-topic:cocoa"));
  // <DATE>26-FEB-1987 15:01:01.79</DATE>, read as UTC.
  EXPECT_EQ(a->wire().version_created().seconds(), 541350061);
  EXPECT_EQ(a->wire().version_created().nanos(), 790000000);
  EXPECT_EQ(a->published_at().seconds(), 541350061);
  EXPECT_EQ(a->published_at().nanos(), 790000000);

  EXPECT_EQ(Text(*a, a->headline()), "BAHIA COCOA REVIEW");
  EXPECT_EQ(a->dateline().place(), "SALVADOR");
  EXPECT_EQ(a->dateline().date(), "Feb 26");
  EXPECT_EQ(a->dateline().agency(), "");
  EXPECT_EQ(a->dateline().span().begin(), 20u);
  EXPECT_EQ(a->dateline().span().end(), 38u);
  EXPECT_EQ(Text(*a, a->dateline().span()), "SALVADOR, Feb 26 -");

  ASSERT_EQ(a->paragraphs_size(), 17);
  EXPECT_EQ(a->paragraphs(0).begin(), 20u);
  EXPECT_EQ(Text(*a, a->paragraphs(0)),
            "SALVADOR, Feb 26 - Showers continued throughout the week in the Bahia cocoa "
            "zone, alleviating the drought since early January and improving prospects "
            "for the coming temporao, although normal humidity levels have not been "
            "restored, Comissaria Smith said in its weekly review.");
  EXPECT_EQ(Text(*a, a->paragraphs(1)),
            "The dry period means the temporao will be late this year.");
  // The signoff " Reuter" and the ETX are gone.
  EXPECT_EQ(Text(*a, a->paragraphs(16)),
            "Final figures for the period to February 28 are expected to be published by "
            "the Brazilian Cocoa Trade Commission after carnival which ends midday on "
            "February 27.");
  EXPECT_FALSE(absl::StrContains(a->text(), "Reuter"));
  EXPECT_FALSE(absl::StrContains(a->text(), "\x03"));
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST_F(ReutersCorpusTest, CharacterReferencesInTitleAndBody) {
  absl::StatusOr<v1::Article> a = Decode(Record(2));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Text(*a, a->headline()), "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT");
  EXPECT_EQ(a->wire().slugline(), "BC-STANDARD-OIL-<SRD>-TO");
  EXPECT_EQ(a->dateline().place(), "CLEVELAND");
  EXPECT_THAT(a->wire().subjects(), IsEmpty());  // <TOPICS></TOPICS>
}

TEST_F(ReutersCorpusTest, AuthorIsTheByline) {
  absl::StatusOr<v1::Article> a = Decode(Record(4));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->byline_text(), "by Janie Gabbett, Reuters");
  EXPECT_EQ(Text(*a, a->headline()), "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER");
  EXPECT_EQ(a->dateline().place(), "LOS ANGELES");
  EXPECT_FALSE(absl::StrContains(a->text(), "Janie Gabbett"));
}

TEST_F(ReutersCorpusTest, BriefRecordHasNoBody) {
  // <TEXT TYPE="BRIEF">&#2;\n******<TITLE>...</TITLE>Blah blah blah.\n&#3;</TEXT>
  absl::StatusOr<v1::Article> a = Decode(Record(30));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS IN LATEST WEEK");
  EXPECT_EQ(a->headline().end(), 70u);
  EXPECT_EQ(a->paragraphs_size(), 0);
  EXPECT_THAT(a->flags(), ElementsAre("body_empty"));
  EXPECT_EQ(a->published_at().seconds(), 541352516);  // 26-FEB-1987 15:41:56.54
}

TEST_F(ReutersCorpusTest, UnprocessedRecordHasNoHeadline) {
  absl::StatusOr<v1::Article> a = Decode(Record(99));
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->flags(), ElementsAre("headline_missing"));
  EXPECT_EQ(a->headline().begin(), 0u);
  EXPECT_EQ(a->headline().end(), 0u);
  ASSERT_GT(a->paragraphs_size(), 3);
  EXPECT_EQ(a->paragraphs(0).begin(), 0u);
  EXPECT_EQ(Text(*a, a->paragraphs(0)), "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26");
  // Every indented table row is a paragraph of its own.
  EXPECT_EQ(Text(*a, a->paragraphs(2)), "Net free reserves.............644 vs.....1,337");
  EXPECT_FALSE(a->has_dateline());
}

TEST_F(ReutersCorpusTest, DoctypeLineBeforeTheRecordIsAccepted) {
  absl::StatusOr<v1::Article> a =
      Decode(absl::StrCat("<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n", Record(1), "\n"));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->id(), "reuters21578-1");
}

TEST_F(ReutersCorpusTest, AllThousandRecordsOfReut2000Decode) {
  ASSERT_EQ(records_->size(), 1000u);
  int brief = 0, unproc = 0, body_empty = 0, headline_missing = 0, datelines = 0;
  std::set<std::string> ids;
  for (size_t i = 0; i < records_->size(); ++i) {
    const std::string& record = (*records_)[i];
    SCOPED_TRACE(absl::StrCat("record ", i, " NEWID ", NewId(record)));
    ASSERT_EQ(NewId(record), absl::StrCat(i + 1));
    brief += absl::StrContains(record, "<TEXT TYPE=\"BRIEF\">");
    unproc += absl::StrContains(record, "<TEXT TYPE=\"UNPROC\">");

    absl::StatusOr<v1::Article> a = Decode(record);
    ASSERT_THAT(a, IsOk());
    EXPECT_EQ(a->wire().guid(), absl::StrCat("reuters21578-", i + 1));
    EXPECT_EQ(a->id(), a->wire().guid());
    EXPECT_TRUE(a->has_published_at());
    ids.insert(a->id());
    for (const std::string& flag : a->flags()) {
      body_empty += flag == "body_empty";
      headline_missing += flag == "headline_missing";
    }
    datelines += a->dateline().has_span();
    for (const v1::Span& p : a->paragraphs()) {
      EXPECT_FALSE(absl::EqualsIgnoreCase(Text(*a, p), "Reuter"));
    }
    EXPECT_FALSE(absl::StrContains(a->text(), "&lt;"));
    EXPECT_FALSE(absl::StrContains(a->text(), "\x03"));
    EXPECT_FALSE(absl::StrContains(a->text(), "Blah blah blah"));
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(brief, 60);
  EXPECT_EQ(unproc, 15);
  EXPECT_EQ(body_empty, brief);
  EXPECT_EQ(headline_missing, unproc);
  EXPECT_EQ(datelines, 1000 - brief - unproc);  // every NORM record's dateline parses
}

TEST(ReutersLatin1Test, StrayLatin1ByteIsGuessed) {
  // reut2-017.sgm holds the corpus's only non-ASCII byte (0xFC) in NEWID 17980.
  absl::StatusOr<std::string> sgm = ReadFile(CorpusPath("reuters21578/original/reut2-017.sgm.gz"));
  ASSERT_THAT(sgm, IsOk());
  int found = 0;
  for (const std::string& record : SplitReutersRecords(*sgm)) {
    if (NewId(record) != "17980") continue;
    ++found;
    absl::StatusOr<v1::Article> a = Decode(record);
    ASSERT_THAT(a, IsOk());
    EXPECT_THAT(a->flags(), ElementsAre("charset_guessed"));
    EXPECT_TRUE(absl::StrContains(a->text(), "economic growth.\u00fcside measures"));
  }
  EXPECT_EQ(found, 1);
}

// ---- Malformed records ----------------------------------------------------------

class ReutersErrorTest : public ReutersCorpusTest {};

TEST_F(ReutersErrorTest, TruncatedRecord) {
  const std::string& record = Record(1);
  EXPECT_THAT(Decode(record.substr(0, record.size() - 3)),
              StatusIs(kInvalid, "truncated Reuters SGML record: no </REUTERS>"));
  EXPECT_THAT(Decode(record.substr(0, record.size() / 2)),
              StatusIs(kInvalid, "truncated Reuters SGML record: no </REUTERS>"));
  EXPECT_THAT(Decode("<REUTERS NEWID=\"9\""),
              StatusIs(kInvalid, "truncated Reuters SGML record: no </REUTERS>"));
  // A cut record followed by a complete one: the first never ends.
  EXPECT_THAT(Decode(absl::StrCat(record.substr(0, 400), "\n", Record(2))),
              StatusIs(kInvalid, "truncated Reuters SGML record: no </REUTERS>"));
}

TEST_F(ReutersErrorTest, EveryPrefixAndCorruptionIsHandled) {
  // Robustness: cut or damaged records decode or fail with kInvalidArgument; they
  // never crash or hang.
  const std::string& record = Record(16);  // has <AUTHOR>, <DATELINE>, <BODY>
  for (size_t n = 2; n < record.size(); ++n) {  // "<" alone is a plain-text item
    const absl::StatusOr<v1::Article> a = Decode(record.substr(0, n));
    ASSERT_TRUE(a.ok() || absl::IsInvalidArgument(a.status())) << n << ": " << a.status();
    EXPECT_FALSE(a.ok()) << "prefix of " << n << " bytes decoded";
  }
  std::mt19937 rng(541350061);
  for (int round = 0; round < 2000; ++round) {
    std::string damaged = Record(1 + round % 100);
    std::uniform_int_distribution<size_t> at(0, damaged.size() - 1);
    for (int k = 0; k < 8; ++k) damaged[at(rng)] = "<>&;#/\n \x03\xff"[k % 10];
    const absl::StatusOr<v1::Article> a = Decode(damaged);
    ASSERT_TRUE(a.ok() || absl::IsInvalidArgument(a.status())) << a.status();
  }
}

TEST_F(ReutersErrorTest, OneRecordPerValue) {
  EXPECT_THAT(Decode(absl::StrCat(Record(1), "\n", Record(2))),
              StatusIs(kInvalid, "more than one Reuters SGML record in one value"));
  const std::string junk = absl::StrCat(Record(1), "\n  trailing junk");
  EXPECT_THAT(Decode(junk),
              StatusIs(kInvalid, absl::StrCat("unexpected content after </REUTERS> at byte ",
                                              Record(1).size() + 3)));
}

TEST_F(ReutersErrorTest, UnterminatedElement) {
  const std::string broken = absl::StrReplaceAll(Record(1), {{"</TEXT>", ""}});
  EXPECT_THAT(Decode(broken),
              StatusIs(kInvalid, "unterminated <TEXT> element in Reuters SGML record"));
}

TEST(ReutersSgmlTest, NotARecord) {
  DecodeInput input;
  input.payload = "  <REUTERSX>";
  EXPECT_THAT(DecodeReutersSgml(input),
              StatusIs(kInvalid, "not a Reuters SGML record: expected <REUTERS at byte 2"));
}

TEST(ReutersSgmlTest, MinimalRecordsAndFlags) {
  // No NEWID, no DATE, no TOPICS: decodes with flags.
  absl::StatusOr<v1::Article> a = Decode(
      "<REUTERS><TEXT><TITLE>T &amp; C</TITLE><BODY>Line one\nwraps.\n Reuter\n&#3;"
      "</BODY></TEXT></REUTERS>");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "T & C\n\nLine one wraps.");
  EXPECT_THAT(a->flags(), ElementsAre("guid_missing", "date_unparsed"));
  EXPECT_EQ(a->id(), "news.raw/0/7");
  EXPECT_FALSE(a->has_published_at());

  // No <TEXT> at all: nothing to publish.
  EXPECT_THAT(Decode("<REUTERS NEWID=\"5\"><DATE>26-FEB-1987 15:01:01.79</DATE></REUTERS>"),
              StatusIs(kInvalid, HasSubstr("no text")));
}

TEST(ReutersSgmlTest, SignoffAfterTheLastSentenceIsDropped) {
  absl::StatusOr<v1::Article> a = Decode(
      "<REUTERS NEWID=\"1\"><TEXT><TITLE>X</TITLE><DATELINE>    NEW YORK, March 2 -"
      "</DATELINE><BODY>The exchange said.\n    Note: period ended January 31. REUTER\n&#3;"
      "</BODY></TEXT></REUTERS>");
  ASSERT_THAT(a, IsOk());
  ASSERT_EQ(a->paragraphs_size(), 2);
  // "March 2 -" runs into the body without a space in the record.
  EXPECT_EQ(Text(*a, a->paragraphs(0)), "NEW YORK, March 2 - The exchange said.");
  EXPECT_EQ(Text(*a, a->dateline().span()), "NEW YORK, March 2 -");
  EXPECT_EQ(Text(*a, a->paragraphs(1)), "Note: period ended January 31.");
}

TEST(ParseReutersDateTest, CorpusVariants) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_THAT(ParseReutersDate("26-FEB-1987 15:01:01.79"),
              Optional(absl::FromCivil(absl::CivilSecond(1987, 2, 26, 15, 1, 1), utc) +
                       absl::Milliseconds(790)));
  EXPECT_THAT(ParseReutersDate("  3-MAR-1987 00:43:42.82"),
              Optional(absl::FromCivil(absl::CivilSecond(1987, 3, 3, 0, 43, 42), utc) +
                       absl::Milliseconds(820)));
  EXPECT_THAT(ParseReutersDate(" 7-APR-1987 16:22:00.0"),
              Optional(absl::FromCivil(absl::CivilSecond(1987, 4, 7, 16, 22, 0), utc)));
  // Trailing junk (control characters and letters in the corpus) is ignored.
  EXPECT_THAT(ParseReutersDate("27-MAR-1987 00:02:59.13RM"),
              Optional(absl::FromCivil(absl::CivilSecond(1987, 3, 27, 0, 2, 59), utc) +
                       absl::Milliseconds(130)));
  EXPECT_EQ(ParseReutersDate("31-MAR-1987 605:12:19.12"), std::nullopt);
  EXPECT_EQ(ParseReutersDate("30-FEB-1987 10:00:00.00"), std::nullopt);
  EXPECT_EQ(ParseReutersDate("26-FOO-1987 10:00:00.00"), std::nullopt);
  EXPECT_EQ(ParseReutersDate(""), std::nullopt);
}

TEST(DecodeCharacterReferencesTest, NamedAndNumeric) {
  EXPECT_EQ(DecodeCharacterReferences("&lt;SRD> &amp; &quot;x&quot; &apos;"), "<SRD> & \"x\" '");
  EXPECT_EQ(DecodeCharacterReferences("&#3;&#65;&#x42;&#xe9;"), "\x03" "ABé");
  EXPECT_EQ(DecodeCharacterReferences("&#0;&#xD800;&#1114112;"), "\ufffd\ufffd\ufffd");
  // Unknown, malformed and unterminated references stay as they are.
  EXPECT_EQ(DecodeCharacterReferences("AT&T; &nbsp; &#x; &#12a; R&D &"),
            "AT&T; &nbsp; &#x; &#12a; R&D &");
}

TEST(SplitIndentedParagraphsTest, IndentationAndBlankLinesStartParagraphs) {
  EXPECT_THAT(SplitIndentedParagraphs("First line\nwraps here.\n    Second starts\nand wraps.\n"
                                      "\nThird after blank.\n Reuter\n"),
              ElementsAre("First line wraps here.", "Second starts and wraps.",
                          "Third after blank.", "Reuter"));
  EXPECT_THAT(SplitIndentedParagraphs(" \n\n"), IsEmpty());
}

}  // namespace
}  // namespace newsd::stages
