#include "pipeline/chain.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pipeline/declared_stage.h"
#include "pipeline/stage_registry.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

// Test stages, registered under names no real stage uses.
class CopyStage : public Stage {
 public:
  absl::string_view name() const override { return "test_copy"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (ctx.payload_is_null) return absl::InvalidArgumentError("null value");
    article.set_text(std::string(ctx.payload));
    return absl::OkStatus();
  }
};

class RejectStage : public Stage {
 public:
  explicit RejectStage(std::string word) : word_(std::move(word)) {}
  absl::string_view name() const override { return "test_reject"; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (article.text().find(word_) != std::string::npos) {
      return absl::InvalidArgumentError("contains " + word_);
    }
    article.add_flags("checked");
    return absl::OkStatus();
  }

 private:
  std::string word_;
};

class ThrowStage : public Stage {
 public:
  absl::string_view name() const override { return "test_throw"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article&, const StageContext&) const override {
    throw std::runtime_error("boom");
  }
};

// Splits the payload on '|' into one article per part (a feed with several items).
class SplitStage : public Stage {
 public:
  absl::string_view name() const override { return "test_split"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    std::vector<std::string> parts = absl::StrSplit(ctx.payload, '|');
    article.set_text(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) {
      v1::Article& more = ctx.more_articles->emplace_back();
      *more.mutable_source() = article.source();
      more.set_id(absl::StrCat(article.id(), "#", i));
      more.set_text(parts[i]);
    }
    return absl::OkStatus();
  }
};
// Skips articles whose text starts with "SKIP" (kind "test_kind"); for a text
// starting with "ITEMS" reports two skipped items and keeps the article; "FAIL"
// reports a skipped item and fails.
class SkipStage : public Stage {
 public:
  absl::string_view name() const override { return "test_skip"; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (absl::StartsWith(article.text(), "SKIP")) {
      return NotAnArticle("test_kind", absl::StrCat("skipped ", article.text()));
    }
    if (absl::StartsWith(article.text(), "ITEMS") || absl::StartsWith(article.text(), "FAIL")) {
      ctx.skipped_items->push_back(NotAnArticle("item_kind", "item one"));
      ctx.skipped_items->push_back(NotAnArticle("", "item two"));
    }
    if (absl::StartsWith(article.text(), "FAIL")) return absl::InvalidArgumentError("failed");
    article.add_flags("kept");
    return absl::OkStatus();
  }
};
const StageRegistration kSkip("test_skip", [](const v1::StageConfig&)
                                               -> absl::StatusOr<StagePtr> {
  return StagePtr(new SkipStage());
});

const StageRegistration kSplit("test_split", [](const v1::StageConfig&)
                                                 -> absl::StatusOr<StagePtr> {
  return StagePtr(new SplitStage());
});

const StageRegistration kCopy("test_copy", [](const v1::StageConfig& c)
                                               -> absl::StatusOr<StagePtr> {
  if (absl::Status s = CheckStageOptions(c, {}); !s.ok()) return s;
  return StagePtr(new CopyStage());
});
const StageRegistration kReject("test_reject", [](const v1::StageConfig& c)
                                                   -> absl::StatusOr<StagePtr> {
  if (absl::Status s = CheckStageOptions(c, {"word"}); !s.ok()) return s;
  auto it = c.options().find("word");
  return StagePtr(new RejectStage(it == c.options().end() ? "BAD" : it->second));
});
const StageRegistration kThrow("test_throw", [](const v1::StageConfig&)
                                                 -> absl::StatusOr<StagePtr> {
  return StagePtr(new ThrowStage());
});

