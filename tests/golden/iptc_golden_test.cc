// Golden tests over every IPTC sample in ../shared/corpus/iptc: the decode stage
// alone (no later stages), as the engine runs it (fan-out enabled).
//
//  * Examples (NITF, NewsML-G2, NewsML 1.2, ninjs): headline, guid, version,
//    pub_status, dateline, the start of the first paragraph, or the exact
//    rejection reason, or the kind of a file that is not an article (skipped), for
//    each file.
//  * Schema test suites (NewsML-G2 unit_test_files, ninjs test_suite, should_pass
//    and should_fail): every file is decoded without crashing; its outcome (the
//    headline start, the status code and reason, or SKIPPED and the kind for an
//    input that is not an article) must match iptc_outcomes.tsv.
//    Run with NEWSD_GOLDEN_PRINT=1 to print the current outcomes in that format.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"
#include "stages/decode/decode.h"
#include "tests/stages/testing/corpus.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::CorpusPath;
using ::newsd::testing::ReadFile;
using ::testing::Contains;

struct Decoded {
  absl::Status status;
  std::vector<v1::Article> articles;  // the first, then the fanned-out ones
  std::vector<absl::Status> skipped_items;  // items that are not articles
};

Decoded DecodeFile(const std::string& relative) {
  Decoded out;
  absl::StatusOr<std::string> bytes = ReadFile(CorpusPath(relative));
  if (!bytes.ok()) {
    out.status = bytes.status();
    return out;
  }
  v1::Article article;
  article.set_id(relative);
  std::vector<v1::Article> more;
  StageContext ctx;
  ctx.payload = *bytes;
  ctx.more_articles = &more;
  ctx.skipped_items = &out.skipped_items;
  out.status = DecodeStage(DecodeOptions{}).Process(article, ctx);
  if (out.status.ok()) {
    out.articles.push_back(std::move(article));
    for (v1::Article& a : more) out.articles.push_back(std::move(a));
  }
  return out;
}

std::string SpanOf(const v1::Article& a, const v1::Span& s) {
  absl::StatusOr<absl::string_view> t = SpanText(a.text(), s);
  return t.ok() ? std::string(*t) : "<bad span>";
}

std::string FirstParagraph(const v1::Article& a) {
  return a.paragraphs_size() > 0 ? SpanOf(a, a.paragraphs(0)) : "";
}

// Up to `n` code points of `s`.
std::string Prefix(const std::string& s, size_t n) {
  return std::string(CodePointSubstr(s, 0, std::min(n, CountCodePoints(s))).value_or(""));
}

struct Example {
  const char* path;
  const char* headline;
  const char* guid;
  uint32_t version;
  v1::PubStatus pub_status;
  const char* dateline_place;
  const char* dateline_agency;
  const char* first_paragraph_start;  // "" when the item has no body
  const char* error;                  // non-empty: the expected rejection reason
  const char* skipped_kind = "";      // non-empty: not an article, skipped (NotAnArticle)
};

constexpr auto kUsable = v1::PUB_STATUS_USABLE;
constexpr auto kNone = v1::PUB_STATUS_UNSPECIFIED;

// clang-format off
const Example kExamples[] = {
#include "tests/golden/iptc_examples.inc"
};
// clang-format on

TEST(IptcGoldenTest, EveryExampleFileIsListed) {
  size_t files = 0;
  for (const char* dir : {"iptc/nitf", "iptc/newsml-g2/examples", "iptc/newsml-1.2",
                          "iptc/ninjs/examples/1.4", "iptc/ninjs/examples/2.1",
                          "iptc/ninjs/examples/3.0"}) {
    for (const auto& e : std::filesystem::directory_iterator(CorpusPath(dir))) {
      const std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".xml" || ext == ".json")) ++files;
    }
  }
  EXPECT_EQ(files, std::size(kExamples));
}

