// Golden test: the seed article through the default chain of DefaultConfig(),
// which ends with the quotes and times stages (issue 5): every quote of Sergey Lavrov with its speaker, entity,
// cue, kind and offsets, and the dates resolved against the publication time.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/chain.h"
#include "pipeline/config.h"
#include "stages/common/spans.h"
#include "stages/common/unicode.h"
#include "tests/stages/testing/corpus.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd {
namespace {

using ::newsd::testing::IsOk;

// The event the default chain of DefaultConfig() (which ends with quotes and
// times) makes of the raw seed, published 2013-09-12T12:00:00Z.
v1::Article RunDefaultConfigChain(const std::string& raw) {
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(DefaultConfig().stages());
  EXPECT_THAT(chain, IsOk());
  if (!chain.ok()) return {};
  RawMessage message;
  message.topic = "news.raw";
  message.value = raw;
  message.headers = {{"published-at", "2013-09-12T12:00:00Z"}};
  ChainResult result = (*chain)->Run(message, absl::Now());
  if (result.failure.has_value()) {
    ADD_FAILURE() << result.failure->stage << ": " << result.failure->status;
  }
  return result.event.article();
}

std::string Describe(const v1::Article& a) {
  std::string out;
  for (const v1::Quote& q : a.quotes()) {
    absl::StrAppend(&out, "[", q.begin(), ",", q.end(), ") ", v1::QuoteKind_Name(q.kind()),
                    " speaker='", q.speaker(), "' id=", q.speaker_entity_id(), " cue='",
                    q.cue(), "' ", q.text().substr(0, 40), "\n");
  }
  for (const v1::TimeExpression& t : a.times()) {
    absl::StrAppend(&out, "[", t.begin(), ",", t.end(), ") ", t.type(), " ", t.value(),
                    " '", t.text(), "' anchor=", t.anchor(), "\n");
  }
  return out;
}

class QuotesTimesGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> seed =
        newsd::testing::ReadFile(newsd::testing::CorpusPath("seed/lavrov-syria-2013.txt"));
    ASSERT_THAT(seed, IsOk());
    article_ = RunDefaultConfigChain(*seed);
  }

  // The quote whose text starts with `prefix`, or nullptr.
  const v1::Quote* FindQuote(absl::string_view prefix) const {
    for (const v1::Quote& q : article_.quotes()) {
      if (absl::StartsWith(q.text(), prefix)) return &q;
    }
    return nullptr;
  }

  // The code point offset of the first occurrence of `needle` in the text.
  uint32_t Offset(absl::string_view needle) const {
    const size_t byte = absl::string_view(article_.text()).find(needle);
    EXPECT_NE(byte, std::string::npos) << needle;
    return static_cast<uint32_t>(
        stages::CountCodePoints(absl::string_view(article_.text()).substr(0, byte)));
  }

  v1::Article article_;
};

TEST_F(QuotesTimesGoldenTest, LavrovsQuotes) {
  SCOPED_TRACE(Describe(article_));
  std::string lavrov_id;
  for (const v1::Entity& e : article_.entities()) {
    if (e.name() == "Sergey Lavrov") lavrov_id = e.id();
  }
  ASSERT_FALSE(lavrov_id.empty());
  struct Expected {
    const char* prefix;
    const char* suffix;  // the last characters of the quote text
    const char* cue;
    v1::QuoteKind kind;
  };
  const std::vector<Expected> expected = {
      {"I'm positive", "John Kerry,", "said", v1::QUOTE_KIND_DIRECT},
      {"to prevent", "entire region.", "said", v1::QUOTE_KIND_PARTIAL},
      {"gathered widespread support", "support,", "noted", v1::QUOTE_KIND_PARTIAL},
      {"the understanding", "against Syria.", "noted", v1::QUOTE_KIND_PARTIAL},
      {"have the necessary knowledge", "such issues", "said", v1::QUOTE_KIND_PARTIAL},
      {"It is necessary ensure", "weapons] program,", "said", v1::QUOTE_KIND_DIRECT},
      {"usurp", "usurp", "said", v1::QUOTE_KIND_PARTIAL},
  };
  for (const Expected& x : expected) {
    SCOPED_TRACE(x.prefix);
    const v1::Quote* q = FindQuote(x.prefix);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->speaker(), "Sergey Lavrov");
    EXPECT_EQ(q->speaker_entity_id(), lavrov_id);
    EXPECT_EQ(q->cue(), x.cue);
    EXPECT_EQ(q->kind(), x.kind);
    EXPECT_TRUE(absl::EndsWith(q->text(), x.suffix)) << q->text();
    EXPECT_FALSE(q->unclosed());
    // Offsets exclude the marks and are code points into text.
    EXPECT_EQ(q->begin(), Offset(x.prefix));
    absl::StatusOr<absl::string_view> span =
        stages::SpanText(article_.text(), stages::MakeSpan(q->begin(), q->end()));
    ASSERT_THAT(span, IsOk());
    EXPECT_EQ(*span, q->text());
  }
}