// Contract test stages: "test_tokenize" provides analysis.tokens, "test_tokens"
// requires it (and article.text, which test_copy provides).
const StageRegistration kTokenize("test_tokenize", [](const v1::StageConfig&)
                                                       -> absl::StatusOr<StagePtr> {
  return StagePtr(new DeclaredStage(std::make_unique<RejectStage>("BAD"),
                                    StageContract{{}, {"analysis.tokens"}}));
});
const StageRegistration kTokens("test_tokens", [](const v1::StageConfig&)
                                                   -> absl::StatusOr<StagePtr> {
  return StagePtr(new DeclaredStage(std::make_unique<RejectStage>("BAD"),
                                    StageContract{{"analysis.tokens"}, {}}));
});
const StageRegistration kCopyText("test_copy_text", [](const v1::StageConfig&)
                                                        -> absl::StatusOr<StagePtr> {
  return StagePtr(new DeclaredStage(std::make_unique<CopyStage>(),
                                    StageContract{{}, {"article.text"}}));
});
// A per-article analysis of the test stages below: the text it was noted for.
struct NotedText {
  std::string text;
};
// Notes the article's text in ctx.analyses; flags "stale" if the holder already
// had a note (from another article or an earlier run).
class NoteStage : public Stage {
 public:
  absl::string_view name() const override { return "test_note"; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (ctx.analyses == nullptr) return absl::InternalError("no analyses holder");
    if (ctx.analyses->Find<NotedText>() != nullptr) article.add_flags("stale");
    ctx.analyses->Emplace<NotedText>(NotedText{article.text()});
    return absl::OkStatus();
  }
};
// Flags "noted:<text>" with the note an earlier stage left for this article.
class ReadNoteStage : public Stage {
 public:
  absl::string_view name() const override { return "test_read_note"; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    const NotedText* note = ctx.analyses == nullptr ? nullptr : ctx.analyses->Find<NotedText>();
    article.add_flags(note == nullptr ? "no note" : absl::StrCat("noted:", note->text));
    return absl::OkStatus();
  }
};
const StageRegistration kNote("test_note", [](const v1::StageConfig&)
                                               -> absl::StatusOr<StagePtr> {
  return StagePtr(new NoteStage());
});
const StageRegistration kReadNote("test_read_note", [](const v1::StageConfig&)
                                                       -> absl::StatusOr<StagePtr> {
  return StagePtr(new ReadNoteStage());
});

google::protobuf::RepeatedPtrField<v1::StageConfig> Stages(
    std::initializer_list<const char*> names) {
  google::protobuf::RepeatedPtrField<v1::StageConfig> out;
  for (const char* n : names) out.Add()->set_name(n);
  return out;
}

TEST(ChainTest, RunsStagesInOrderAndRecordsTimings) {
  auto chain = Chain::Create(Stages({"test_copy", "test_reject"}));
  ASSERT_TRUE(chain.ok()) << chain.status();
  RawMessage m;
  m.topic = "news.raw";
  m.partition = 2;
  m.offset = 41;
  m.value = "hello";
  m.timestamp = absl::FromUnixSeconds(1378987200);
  m.headers = {{"Content-Type", "text/plain"}};
  ChainResult r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value());
  const v1::Article& a = r.event.article();
  EXPECT_EQ(a.id(), "news.raw/2/41");
  EXPECT_EQ(a.text(), "hello");
  EXPECT_EQ(a.source().topic(), "news.raw");
  EXPECT_EQ(a.source().partition(), 2);
  EXPECT_EQ(a.source().offset(), 41);
  EXPECT_EQ(a.source().timestamp().seconds(), 1378987200);
  EXPECT_EQ(a.source().content_type(), "text/plain");  // header names are case-insensitive
  EXPECT_EQ(a.source().size_bytes(), 5u);
  ASSERT_EQ(r.event.stages_size(), 2);
  EXPECT_EQ(r.event.stages(0).stage(), "test_copy");
  EXPECT_EQ(r.event.stages(1).stage(), "test_reject");
  EXPECT_EQ(r.event.pipeline_version(), PipelineVersion());
  EXPECT_THAT(a.flags(), ::testing::ElementsAre("checked"));
}

