// Golden test: the product's seed article through decode → segment → language, run
// by the real Chain with the stages from the registry (as the daemon does).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/chain.h"
#include "stages/common/spans.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd {
namespace {

using ::newsd::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::IsEmpty;

std::unique_ptr<Chain> DefaultChain() {
  google::protobuf::RepeatedPtrField<v1::StageConfig> stages;
  for (const char* name : {"decode", "segment", "language"}) stages.Add()->set_name(name);
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(stages);
  EXPECT_THAT(chain, IsOk());
  return chain.ok() ? *std::move(chain) : nullptr;
}

std::string Text(const v1::Article& a, const v1::Span& span) {
  absl::StatusOr<absl::string_view> t = stages::SpanText(a.text(), span);
  return t.ok() ? std::string(*t) : absl::StrCat("<", t.status().ToString(), ">");
}

TEST(SeedGoldenTest, DecodeSegmentLanguage) {
  absl::StatusOr<std::string> seed =
      newsd::testing::ReadFile(newsd::testing::CorpusPath("seed/lavrov-syria-2013.txt"));
  ASSERT_THAT(seed, IsOk());
  std::unique_ptr<Chain> chain = DefaultChain();
  ASSERT_NE(chain, nullptr);

  RawMessage message;
  message.topic = "news.raw";
  message.partition = 0;
  message.offset = 7;
  message.timestamp = absl::FromUnixSeconds(1379000000);  // later than published-at
  message.value = *seed;
  message.headers = {{"published-at", "2013-09-12T12:00:00Z"},
                     {"content-type", "text/plain; charset=utf-8"}};
  const ChainResult result = chain->Run(message, absl::Now());
  ASSERT_FALSE(result.failure.has_value())
      << result.failure->stage << ": " << result.failure->status;
  const v1::Article& a = result.event.article();

  // decode
  EXPECT_EQ(a.id(), "news.raw/0/7");
  EXPECT_EQ(a.format(), v1::FORMAT_PLAIN_TEXT);
  EXPECT_EQ(Text(a, a.headline()), seed->substr(0, seed->find('\n')));
  EXPECT_EQ(Text(a, a.headline()),
            "Russian Foreign Minister Sergey Lavrov said Thursday there is a chance of "
            "peace in Syria which cannot be missed, calling for for maximum efforts in "
            "order to get out of the storm.");
  ASSERT_EQ(a.paragraphs_size(), 10);
  EXPECT_EQ(a.paragraphs(9).end(), 2387u);
  EXPECT_EQ(a.published_at().seconds(), 1378987200);  // 2013-09-12T12:00:00Z, the header
  EXPECT_EQ(a.published_at().nanos(), 0);
  EXPECT_THAT(a.flags(), IsEmpty());

  // language
  EXPECT_EQ(a.language(), "en");
  EXPECT_THAT(a.language_confidence(), FloatNear(0.99f, 0.005f));

  // segment: 13 sentences, checked by hand: one each for the headline and
  // paragraphs 1, 3-8 and 10; two each for paragraphs 2 and 9.
  ASSERT_EQ(a.sentences_size(), 13);
  std::vector<std::string> sentences;
  for (const v1::Span& s : a.sentences()) sentences.push_back(Text(a, s));
  EXPECT_EQ(sentences[0], Text(a, a.headline()));
  EXPECT_EQ(sentences[2],
            "\"I'm positive there is a chance for peace in Syria, and it cannot be missed.");
  EXPECT_EQ(a.sentences(2).begin(), 421u);
  EXPECT_EQ(a.sentences(2).end(), 497u);
  EXPECT_EQ(sentences[3],
            "Tomorrow we’ll discuss this issue with Secretary of State John Kerry,” Lavrov "
            "said after meeting his Kazakh counterpart in Astana.");
  EXPECT_EQ(a.sentences(3).begin(), 498u);
  EXPECT_EQ(a.sentences(3).end(), 628u);
  EXPECT_EQ(sentences[7],
            "“It is necessary ensure Syria’s adherence to the Organization for the "
            "Prohibition of Chemical Weapons, which would entail a declaration of Syria’s "
            "chemical weapons storage sites and the disclosure of its chemical [weapons] "
            "program,\" he said.");
  EXPECT_EQ(sentences[11],
            "Syria would also be expected to join the Organization for the Prohibition of "
            "Chemical Weapons.");
  EXPECT_EQ(a.sentences(11).begin(), 2121u);
  EXPECT_EQ(a.sentences(11).end(), 2215u);
  EXPECT_EQ(a.sentences(12).end(), 2387u);

  // Every sentence lies inside the headline or one paragraph, in order, trimmed,
  // and never ends on an abbreviation.
  std::vector<v1::Span> units = {a.headline()};
  units.insert(units.end(), a.paragraphs().begin(), a.paragraphs().end());
  uint32_t previous_end = 0;
  for (int i = 0; i < a.sentences_size(); ++i) {
    const v1::Span& s = a.sentences(i);
    SCOPED_TRACE(absl::StrCat("sentence ", i, ": ", sentences[i]));
    EXPECT_GE(s.begin(), previous_end);
    EXPECT_LT(s.begin(), s.end());
    previous_end = s.end();
    int containing = 0;
    for (const v1::Span& u : units) containing += u.begin() <= s.begin() && s.end() <= u.end();
    EXPECT_EQ(containing, 1);
    EXPECT_NE(sentences[i].front(), ' ');
    EXPECT_NE(sentences[i].back(), ' ');
    for (const char* abbreviation : {"U.S.", "Sept.", "Mr.", "Mrs.", "Gen.", "Jan.", "Dr.",
                                     "Sen.", "Gov.", " F."}) {
      EXPECT_FALSE(absl::EndsWith(sentences[i], abbreviation)) << abbreviation;
    }
  }

  // The event records every stage, in order.
  ASSERT_EQ(result.event.stages_size(), 3);
  EXPECT_EQ(result.event.stages(0).stage(), "decode");
  EXPECT_EQ(result.event.stages(1).stage(), "segment");
  EXPECT_EQ(result.event.stages(2).stage(), "language");
}

TEST(SeedGoldenTest, KafkaTimestampIsTheFallbackPublicationTime) {
  absl::StatusOr<std::string> seed =
      newsd::testing::ReadFile(newsd::testing::CorpusPath("seed/lavrov-syria-2013.txt"));
  ASSERT_THAT(seed, IsOk());
  std::unique_ptr<Chain> chain = DefaultChain();
  ASSERT_NE(chain, nullptr);
  RawMessage message;
  message.value = *seed;
  message.key = "seed.txt";
  message.timestamp = absl::FromUnixSeconds(1379000000);
  const ChainResult result = chain->Run(message, absl::Now());
  ASSERT_FALSE(result.failure.has_value());
  EXPECT_EQ(result.event.article().published_at().seconds(), 1379000000);
  EXPECT_EQ(result.event.article().id(), "seed.txt");
}

TEST(SeedGoldenTest, ReutersRecordThroughTheChain) {
  absl::StatusOr<std::string> sgm = newsd::testing::ReadFile(
      newsd::testing::CorpusPath("reuters21578/original/reut2-000.sgm.gz"));
  ASSERT_THAT(sgm, IsOk());
  std::unique_ptr<Chain> chain = DefaultChain();
  ASSERT_NE(chain, nullptr);
  RawMessage message;
  message.value = newsd::testing::SplitReutersRecords(*sgm).at(0);
  const ChainResult result = chain->Run(message, absl::Now());
  ASSERT_FALSE(result.failure.has_value());
  const v1::Article& a = result.event.article();
  EXPECT_EQ(a.id(), "reuters21578-1");
  EXPECT_EQ(a.language(), "en");
  EXPECT_EQ(a.published_at().seconds(), 541350061);  // 1987-02-26T15:01:01.79Z
  ASSERT_GE(a.sentences_size(), 3);
  EXPECT_EQ(Text(a, a.sentences(0)), "BAHIA COCOA REVIEW");
  // The dateline "SALVADOR, Feb 26 -" is in no sentence.
  EXPECT_EQ(Text(a, a.dateline().span()), "SALVADOR, Feb 26 -");
  EXPECT_EQ(Text(a, a.sentences(1)),
            "Showers continued throughout the week in the Bahia cocoa "
            "zone, alleviating the drought since early January and improving prospects for "
            "the coming temporao, although normal humidity levels have not been restored, "
            "Comissaria Smith said in its weekly review.");
  // "Destinations were the U.S., Covertible currency areas, Uruguay and open ports."
  int us_sentences = 0;
  for (const v1::Span& s : a.sentences()) {
    const std::string t = Text(a, s);
    us_sentences += absl::StartsWith(t, "Destinations were the U.S.,");
    EXPECT_FALSE(absl::EndsWith(t, "U.S.")) << t;
  }
  EXPECT_EQ(us_sentences, 1);
}

TEST(SeedGoldenTest, RejectedMessagesNameStageAndReason) {
  std::unique_ptr<Chain> chain = DefaultChain();
  ASSERT_NE(chain, nullptr);
  // A tombstone is not an article: skipped, not rejected.
  RawMessage tombstone;
  tombstone.value_is_null = true;
  ChainResult result = chain->Run(tombstone, absl::Now());
  EXPECT_FALSE(result.failure.has_value());
  EXPECT_TRUE(result.all_skipped);
  ASSERT_EQ(result.skipped.size(), 1u);
  EXPECT_EQ(result.skipped[0].stage, "decode");
  EXPECT_EQ(result.skipped[0].kind, "tombstone");
  EXPECT_EQ(result.skipped[0].reason, "null value (tombstone)");

  RawMessage truncated;
  truncated.value = "<REUTERS NEWID=\"1\"><DATE>26-FEB-1987 15:01:01.79</DATE><TEXT>";
  result = chain->Run(truncated, absl::Now());
  ASSERT_TRUE(result.failure.has_value());
  EXPECT_EQ(result.failure->status,
            absl::InvalidArgumentError("truncated Reuters SGML record: no </REUTERS>"));
  ASSERT_EQ(result.event.stages_size(), 1);  // the chain stopped at decode
}

}  // namespace
}  // namespace newsd
