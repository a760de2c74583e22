// A mixed stream through the real broker: one item of every supported format (plain
// text, Reuters SGML, NITF, NewsML-G2 newsMessage with two items, NewsML 1.2,
// ninjs, HTML, RSS with two items, Atom), invalid UTF-8, an XML entity bomb and
// malformed JSON. Each good item must come out as its event(s) with the right
// format and headline, fan-out included; the hostile ones as dead letters with
// their reason; the daemon must survive all of it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/cli_tools.h"

namespace newsd {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::string Bootstrap() {
  const char* b = std::getenv("NEWSD_KAFKA_BOOTSTRAP");
  return b ? b : "127.0.0.1:19092";
}

std::string Corpus(const std::string& relative) {
  absl::StatusOr<std::string> bytes =
      ReadFileBytes(std::string(NEWSD_CORPUS_DIR) + "/" + relative);
  EXPECT_TRUE(bytes.ok()) << relative;
  return bytes.value_or("");
}

struct Item {
  std::string key;
  std::string value;
  std::string content_type;  // "" for none
  // Expected: the events' (format, headline) in order, or the dead-letter reason.
  std::vector<std::pair<v1::Format, std::string>> events;
  std::string dead_letter_reason;
};

std::vector<Item> MixedStream() {
  std::vector<Item> items;
  const std::string reuters = SplitReutersRecords(
      Corpus("reuters21578/original/reut2-000.sgm.gz")).front();
  items.push_back({"plain", Corpus("seed/lavrov-syria-2013.txt"), "",
                   {{v1::FORMAT_PLAIN_TEXT,
                     "Russian Foreign Minister Sergey Lavrov said Thursday there is a chance of "
                     "peace in Syria which cannot be missed, calling for for maximum efforts in "
                     "order to get out of the storm."}}, ""});
  items.push_back({"reuters", reuters, "",
                   {{v1::FORMAT_REUTERS_SGML, "BAHIA COCOA REVIEW"}}, ""});
  items.push_back({"nitf", Corpus("iptc/nitf/nitf-example-3.4.xml"), "application/nitf+xml",
                   {{v1::FORMAT_NITF, "Weather and Tide Updates for Norfolk"}}, ""});
  items.push_back({"newsml-g2",
                   R"(<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
<newsItem guid="urn:it:g2:1" version="1"><contentMeta><headline>First item</headline></contentMeta>
<contentSet><inlineXML><html xmlns="http://www.w3.org/1999/xhtml"><body><p>One.</p></body></html></inlineXML></contentSet></newsItem>
<newsItem guid="urn:it:g2:2" version="1"><contentMeta><headline>Second item</headline></contentMeta></newsItem>
</itemSet></newsMessage>)",
                   "application/vnd.iptc.g2.newsmessage+xml",
                   {{v1::FORMAT_NEWSML_G2, "First item"}, {v1::FORMAT_NEWSML_G2, "Second item"}},
                   ""});
  items.push_back({"newsml-1", Corpus("iptc/newsml-1.2/businesswire-newsml-20130731006140.xml"), "",
                   {{v1::FORMAT_NEWSML_1, "Lunch Taking a Toll? Let Applebee\u2019s\u00ae "
                                          "Industrial Strength Lunch Decoy Stand In"}}, ""});
  items.push_back({"ninjs", Corpus("iptc/ninjs/examples/3.0/dpa_text.json"), "application/ninjs+json",
                   {{v1::FORMAT_NINJS, "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?"}},
                   ""});
  items.push_back({"html",
                   "<html><head><meta charset=\"iso-8859-1\"><title>Caf\xE9 news</title></head>"
                   "<body><nav>Menu</nav><article><p>Le caf\xE9 est ouvert.</p></article></body></html>",
                   "text/html", {{v1::FORMAT_HTML, "Caf\u00e9 news"}}, ""});
  items.push_back({"rss",
                   "<rss version=\"2.0\"><channel><title>Wire</title>"
                   "<item><title>RSS one</title><guid>rss-1</guid><description>A.</description></item>"
                   "<item><title>RSS two</title><guid>rss-2</guid><description>B.</description></item>"
                   "</channel></rss>",
                   "", {{v1::FORMAT_RSS, "RSS one"}, {v1::FORMAT_RSS, "RSS two"}}, ""});
  items.push_back({"atom",
                   "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>F</title><entry><title>Atom "
                   "entry</title><id>urn:it:atom:1</id><content>Text.</content></entry></feed>",
                   "application/atom+xml", {{v1::FORMAT_ATOM, "Atom entry"}}, ""});
  items.push_back({"bad-utf8", "Headline\nBody with \xff\xfe bytes \xc3\x28 here\n", "",
                   {{v1::FORMAT_PLAIN_TEXT, "Headline"}}, ""});
  items.push_back({"entity-bomb",
                   "<?xml version=\"1.0\"?><!DOCTYPE nitf [<!ENTITY a \"aaaaaaaaaa\">"
                   "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><nitf><body>&b;</body></nitf>",
                   "", {}, "XML entity declaration <!ENTITY a> rejected"});
  items.push_back({"bad-json", "{\"uri\": \"x\", \"headline\": ", "application/ninjs+json", {},
                   "ninjs: invalid JSON"});
  return items;
}