TEST_F(QuotesTimesGoldenTest, MismatchedMarksPairAndApostrophesDoNotSplit) {
  // Opened with " and closed with ”; the apostrophes of "I'm" and "we’ll" are
  // not marks.
  const v1::Quote* first = FindQuote("I'm positive");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->text(),
            "I'm positive there is a chance for peace in Syria, and it cannot be missed. "
            "Tomorrow we\u2019ll discuss this issue with Secretary of State John Kerry,");
  EXPECT_EQ(first->speaker_span().begin(), Offset("Lavrov said after"));
  // Opened with “ and closed with ".
  const v1::Quote* second = FindQuote("It is necessary ensure");
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(absl::EndsWith(second->text(), "chemical [weapons] program,"));
  EXPECT_EQ(second->cue_span().begin(), Offset("he said.") + 3);
}

TEST_F(QuotesTimesGoldenTest, StormIsNobodyElsesQuote) {
  SCOPED_TRACE(Describe(article_));
  const v1::Quote* storm = FindQuote("storm");
  ASSERT_NE(storm, nullptr);
  EXPECT_EQ(storm->text(), "storm");
  if (storm->kind() == v1::QUOTE_KIND_SCARE) {
    EXPECT_EQ(storm->speaker(), "");
  } else {
    EXPECT_EQ(storm->kind(), v1::QUOTE_KIND_PARTIAL);
    EXPECT_EQ(storm->speaker(), "Sergey Lavrov");
  }
  // Eight quotes in all, every one of them Lavrov's (or nobody's, for "storm").
  EXPECT_EQ(article_.quotes_size(), 8);
  for (const v1::Quote& q : article_.quotes()) {
    if (q.kind() != v1::QUOTE_KIND_SCARE) {
      EXPECT_EQ(q.speaker(), "Sergey Lavrov") << q.text();
    }
  }
  EXPECT_THAT(article_.flags(), ::testing::Not(::testing::Contains("quote_unclosed")));
}

TEST_F(QuotesTimesGoldenTest, DatesResolvedAgainstPublicationDay) {
  SCOPED_TRACE(Describe(article_));
  // Headline "said Thursday", body "said Thursday", and "Tomorrow" in the quote.
  std::vector<std::string> got;
  for (const v1::TimeExpression& t : article_.times()) {
    got.push_back(absl::StrCat(t.text(), "|", t.type(), "|", t.value()));
    EXPECT_EQ(t.anchor(), "2013-09-12") << t.text();
    EXPECT_EQ(t.anchor_source(), "published_at") << t.text();
  }
  EXPECT_THAT(got, ::testing::ElementsAre("Thursday|DATE|2013-09-12", "Thursday|DATE|2013-09-12",
                                          "Tomorrow|DATE|2013-09-13"));
  ASSERT_EQ(article_.times_size(), 3);
  EXPECT_EQ(article_.times(2).begin(), Offset("Tomorrow"));
  EXPECT_EQ(article_.times(2).end(), Offset("Tomorrow") + 8);
  EXPECT_EQ(article_.times(0).begin(), Offset("Thursday"));
  EXPECT_EQ(article_.event_date(), "2013-09-12");
}

}  // namespace
}  // namespace newsd