TEST(ChainTest, IdWithoutPositionOrKeyComesFromTheContent) {
  auto chain = Chain::Create(Stages({"test_copy"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.value = "same bytes";
  const std::string id = (*chain)->Run(m, absl::Now()).event.article().id();
  EXPECT_THAT(id, ::testing::MatchesRegex("item-[0-9a-f]{16}"));
  EXPECT_EQ((*chain)->Run(m, absl::Now()).event.article().id(), id);
  m.value = "other bytes";
  EXPECT_NE((*chain)->Run(m, absl::Now()).event.article().id(), id);
}

TEST(ChainTest, FailureNamesTheStageAndStopsTheChain) {
  auto chain = Chain::Create(Stages({"test_copy", "test_reject", "test_copy"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.value = "a BAD article";
  ChainResult r = (*chain)->Run(m, absl::Now());
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->stage, "test_reject");
  EXPECT_EQ(r.failure->status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.event.stages_size(), 2);  // third stage never ran
}

TEST(ChainTest, ExceptionBecomesInternalFailure) {
  auto chain = Chain::Create(Stages({"test_throw"}));
  ASSERT_TRUE(chain.ok());
  ChainResult r = (*chain)->Run(RawMessage{}, absl::Now());
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r.failure->status.message(), HasSubstr("boom"));
}

TEST(ChainTest, PublishedAtHeader) {
  auto chain = Chain::Create(Stages({"test_copy"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.value = "x";
  m.headers = {{"published-at", "2013-09-12T12:00:00Z"}};
  EXPECT_EQ((*chain)->Run(m, absl::Now()).event.article().published_at().seconds(), 1378987200);
  m.headers = {{"published-at", "last Thursday"}};
  ChainResult r = (*chain)->Run(m, absl::Now());
  EXPECT_FALSE(r.event.article().has_published_at());
  EXPECT_THAT(r.event.article().flags(), ::testing::Contains("published_at_header_invalid"));
}

TEST(ChainTest, HeaderAndKeyBytesThatAreNotUtf8NeverReachAStringField) {
  auto chain = Chain::Create(Stages({"test_copy"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.value = "x";
  m.headers = {{"content-type", "text/plain; charset=\xff\xfe"}};
  ChainResult r = (*chain)->Run(m, absl::Now());
  EXPECT_EQ(r.event.article().source().content_type(), "text/plain; charset=\uFFFD\uFFFD");
  EXPECT_THAT(r.event.article().flags(), ::testing::Contains("content_type_header_invalid_utf8"));
  // The event survives a round trip (libprotobuf rejects ill-formed UTF-8 in a
  // proto3 string when parsing, as every other language's runtime does).
  v1::ArticleEvent parsed;
  EXPECT_TRUE(parsed.ParseFromString(r.event.SerializeAsString()));

  m.headers = {{"content-type", "text/plain"}};
  EXPECT_THAT((*chain)->Run(m, absl::Now()).event.article().flags(),
              ::testing::Not(::testing::Contains("content_type_header_invalid_utf8")));

  // Extract mode: the key (a file path, bytes on Linux) becomes the id.
  m.headers.clear();
  m.key = "/tmp/caf\xe9.txt";
  r = (*chain)->Run(m, absl::Now());
  EXPECT_EQ(r.event.article().id(), "/tmp/caf\uFFFD.txt");
  EXPECT_EQ(r.event.article().source().key(), m.key);  // bytes field: verbatim
  EXPECT_TRUE(parsed.ParseFromString(r.event.SerializeAsString()));
}

TEST(ChainTest, CreateErrorsCarryTheFieldPath) {
  auto unknown = Chain::Create(Stages({"test_copy", "no_such_stage"}));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("stages[1]: unknown stage 'no_such_stage'"));

  google::protobuf::RepeatedPtrField<v1::StageConfig> bad = Stages({"test_reject"});
  (*bad.Mutable(0)->mutable_options())["colour"] = "blue";
  auto bad_option = Chain::Create(bad);
  EXPECT_EQ(bad_option.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_option.status().message(), HasSubstr("stages[0]: options[\"colour\"]"));

  EXPECT_EQ(Chain::Create(Stages({})).status().code(), absl::StatusCode::kInvalidArgument);

  auto no_reader = Chain::Create(Stages({"test_reject", "test_copy"}));
  EXPECT_EQ(no_reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_reader.status().message(),
              HasSubstr("stages[0]: 'test_reject' does not read the raw payload"));
}

TEST(ChainTest, FanOutRunsLaterStagesOnEveryArticle) {
  auto chain = Chain::Create(Stages({"test_split", "test_reject"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.topic = "feed";
  m.partition = 0;
  m.offset = 7;
  m.value = "first|second|third";
  ChainResult r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value());
  EXPECT_EQ(r.event.article().text(), "first");
  ASSERT_EQ(r.more_events.size(), 2u);
  EXPECT_EQ(r.more_events[0].article().text(), "second");
  EXPECT_EQ(r.more_events[0].article().id(), "feed/0/7#1");
  EXPECT_EQ(r.more_events[1].article().source().offset(), 7);
  // test_reject ran on each extra article too.
  EXPECT_THAT(r.more_events[1].article().flags(), ::testing::ElementsAre("checked"));
  ASSERT_EQ(r.more_events[1].stages_size(), 2);
  EXPECT_EQ(r.more_events[1].stages(0).stage(), "test_split");
  EXPECT_EQ(r.more_events[1].stages(1).stage(), "test_reject");

  // A failure on any extra article fails the whole message.
  m.value = "fine|BAD one|fine";
  r = (*chain)->Run(m, absl::Now());
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->stage, "test_reject");
}

TEST(ChainTest, EachArticleGetsItsOwnAnalyses) {
  auto chain = Chain::Create(Stages({"test_split", "test_note", "test_read_note"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.value = "first|second|third";
  ChainResult r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value()) << r.failure->status;
  // Every article reads its own note, and no article finds another's.
  EXPECT_THAT(r.event.article().flags(), ::testing::ElementsAre("noted:first"));
  ASSERT_EQ(r.more_events.size(), 2u);
  EXPECT_THAT(r.more_events[0].article().flags(), ::testing::ElementsAre("noted:second"));
  EXPECT_THAT(r.more_events[1].article().flags(), ::testing::ElementsAre("noted:third"));
  // Nor does the next message.
  m.value = "fourth";
  r = (*chain)->Run(m, absl::Now());
  EXPECT_THAT(r.event.article().flags(), ::testing::ElementsAre("noted:fourth"));
}

TEST(ChainTest, AnalysesStartEmptyForEveryArticle) {
  auto chain = Chain::Create(Stages({"test_split", "test_read_note", "test_note"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.value = "a|b";
  ChainResult r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value());
  EXPECT_THAT(r.event.article().flags(), ::testing::ElementsAre("no note"));
  ASSERT_EQ(r.more_events.size(), 1u);
  EXPECT_THAT(r.more_events[0].article().flags(), ::testing::ElementsAre("no note"));
}

TEST(NotAnArticleTest, CarriesItsKindAsPayload) {
  const absl::Status s = NotAnArticle("tombstone", "null value (tombstone)");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);  // a dead letter to older code
  EXPECT_EQ(s.message(), "null value (tombstone)");
  EXPECT_TRUE(IsNotAnArticle(s));
  EXPECT_EQ(NotAnArticleKind(s), "tombstone");
  EXPECT_EQ(NotAnArticleKind(NotAnArticle("", "why")), "unspecified");
  EXPECT_FALSE(IsNotAnArticle(absl::InvalidArgumentError("null value (tombstone)")));
  EXPECT_FALSE(IsNotAnArticle(absl::OkStatus()));
  EXPECT_EQ(NotAnArticleKind(absl::InvalidArgumentError("x")), "");
}

TEST(ChainTest, NotAnArticleSkipsTheMessageWithoutAFailure) {
  auto chain = Chain::Create(Stages({"test_copy", "test_skip", "test_reject"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.topic = "t";
  m.partition = 1;
  m.offset = 3;
  m.value = "SKIP me";
  ChainResult r = (*chain)->Run(m, absl::Now());
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_TRUE(r.all_skipped);
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].stage, "test_skip");
  EXPECT_EQ(r.skipped[0].kind, "test_kind");
  EXPECT_EQ(r.skipped[0].reason, "skipped SKIP me");
  EXPECT_EQ(r.event.article().id(), "t/1/3");
  ASSERT_EQ(r.event.stages_size(), 2);  // the chain stopped at test_skip
  EXPECT_TRUE(r.more_events.empty());

  // Skipped items beside a kept article: the article goes on, the items are recorded.
  m.value = "ITEMS and text";
  r = (*chain)->Run(m, absl::Now());
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_FALSE(r.all_skipped);
  EXPECT_THAT(r.event.article().flags(), ::testing::ElementsAre("kept", "checked"));
  ASSERT_EQ(r.skipped.size(), 2u);
  EXPECT_EQ(r.skipped[0].kind, "item_kind");
  EXPECT_EQ(r.skipped[0].reason, "item one");
  EXPECT_EQ(r.skipped[1].kind, "unspecified");

  // A real failure wins: dead letter.
  m.value = "FAIL";
  r = (*chain)->Run(m, absl::Now());
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->stage, "test_skip");
  EXPECT_FALSE(r.all_skipped);
  EXPECT_TRUE(r.skipped.empty());
}

TEST(ChainTest, NotAnArticleOnAFannedOutArticleDropsThatArticleOnly) {
  auto chain = Chain::Create(Stages({"test_split", "test_skip", "test_reject"}));
  ASSERT_TRUE(chain.ok());
  RawMessage m;
  m.topic = "feed";
  m.partition = 0;
  m.offset = 7;
  m.value = "first|SKIP second|third";
  ChainResult r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value());
  EXPECT_FALSE(r.all_skipped);
  EXPECT_EQ(r.event.article().text(), "first");
  ASSERT_EQ(r.more_events.size(), 1u);
  EXPECT_EQ(r.more_events[0].article().text(), "third");
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].reason, "skipped SKIP second");

  // The first article skipped: the next one takes its place.
  m.value = "SKIP first|second|third";
  r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value());
  EXPECT_FALSE(r.all_skipped);
  EXPECT_EQ(r.event.article().text(), "second");
  EXPECT_EQ(r.event.article().id(), "feed/0/7#1");
  ASSERT_EQ(r.event.stages_size(), 3);
  ASSERT_EQ(r.more_events.size(), 1u);
  EXPECT_EQ(r.more_events[0].article().text(), "third");

  // Every article skipped: the message is.
  m.value = "SKIP 1|SKIP 2";
  r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value());
  EXPECT_TRUE(r.all_skipped);
  EXPECT_EQ(r.skipped.size(), 2u);
  EXPECT_TRUE(r.more_events.empty());

  // A failure on another article still fails the whole message.
  m.value = "SKIP 1|BAD 2|ok";
  r = (*chain)->Run(m, absl::Now());
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->stage, "test_reject");
  EXPECT_FALSE(r.all_skipped);
}

TEST(ChainTest, FindHeaderIsCaseInsensitive) {
  std::vector<std::pair<std::string, std::string>> h = {{"A", "1"}, {"content-TYPE", "x"}};
  ASSERT_NE(FindHeader(h, "Content-Type"), nullptr);
  EXPECT_EQ(*FindHeader(h, "Content-Type"), "x");
  EXPECT_EQ(FindHeader(h, "missing"), nullptr);
}

TEST(ChainTest, RefusesAStageWhoseInputNoEarlierStageProvides) {
  auto missing = Chain::Create(Stages({"test_copy_text", "test_tokens"}));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "stages[1]: stage 'test_reject' requires 'analysis.tokens', which no earlier stage "
            "provides (put a stage that provides it before it)");
  // Provided later is not provided earlier.
  auto late = Chain::Create(Stages({"test_copy_text", "test_tokens", "test_tokenize"}));
  EXPECT_THAT(late.status().message(), HasSubstr("stages[1]: stage 'test_reject' requires"));
  auto ok = Chain::Create(Stages({"test_copy_text", "test_tokenize", "test_tokens"}));
  ASSERT_TRUE(ok.ok()) << ok.status();
  // The declared stages keep their behaviour: the wrapped stage runs.
  RawMessage m;
  m.value = "fine";
  ChainResult r = (*ok)->Run(m, absl::Now());
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_EQ(r.event.article().text(), "fine");
  m.value = "BAD";
  EXPECT_TRUE((*ok)->Run(m, absl::Now()).failure.has_value());
}

}  // namespace
}  // namespace newsd