pid_t StartDaemon(const std::string& config, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    const std::string bin = std::string(NEWSD_BINARY_DIR) + "/newsd";
    execl(bin.c_str(), bin.c_str(), "run", "--config", config.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

TEST(FormatsIntegrationTest, MixedStreamOfEveryFormat) {
  const std::string run = absl::StrCat(getpid(), "-", absl::ToUnixMillis(absl::Now()));
  const std::string in = "it.formats.raw." + run, out = "it.formats.events." + run,
                    dlq = "it.formats.dlq." + run;
  const std::vector<Item> items = MixedStream();
  std::vector<OutboundMessage> messages;
  size_t expected_records = 0;
  for (const Item& item : items) {
    OutboundMessage m;
    m.topic = in;
    m.key = item.key;
    m.value = item.value;
    if (!item.content_type.empty()) m.headers.push_back({"content-type", item.content_type});
    messages.push_back(std::move(m));
    expected_records += item.events.empty() ? 1 : item.events.size();
  }
  std::vector<Position> positions;
  ASSERT_TRUE(ProduceAll(Bootstrap(), messages, absl::Seconds(60), &positions).ok());
  std::map<std::pair<int32_t, int64_t>, size_t> index;
  for (size_t i = 0; i < positions.size(); ++i) {
    index[{positions[i].partition, positions[i].offset}] = i;
  }

  const std::string dir = ::testing::TempDir();
  const std::string config = dir + "/newsd-formats-" + run + ".textproto";
  const std::string log = dir + "/newsd-formats-" + run + ".log";
  std::ofstream(config) << "kafka { brokers: \"" << Bootstrap() << "\" group_id: \"it-formats-"
                        << run << "\" input_topics: \"" << in << "\" output_topic: \"" << out
                        << "\" dead_letter_topic: \"" << dlq << "\" }\n"
                        << "metrics_address: \"\"\nshutdown_timeout_ms: 20000\n";
  const pid_t daemon = StartDaemon(config, log);

  // The daemon creates the output topics when it first writes: read them from the
  // beginning until every expected record is there (or the deadline passes).
  std::map<size_t, std::vector<v1::Article>> events;  // input index → events, in order
  std::map<size_t, std::string> dead;                 // input index → reason
  size_t records = 0;
  absl::Status consumed;
  const absl::Time deadline = absl::Now() + absl::Seconds(150);
  while (records < expected_records && absl::Now() < deadline) {
    events.clear();
    dead.clear();
    records = 0;
    consumed = ConsumeAll(
        Bootstrap(), {out, dlq}, expected_records, absl::Seconds(5),
        [&](const ConsumedRecord& r) {
          if (r.topic == out && !r.value) return;  // tombstone of a retracted story
          ++records;
          if (r.topic == out) {
            v1::ArticleEvent e;
            ASSERT_TRUE(e.ParseFromString(*r.value));
            auto it = index.find({e.article().source().partition(), e.article().source().offset()});
            ASSERT_NE(it, index.end());
            events[it->second].push_back(e.article());
            return;
          }
          int32_t p = 0;
          int64_t o = 0;
          for (const auto& [k, v] : r.headers) {
            if (k == "__connect.errors.partition") {
              ASSERT_TRUE(absl::SimpleAtoi(v, &p));
            } else if (k == "__connect.errors.offset") {
              ASSERT_TRUE(absl::SimpleAtoi(v, &o));
            }
          }
          for (const auto& [k, v] : r.headers) {
            if (k == "__connect.errors.exception.message") dead[index.at({p, o})] = v;
          }
        });
  }
  kill(daemon, SIGTERM);
  int status = 0;
  waitpid(daemon, &status, 0);
  ASSERT_TRUE(consumed.ok()) << consumed;
  EXPECT_EQ(records, expected_records) << "see " << log;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "see " << log;

  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    SCOPED_TRACE(item.key);
    if (!item.dead_letter_reason.empty()) {
      EXPECT_EQ(events.count(i), 0u);
      EXPECT_THAT(dead[i], HasSubstr(item.dead_letter_reason));
      continue;
    }
    EXPECT_EQ(dead.count(i), 0u) << dead[i];
    const std::vector<v1::Article>& got = events[i];
    ASSERT_EQ(got.size(), item.events.size());
    for (size_t k = 0; k < got.size(); ++k) {
      const v1::Article& a = got[k];
      EXPECT_EQ(a.format(), item.events[k].first);
      EXPECT_EQ(a.text().substr(0, a.headline().end() > 0 ? item.events[k].second.size() : 0),
                item.events[k].second);
    }
  }
  // Fan-out keeps the items' own ids; invalid UTF-8 is replaced and flagged.
  std::vector<std::string> g2_ids;
  for (const v1::Article& a : events[3]) g2_ids.push_back(a.id());
  EXPECT_THAT(g2_ids, UnorderedElementsAre("urn:it:g2:1", "urn:it:g2:2"));
  ASSERT_EQ(events[9].size(), 1u);
  EXPECT_THAT(events[9][0].flags(), Contains("invalid_utf8_replaced"));
  EXPECT_EQ(events[9][0].text(), "Headline\n\nBody with \uFFFD\uFFFD bytes \uFFFD( here");
  ASSERT_EQ(events[4].size(), 1u);
  EXPECT_EQ(events[4][0].dateline().place(), "KANSAS CITY, Mo.");
}

}  // namespace
}  // namespace newsd