TEST(IptcGoldenTest, Examples) {
  for (const Example& ex : kExamples) {
    SCOPED_TRACE(ex.path);
    const Decoded d = DecodeFile(ex.path);
    if (*ex.skipped_kind != '\0') {
      EXPECT_TRUE(IsNotAnArticle(d.status)) << d.status;
      EXPECT_EQ(NotAnArticleKind(d.status), ex.skipped_kind);
      continue;
    }
    if (*ex.error != '\0') {
      EXPECT_EQ(d.status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(d.status.message(), ex.error);
      continue;
    }
    ASSERT_TRUE(d.status.ok()) << d.status;
    const v1::Article& a = d.articles.front();
    EXPECT_EQ(SpanOf(a, a.headline()), ex.headline);
    EXPECT_EQ(a.wire().guid(), ex.guid);
    EXPECT_EQ(a.wire().version(), ex.version);
    EXPECT_EQ(a.wire().pub_status(), ex.pub_status);
    EXPECT_EQ(a.dateline().place(), ex.dateline_place);
    EXPECT_EQ(a.dateline().agency(), ex.dateline_agency);
    EXPECT_EQ(Prefix(FirstParagraph(a), 70), ex.first_paragraph_start);
    if (!a.wire().guid().empty()) EXPECT_EQ(a.id(), a.wire().guid());
  }
}

// Field-level checks beyond the table, one per format.
TEST(IptcGoldenTest, NitfUpdateCancelsThePreviousRelease) {
  for (const char* v : {"3.3", "3.4", "3.5"}) {
    SCOPED_TRACE(v);
    const Decoded d = DecodeFile(absl::StrCat("iptc/nitf/nitf-example-", v, ".xml"));
    ASSERT_TRUE(d.status.ok()) << d.status;
    const v1::Article& a = d.articles.front();
    EXPECT_EQ(a.format(), v1::FORMAT_NITF);
    EXPECT_EQ(a.wire().previous_guid(), "iptc.321656141.a");
    EXPECT_EQ(a.wire().previous_status(), v1::PUB_STATUS_CANCELED);
    EXPECT_EQ(a.wire().urgency(), 3u);
    EXPECT_EQ(a.wire().provider(), "iptc.org");
    EXPECT_EQ(a.wire().located(), "Norfolk, VA, US");
    EXPECT_THAT(a.wire().subjects(),
                ::testing::ElementsAre("subj:17000000", "subj:17004000", "subj:04001002"));
    EXPECT_THAT(a.wire().keywords(), ::testing::ElementsAre("fishing", "lures", "tides"));
    EXPECT_THAT(a.wire().scopes(), ::testing::ElementsAre("Midlantic States"));
    EXPECT_THAT(a.wire().identified_content(), ::testing::ElementsAre("location:23602"));
    // date.issue 20020225T143000-0500, date.release 20020226T093000-0500.
    EXPECT_EQ(a.wire().version_created().seconds(), 1014665400);
    EXPECT_EQ(a.wire().embargo_until().seconds(), 1014733800);
    EXPECT_EQ(a.published_at().seconds(), 1014733800);
    EXPECT_EQ(a.byline_text(), "By Alan Karben, NITF Network News Online");
    EXPECT_THAT(a.credits(), ::testing::ElementsAre("Stewart Klometers contributed to this article."));
    // Tables and media captions are not text; the sub-heading is a paragraph.
    EXPECT_EQ(a.text().find("Oceanview 31"), std::string::npos);
    EXPECT_NE(a.text().find("\n\nThe Tides are High\n\n"), std::string::npos);
    EXPECT_EQ(SpanOf(a, a.paragraphs(a.paragraphs_size() - 1)), "Happy fishing everybody!");
  }
}

TEST(IptcGoldenTest, NewsMlG2ItemMetadata) {
  const Decoded d = DecodeFile("iptc/newsml-g2/examples/LISTING_1_A_NewsML-G2_News_Item.xml");
  ASSERT_TRUE(d.status.ok()) << d.status;
  const v1::Article& a = d.articles.front();
  EXPECT_EQ(a.wire().provider(), "REUTERS");
  EXPECT_EQ(a.wire().slugline(), "US-Finance-Fed");
  EXPECT_EQ(a.wire().declared_language(), "en-GB");
  EXPECT_EQ(a.wire().located(), "Berlin, Germany");
  EXPECT_THAT(a.wire().subjects(), ::testing::ElementsAre("medtop:04000000", "medtop:20000523"));
  EXPECT_THAT(a.wire().signals(), ::testing::ElementsAre("sig:update"));
  EXPECT_THAT(a.wire().scopes(), ::testing::ElementsAre("UK News Service"));
  // embargoed 2018-10-23T12:00:00Z; versionCreated 2018-10-21T16:25:32-05:00.
  EXPECT_EQ(a.wire().embargo_until().seconds(), 1540296000);
  EXPECT_EQ(a.wire().version_created().seconds(), 1540157132);
  EXPECT_EQ(a.published_at().seconds(), 1540157132);
  EXPECT_EQ(a.byline_text(), "Meredith Jameson");
  EXPECT_THAT(a.flags(), Contains("body_empty"));

  // Inline NITF body: its byline is used when the item has no <by>.
  const Decoded nitf = DecodeFile("iptc/newsml-g2/examples/LISTING_2_NewsML-G2_Text_Document.xml");
  ASSERT_TRUE(nitf.status.ok());
  EXPECT_EQ(nitf.articles.front().paragraphs_size(), 2);
  EXPECT_EQ(nitf.articles.front().wire().located(), "New York, NY");
}

TEST(IptcGoldenTest, NewsMl1AndNinjsOfTheSameReleaseAgree) {
  const Decoded newsml = DecodeFile("iptc/newsml-1.2/businesswire-newsml-20130515006361.xml");
  const Decoded ninjs = DecodeFile("iptc/ninjs/examples/1.4/businesswire-newsml-20130515006361.json");
  ASSERT_TRUE(newsml.status.ok()) << newsml.status;
  ASSERT_TRUE(ninjs.status.ok()) << ninjs.status;
  const v1::Article& a = newsml.articles.front();
  const v1::Article& b = ninjs.articles.front();
  EXPECT_EQ(a.format(), v1::FORMAT_NEWSML_1);
  EXPECT_EQ(b.format(), v1::FORMAT_NINJS);
  EXPECT_EQ(SpanOf(a, a.headline()), SpanOf(b, b.headline()));
  EXPECT_EQ(FirstParagraph(a), FirstParagraph(b));
  // The source has "worldâ€™s" (UTF-8 read as windows-1252): repaired in both.
  EXPECT_NE(FirstParagraph(a).find("world\u2019s most powerful"), std::string::npos);
  EXPECT_THAT(a.flags(), Contains("mojibake_repaired"));
  EXPECT_THAT(b.flags(), Contains("mojibake_repaired"));
  EXPECT_EQ(a.wire().slugline(), "TX-DELL");
  EXPECT_EQ(a.wire().provider(), "Business Wire");
  EXPECT_EQ(a.wire().declared_language(), "en");
  EXPECT_EQ(a.wire().version_created().seconds(), 1368676860);  // 20130516T040100+0000
  EXPECT_EQ(b.wire().version_created().seconds(), 1368676860);
}

TEST(IptcGoldenTest, NinjsThreeUsesCamelCaseAndBodies) {
  const Decoded d = DecodeFile("iptc/ninjs/examples/3.0/dpa_text.json");
  ASSERT_TRUE(d.status.ok()) << d.status;
  const v1::Article& a = d.articles.front();
  EXPECT_EQ(a.wire().urgency(), 4u);
  EXPECT_EQ(a.wire().declared_language(), "de");
  EXPECT_EQ(a.byline_text(), "Von Christian Hollmann, dpa");
  EXPECT_EQ(a.wire().version_created().seconds(), 1557496948);  // 2019-05-10T16:02:28+02:00
  EXPECT_EQ(a.paragraphs_size(), 9);
}

// ---- Schema test suites: robustness --------------------------------------------

std::vector<std::string> SuiteFiles() {
  std::vector<std::string> files;
  for (const char* dir : {"iptc/newsml-g2/unit_test_files", "iptc/ninjs/test_suite"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(CorpusPath(dir))) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".xml" && ext != ".json")) continue;
      files.push_back(std::filesystem::relative(e.path(), CorpusPath("")).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "OK\t<headline, 40 code points>", "SKIPPED\t<kind>" (not an article) or
// "<CODE>\t<reason, 60 code points>"; " (+N skipped)" after an OK headline when N
// items of the message are not articles.
std::string Outcome(const Decoded& d) {
  if (IsNotAnArticle(d.status)) {
    std::string out = absl::StrCat("SKIPPED\t", NotAnArticleKind(d.status));
    if (!d.skipped_items.empty()) absl::StrAppend(&out, " (+", d.skipped_items.size(), ")");
    return out;
  }
  if (!d.status.ok()) {
    return absl::StrCat(absl::StatusCodeToString(d.status.code()), "\t",
                        Prefix(std::string(d.status.message()), 60));
  }
  const v1::Article& a = d.articles.front();
  std::string out = absl::StrCat("OK\t", Prefix(SpanOf(a, a.headline()), 40));
  if (!d.skipped_items.empty()) absl::StrAppend(&out, " (+", d.skipped_items.size(), " skipped)");
  return out;
}

TEST(IptcGoldenTest, SchemaTestSuitesDecodeOrFailWithAReason) {
  const bool print = std::getenv("NEWSD_GOLDEN_PRINT") != nullptr;
  std::map<std::string, std::string> expected;
  std::ifstream tsv(std::string(NEWSD_SOURCE_DIR) + "/tests/golden/iptc_outcomes.tsv");
  for (std::string line; std::getline(tsv, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('\t', 1));
    expected[kv.first] = kv.second;
  }
  size_t ok = 0, rejected = 0, skipped = 0;
  for (const std::string& file : SuiteFiles()) {
    const Decoded d = DecodeFile(file);
    const std::string outcome = Outcome(d);
    if (print) std::cout << file << "\t" << outcome << "\n";
    EXPECT_EQ(outcome, expected[file]) << file;
    // Only bad input is rejected: never a crash, never an internal error.
    EXPECT_TRUE(d.status.ok() || d.status.code() == absl::StatusCode::kInvalidArgument) << file;
    (d.status.ok() ? ok : IsNotAnArticle(d.status) ? skipped : rejected)++;
  }
  EXPECT_EQ(ok + rejected + skipped, expected.size());
  std::cout << "schema suites: " << ok << " decoded, " << skipped << " skipped (not articles), "
            << rejected << " rejected\n";
}

}  // namespace
}  // namespace newsd::stages
