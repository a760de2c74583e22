// The story stage on small synthetic sequences, and golden cases from the corpus
// (NITF update/cancel sample, Reuters-21578 CORRECTED pairs).
#include "stages/story/story.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/chain.h"
#include "stages/common/tokens.h"
#include "stages/common/unicode.h"
#include "stages/story/story_time.h"
#include "tests/stages/testing/corpus.h"

namespace newsd::stages {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);  // 2023-11-14T22:13:20Z

const char kBody[] =
    "The central bank raised its main interest rate by a quarter point on Tuesday, "
    "citing persistent inflation in services and a tight labour market. Economists "
    "had expected the move after weeks of signals from policymakers, and markets "
    "barely reacted. The governor said further increases could not be ruled out if "
    "wage growth stays strong through the winter months.";

bool HasFlag(const v1::Article& a, absl::string_view flag) {
  for (const std::string& f : a.flags()) {
    if (f == flag) return true;
  }
  return false;
}

// An ASCII article (code points == bytes): headline, "\n\n", one paragraph.
v1::Article MakeArticle(const std::string& id, const std::string& headline,
                        const std::string& body, absl::Time published) {
  v1::Article a;
  a.set_id(id);
  a.set_text(absl::StrCat(headline, "\n\n", body));
  a.mutable_headline()->set_end(headline.size());
  v1::Span* p = a.add_paragraphs();
  p->set_begin(headline.size() + 2);
  p->set_end(a.text().size());
  *a.mutable_published_at() = ToProtoTime(published);
  return a;
}

class StoryStageTest : public ::testing::Test {
 protected:
  void SetUp() override { stage_ = MakeStage(StoryOptions()); }

  std::unique_ptr<StoryStage> MakeStage(StoryOptions options) {
    auto index = std::make_shared<InMemoryStoryIndex>(
        options.index, [this](const v1::StoryIndexEntry& e) { log_.push_back(e); });
    auto stage = StoryStage::Create(options, index);
    EXPECT_TRUE(stage.ok()) << stage.status();
    return *std::move(stage);
  }

  v1::Article Run(v1::Article a, absl::Time now = kT0 + absl::Hours(1)) {
    StageContext ctx;
    ctx.now = now;
    absl::Status s = stage_->Process(a, ctx);
    EXPECT_TRUE(s.ok()) << s;
    return a;
  }

  std::unique_ptr<StoryStage> stage_;
  std::vector<v1::StoryIndexEntry> log_;
};

TEST_F(StoryStageTest, VersionsOutOfOrder) {
  auto version = [](int v) {
    v1::Article a = MakeArticle(absl::StrCat("urn:x:1#v", v), "Rates rise", kBody,
                                kT0 + absl::Minutes(v));
    a.mutable_wire()->set_guid("urn:x:1");
    a.mutable_wire()->set_version(v);
    return a;
  };
  v1::Article v1a = Run(version(1));
  EXPECT_EQ(v1a.story().story_id(), "urn:x:1#v1");
  EXPECT_EQ(v1a.story().version(), 1u);
  v1::Article v3 = Run(version(3));
  EXPECT_EQ(v3.story().story_id(), "urn:x:1#v1");
  EXPECT_EQ(v3.story().supersedes(), "urn:x:1#v1");
  EXPECT_EQ(v3.story().version(), 3u);
  v1::Article v2 = Run(version(2));  // late, older
  EXPECT_TRUE(HasFlag(v2, "stale"));
  EXPECT_TRUE(v2.story().stale());  // the engine keys it by article id
  EXPECT_FALSE(v3.story().stale());
  EXPECT_EQ(v2.story().story_id(), "urn:x:1#v1");
  EXPECT_EQ(v2.story().supersedes(), "");
  EXPECT_EQ(v2.story().version(), 2u);
  EXPECT_EQ(stage_->index()->FindGuid("urn:x:1")->article_id(), "urn:x:1#v3");
  EXPECT_EQ(stage_->index()->FindStory("urn:x:1#v1")->latest_article_id(), "urn:x:1#v3");
  v1::Article again = Run(version(3));  // the same version resent
  EXPECT_TRUE(HasFlag(again, "version_repeated"));
  EXPECT_EQ(again.story().duplicate_of(), "urn:x:1#v3");
}

TEST_F(StoryStageTest, CorrectionJoinsTheStoryItCorrects) {
  v1::Article original = Run(MakeArticle("a1", "CENTRAL BANK RAISES RATE", kBody, kT0));
  std::string corrected_body = kBody;
  corrected_body.replace(corrected_body.find("quarter point"), 13, "half point");
  corrected_body.replace(corrected_body.find("Tuesday"), 7, "Wednesday");
  v1::Article correction = Run(MakeArticle(
      "a2", "CORRECTED - CENTRAL BANK RAISES RATE BY HALF POINT", corrected_body,
      kT0 + absl::Minutes(30)));
  EXPECT_EQ(correction.story().story_id(), "a1");
  EXPECT_EQ(correction.story().supersedes(), "a1");
  EXPECT_EQ(correction.story().version(), 2u);
  EXPECT_TRUE(HasFlag(correction, "correction"));
  EXPECT_EQ(original.story().story_id(), "a1");
}

TEST_F(StoryStageTest, KillThenResendStaysKilled) {
  Run(MakeArticle("a1", "CENTRAL BANK RAISES RATE", kBody, kT0));
  v1::Article kill = Run(MakeArticle("k1", "KILL - CENTRAL BANK RAISES RATE",
                                     "Editors: the story is withdrawn. DO NOT USE.",
                                     kT0 + absl::Minutes(10)));
  EXPECT_EQ(kill.story().story_id(), "a1");
  EXPECT_TRUE(HasFlag(kill, "kill"));
  EXPECT_TRUE(HasFlag(kill, "retraction"));
  ASSERT_TRUE(stage_->index()->FindStory("a1").has_value());
  EXPECT_TRUE(stage_->index()->FindStory("a1")->killed());
  EXPECT_EQ(stage_->index()->FindStory("a1")->killed_by(), "k1");
  v1::Article resend = Run(MakeArticle("a1-resend", "CENTRAL BANK RAISES RATE", kBody,
                                       kT0 + absl::Minutes(20)));
  EXPECT_EQ(resend.story().story_id(), "a1");
  EXPECT_EQ(resend.story().duplicate_of(), "a1");
  EXPECT_TRUE(HasFlag(resend, "killed_story"));
  EXPECT_FALSE(HasFlag(resend, "kill"));
}

TEST_F(StoryStageTest, PubStatusCanceledAndWithheld) {
  v1::Article a = MakeArticle("g#1", "Rates rise", kBody, kT0);
  a.mutable_wire()->set_guid("g");
  a.mutable_wire()->set_version(1);
  Run(a);
  v1::Article withheld = MakeArticle("g#2", "Rates rise", kBody, kT0 + absl::Minutes(1));
  withheld.mutable_wire()->set_guid("g");
  withheld.mutable_wire()->set_version(2);
  withheld.mutable_wire()->set_pub_status(v1::PUB_STATUS_WITHHELD);
  withheld = Run(withheld);
  EXPECT_TRUE(HasFlag(withheld, "withheld"));
  EXPECT_TRUE(stage_->index()->FindStory("g#1")->withheld());
  v1::Article canceled = MakeArticle("g#3", "Rates rise", kBody, kT0 + absl::Minutes(2));
  canceled.mutable_wire()->set_guid("g");
  canceled.mutable_wire()->set_version(3);
  canceled.mutable_wire()->set_pub_status(v1::PUB_STATUS_CANCELED);
  canceled = Run(canceled);
  EXPECT_TRUE(HasFlag(canceled, "kill"));
  EXPECT_EQ(stage_->index()->FindStory("g#1")->kill_reason(), "pub_status_canceled");
  EXPECT_FALSE(stage_->index()->FindStory("g#1")->withheld());
}

TEST_F(StoryStageTest, EmbargoInTheFutureIsHeld) {
  v1::Article a = MakeArticle("e1", "Results", kBody, kT0);
  *a.mutable_wire()->mutable_embargo_until() = ToProtoTime(kT0 + absl::Hours(5));
  a = Run(a, kT0 + absl::Hours(1));
  EXPECT_TRUE(HasFlag(a, "embargoed"));
  std::vector<v1::EmbargoRecord> held = stage_->index()->HeldEmbargoes();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].article_id(), "e1");
  EXPECT_EQ(FromProtoTime(held[0].embargo_until()), kT0 + absl::Hours(5));
  // The embargo record goes in the item's window batch.
  ASSERT_EQ(log_.back().key(), "w/e1");
  std::vector<std::string> batch_keys;
  for (const v1::StoryIndexEntry& e : log_.back().batch().entries()) batch_keys.push_back(e.key());
  EXPECT_THAT(batch_keys, ::testing::ElementsAre(::testing::StartsWith("m/"), "e/e1"));

  v1::Article past = MakeArticle("e2", "Other", "Something else entirely happened.", kT0);
  *past.mutable_wire()->mutable_embargo_until() = ToProtoTime(kT0);
  EXPECT_FALSE(HasFlag(Run(past, kT0 + absl::Hours(1)), "embargoed"));
}

TEST_F(StoryStageTest, NearDuplicateAndUnrelated) {
  Run(MakeArticle("a1", "CENTRAL BANK RAISES RATE", kBody, kT0));
  std::string edited = kBody;
  edited.replace(edited.find("barely"), 6, "hardly");
  v1::Article dup = Run(MakeArticle("a2", "Bank lifts rate", edited, kT0 + absl::Hours(2)));
  EXPECT_EQ(dup.story().story_id(), "a1");
  EXPECT_EQ(dup.story().duplicate_of(), "a1");
  EXPECT_GE(dup.story().similarity(), 0.8f);
  EXPECT_LT(dup.story().similarity(), 1.0f);
  EXPECT_EQ(dup.story().supersedes(), "");
  v1::Article other = Run(MakeArticle(
      "b1", "STORM HITS COAST",
      "A powerful storm brought heavy rain and strong winds to the northern coast on "
      "Monday, closing schools and cutting power to thousands of homes, officials said. "
      "Forecasters expect the weather to improve by the weekend as the system moves east.",
      kT0 + absl::Hours(3)));
  EXPECT_EQ(other.story().story_id(), "b1");
  EXPECT_EQ(other.story().duplicate_of(), "");
  EXPECT_EQ(other.story().version(), 1u);
}

TEST_F(StoryStageTest, ThresholdAndWindowAreHonoured) {
  StoryOptions strict;
  strict.threshold = 0.99;
  strict.index.window = absl::Hours(1);
  stage_ = MakeStage(strict);
  Run(MakeArticle("a1", "CENTRAL BANK RAISES RATE", kBody, kT0));
  std::string edited = kBody;
  edited.replace(edited.find("barely"), 6, "hardly");
  v1::Article near = Run(MakeArticle("a2", "x", edited, kT0 + absl::Minutes(10)));
  EXPECT_EQ(near.story().story_id(), "a2");  // similarity < 0.99
  // An exact copy after the window: the MinHash signature has expired, but the
  // exact-content record (retention) still links it.
  v1::Article late = Run(MakeArticle("a3", "x", kBody, kT0 + absl::Hours(3)),
                         kT0 + absl::Hours(3));
  EXPECT_EQ(late.story().duplicate_of(), "a1");
  EXPECT_FALSE(stage_->index()->FindSimilar({}, kT0, 1).size());
  EXPECT_EQ(stage_->index()->Stats().signatures, 1u);  // only a3's
}

TEST_F(StoryStageTest, ChangelogReplayRestoresTheIndex) {
  Run(MakeArticle("a1", "CENTRAL BANK RAISES RATE", kBody, kT0));
  // Another instance replays this one's changes, then sees a copy.
  auto replica = std::make_shared<InMemoryStoryIndex>(StoryIndexOptions{});
  for (const v1::StoryIndexEntry& e : log_) ASSERT_TRUE(replica->Apply(e).ok());
  auto other = StoryStage::Create(StoryOptions(), replica);
  ASSERT_TRUE(other.ok());
  v1::Article copy = MakeArticle("p7/o3", "Bank raises rate", kBody, kT0 + absl::Hours(1));
  StageContext ctx;
  ctx.now = kT0 + absl::Hours(1);
  ASSERT_TRUE((*other)->Process(copy, ctx).ok());
  EXPECT_EQ(copy.story().story_id(), "a1");
  EXPECT_EQ(copy.story().duplicate_of(), "a1");
}

// An article as consumed from Kafka: `source` carries its position.
v1::Article FromKafka(v1::Article a, int32_t partition, int64_t offset) {
  a.mutable_source()->set_topic("news.raw");
  a.mutable_source()->set_partition(partition);
  a.mutable_source()->set_offset(offset);
  return a;
}

// Workers run items in parallel: a later input can reach the stage first. The
// earlier one must not be linked to it as its duplicate.
TEST_F(StoryStageTest, DuplicateLinksNeverPointToALaterInput) {
  v1::Article later = Run(FromKafka(MakeArticle("news.raw/0/9", "Rates rise", kBody, kT0), 0, 9));
  EXPECT_EQ(later.story().duplicate_of(), "");
  v1::Article earlier =
      Run(FromKafka(MakeArticle("news.raw/0/4", "Rates rise", kBody, kT0), 0, 4));
  EXPECT_EQ(earlier.story().duplicate_of(), "");
  EXPECT_EQ(earlier.story().story_id(), "news.raw/0/4");
  // A near-duplicate (not the same content hash) later still: linked backwards.
  std::string edited = kBody;
  edited.replace(edited.find("barely"), 6, "hardly");
  v1::Article next = Run(FromKafka(MakeArticle("news.raw/0/12", "Rates rise", edited, kT0), 0, 12));
  EXPECT_THAT(next.story().duplicate_of(), ::testing::AnyOf("news.raw/0/4", "news.raw/0/9"));
  v1::Article exact = Run(FromKafka(MakeArticle("news.raw/0/13", "Rates rise", kBody, kT0), 0, 13));
  EXPECT_THAT(exact.story().duplicate_of(), ::testing::AnyOf("news.raw/0/4", "news.raw/0/9"));

  // Across partitions the item time orders them: published later, processed first.
  const std::string storm =
      "A powerful storm brought heavy rain and strong winds to the northern coast on "
      "Monday, closing schools and cutting power to thousands of homes, officials said. "
      "Forecasters expect the weather to improve by the weekend as the system moves east.";
  Run(FromKafka(MakeArticle("news.raw/1/3", "Storm", storm, kT0 + absl::Minutes(30)), 1, 3));
  v1::Article first_published =
      Run(FromKafka(MakeArticle("news.raw/2/7", "Storm", storm, kT0), 2, 7));
  EXPECT_EQ(first_published.story().duplicate_of(), "");
  // Published later than the one it matches: a duplicate, as before.
  v1::Article second =
      Run(FromKafka(MakeArticle("news.raw/2/8", "Storm", storm, kT0 + absl::Hours(1)), 2, 8));
  EXPECT_FALSE(second.story().duplicate_of().empty());

  // The same guid and version: a repeat, linked only to an earlier input.
  v1::Article v_late = FromKafka(MakeArticle("news.raw/3/20", "Vote", "Ballots counted.", kT0), 3, 20);
  v_late.mutable_wire()->set_guid("urn:vote:1");
  v_late.mutable_wire()->set_version(2);
  Run(v_late);
  v1::Article v_early = v_late;
  v_early.set_id("news.raw/3/18");
  v_early.mutable_source()->set_offset(18);
  v_early = Run(v_early);
  EXPECT_TRUE(HasFlag(v_early, "version_repeated"));
  EXPECT_EQ(v_early.story().duplicate_of(), "");
}

TEST_F(StoryStageTest, StateChangesRestoreIntoAnotherInstance) {
  // Instance A processes the original; its state changes are what the engine
  // writes to the changelog topic.
  std::vector<StateChange> changes;
  StageContext ctx;
  ctx.now = kT0 + absl::Hours(1);
  ctx.state_changes = &changes;
  v1::Article original = FromKafka(MakeArticle("news.raw/0/5", "Rates rise", kBody, kT0), 0, 5);
  ASSERT_TRUE(stage_->Process(original, ctx).ok());
  ASSERT_EQ(stage_->state_store()->name(), "story");
  // Two changelog records: the retention batch (story, content) and the window
  // batch (signature, decision), keyed by the input position.
  std::vector<std::string> keys;
  std::vector<std::string> record_keys;
  for (const StateChange& c : changes) {
    EXPECT_EQ(c.store, "story");
    ASSERT_TRUE(c.value.has_value()) << c.key;
    keys.push_back(c.key);
    v1::StoryIndexEntry entry;
    ASSERT_TRUE(entry.ParseFromString(*c.value)) << c.key;
    EXPECT_EQ(entry.key(), c.key);
    for (const v1::StoryIndexEntry& r : entry.batch().entries()) record_keys.push_back(r.key());
  }
  EXPECT_THAT(keys, ::testing::ElementsAre("b/news.raw/0/5/news.raw/0/5",
                                           "w/news.raw/0/5/news.raw/0/5"));
  EXPECT_THAT(record_keys, ::testing::ElementsAre("s/news.raw/0/5", ::testing::StartsWith("c/"),
                                                  "m/news.raw/0/5",
                                                  "d/news.raw/0/5/news.raw/0/5"));

  // Instance B restores them (as its changelog reader does) and links a copy
  // that arrived on another partition.
  auto b = StoryStage::Create(StoryOptions());
  ASSERT_TRUE(b.ok());
  for (const StateChange& c : changes) {
    ASSERT_TRUE((*b)->state_store()->Restore(c.key, c.value).ok()) << c.key;
  }
  v1::Article copy =
      FromKafka(MakeArticle("news.raw/1/9", "Rates rise", kBody, kT0 + absl::Minutes(5)), 1, 9);
  StageContext ctx_b;
  ctx_b.now = kT0 + absl::Hours(1);
  ASSERT_TRUE((*b)->Process(copy, ctx_b).ok());
  EXPECT_EQ(copy.story().story_id(), "news.raw/0/5");
  EXPECT_EQ(copy.story().duplicate_of(), "news.raw/0/5");
  EXPECT_EQ((*b)->state_store()->Sizes()[1],
            (std::pair<std::string, double>{"stories", 1}));

  // A per-key deletion (an older newsd's tombstone) leaves a record that a batch
  // on the changelog still holds; bytes that do not parse are refused.
  EXPECT_TRUE((*b)->state_store()->Restore("m/news.raw/0/5", std::nullopt).ok());
  EXPECT_EQ((*b)->index()->Stats().signatures, 2u);
  EXPECT_EQ((*b)->state_store()->Restore("s/x", std::string("\xff\xff not a proto")).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoryStageTest, RestoreRefusesRecordsThatCompactionWouldMishandle) {
  StateStore* store = stage_->state_store();
  v1::StoryIndexEntry guid;
  guid.mutable_guid()->set_guid("urn:x:1");
  guid.mutable_guid()->set_story_id("urn:x:1");
  // A value filed under another Kafka key would never be deleted by its tombstone.
  guid.set_key("g/urn:x:1");
  EXPECT_EQ(store->Restore("g/urn:x:2", guid.SerializeAsString()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->Restore("g/urn:x:1", guid.SerializeAsString()).ok());
  // An empty value is not a tombstone (compaction keeps it).
  absl::Status empty = store->Restore("g/urn:x:1", std::string());
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(empty.message()), ::testing::HasSubstr("null value"));
  EXPECT_TRUE(stage_->index()->FindGuid("urn:x:1").has_value());
  // Timestamps outside google.protobuf.Timestamp's range, also inside a batch
  // (the message names the batch).
  v1::StoryIndexEntry late = guid;
  late.clear_key();
  late.mutable_guid()->set_guid("urn:x:3");
  late.mutable_guid()->mutable_seen_at()->set_seconds(INT64_MAX);
  v1::StoryIndexEntry batch;
  batch.mutable_batch()->set_item("news.raw/0/1/a");
  *batch.mutable_batch()->add_entries() = late;
  absl::Status s = store->Restore("b/news.raw/0/1/a", batch.SerializeAsString());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              ::testing::AllOf(::testing::HasSubstr("batch \"b/news.raw/0/1/a\""),
                               ::testing::HasSubstr("out of range")));
  EXPECT_FALSE(stage_->index()->FindGuid("urn:x:3").has_value());
  EXPECT_EQ(stage_->index()->Stats().batches, 0u);
}

TEST_F(StoryStageTest, ReprocessingTheSameInputGivesTheSameDecision) {
  // A guid item redelivered (crash before the commit, aborted transaction) is
  // the same input, not a repeated version of itself.
  v1::Article item = FromKafka(MakeArticle("urn:x:7", "Rates rise", kBody, kT0), 2, 40);
  item.mutable_wire()->set_guid("urn:x:7");
  item.mutable_wire()->set_version(1);
  v1::Article first = Run(item);
  std::vector<StateChange> changes;
  StageContext ctx;
  ctx.now = kT0 + absl::Hours(1);
  ctx.state_changes = &changes;
  v1::Article again = item;
  ASSERT_TRUE(stage_->Process(again, ctx).ok());
  EXPECT_EQ(again.story().SerializeAsString(), first.story().SerializeAsString());
  EXPECT_EQ(again.story().story_id(), "urn:x:7");
  EXPECT_EQ(again.story().duplicate_of(), "");
  EXPECT_FALSE(HasFlag(again, "version_repeated"));
  EXPECT_TRUE(changes.empty());  // nothing new recorded
  // The same guid and version from another input position is a repeat.
  v1::Article resend = Run(FromKafka(item, 2, 41));
  EXPECT_TRUE(HasFlag(resend, "version_repeated"));
  EXPECT_EQ(resend.story().duplicate_of(), "urn:x:7");
}

TEST_F(StoryStageTest, KillsAreRetractedAndEmbargoesHeldUntil) {
  v1::Article original = Run(MakeArticle("k1", "Rates rise", kBody, kT0));
  EXPECT_FALSE(original.story().retracted());
  v1::Article kill = MakeArticle("k2", "Rates rise", kBody, kT0 + absl::Minutes(3));
  kill.mutable_wire()->set_pub_status(v1::PUB_STATUS_CANCELED);
  kill = Run(kill);
  EXPECT_TRUE(kill.story().retracted());
  EXPECT_EQ(kill.story().story_id(), "k1");
  v1::Article resend = Run(MakeArticle("k3", "Rates rise", kBody, kT0 + absl::Minutes(9)));
  EXPECT_TRUE(resend.story().retracted());  // a killed story stays killed
  EXPECT_TRUE(HasFlag(resend, "killed_story"));

  v1::Article embargoed = MakeArticle("h1", "Results", "Quarterly profit rose.", kT0);
  *embargoed.mutable_wire()->mutable_embargo_until() = ToProtoTime(kT0 + absl::Hours(2));
  embargoed = Run(embargoed, kT0 + absl::Hours(1));
  EXPECT_EQ(FromProtoTime(embargoed.story().hold_until()), kT0 + absl::Hours(2));
  v1::Article lifted = MakeArticle("h2", "Results", "Quarterly profit rose.", kT0);
  *lifted.mutable_wire()->mutable_embargo_until() = ToProtoTime(kT0 + absl::Hours(2));
  lifted = Run(lifted, kT0 + absl::Hours(3));
  EXPECT_FALSE(lifted.story().has_hold_until());
}

// --- Golden: corpus samples through decode + story (one chain, in order). ---

std::unique_ptr<Chain> DecodeStoryChain() {
  google::protobuf::RepeatedPtrField<v1::StageConfig> stages;
  stages.Add()->set_name("decode");
  stages.Add()->set_name("story");
  auto chain = Chain::Create(stages);
  EXPECT_TRUE(chain.ok()) << chain.status();
  return *std::move(chain);
}

v1::Article RunChain(const Chain& chain, std::string value, absl::Time now,
                     std::string key = "test") {
  RawMessage m;
  m.key = std::move(key);
  m.value = std::move(value);
  ChainResult r = chain.Run(m, now);
  EXPECT_FALSE(r.failure.has_value()) << r.failure->status;
  return r.event.article();
}

// Issue 21 item 11: one story as Reuters, AFP and AP send it (plain text, as the
// decode stage reads it): each with its own dateline and agency tag, Reuters with
// its credit line followed by its trust-principles line (so the decode stage
// leaves both in the body), AFP with its desk initials, AP with a byline and its
// copyright notice.
constexpr absl::string_view kSharedParagraphs =
    "France and Germany agreed on Wednesday to set up a joint defence fund worth 10 "
    "billion euros, the two governments said in a statement after talks in Paris.\n"
    "\n"
    "The fund will finance research into new fighter jets and tanks over the next "
    "decade, the statement said, adding that other European Union members would be "
    "invited to join.\n"
    "\n"
    "\"This is a historic step for European defence,\" French President Emmanuel "
    "Macron told reporters after the meeting.\n";

std::string ReutersCopy() {
  return absl::StrCat(
      "France and Germany agree on joint defence fund\n\nPARIS, May 3 (Reuters) - ",
      kSharedParagraphs,
      "\n(Reporting by Jean Dupont; Editing by Mark Smith)\n\n"
      "Our Standards: The Thomson Reuters Trust Principles.\n");
}
std::string AfpCopy() {
  return absl::StrCat("France, Germany agree joint defence fund\n\nPARIS (AFP) - ",
                      kSharedParagraphs, "\njd/ms/dl\n");
}
std::string ApCopy() {
  return absl::StrCat(
      "France, Germany set up joint defense fund\n\nBy JANE DOE Associated Press\n\n"
      "PARIS (AP) \u2014 ",
      kSharedParagraphs,
      "\nCopyright 2023 The Associated Press. All rights reserved. This material may not "
      "be published, broadcast, rewritten or redistributed.\n");
}
// Another story in the same wrapping.
std::string OtherReutersStory() {
  return absl::StrCat(
      "Storm hits French coast\n\nBREST, May 3 (Reuters) - A powerful storm brought "
      "heavy rain and strong winds to the Brittany coast on Wednesday, closing schools "
      "and cutting power to thousands of homes, officials said.\n\n"
      "Forecasters expect the weather to improve by the weekend as the system moves "
      "east towards Germany, the national weather service said in a statement.\n\n"
      "(Reporting by Jean Dupont; Editing by Mark Smith)\n\n"
      "Our Standards: The Thomson Reuters Trust Principles.\n");
}

TEST(StoryGoldenTest, CrossAgencyCopiesAreLinked) {
  auto chain = DecodeStoryChain();
  const absl::Time now = kT0;
  v1::Article reuters = RunChain(*chain, ReutersCopy(), now, "reuters");
  ASSERT_EQ(reuters.dateline().agency(), "Reuters");
  EXPECT_EQ(reuters.story().duplicate_of(), "");
  // The decode stage leaves the credit line in the body: it is not the last
  // paragraph.
  EXPECT_THAT(reuters.text(), ::testing::HasSubstr("(Reporting by Jean Dupont"));

  v1::Article afp = RunChain(*chain, AfpCopy(), now + absl::Minutes(5), "afp");
  ASSERT_EQ(afp.dateline().agency(), "AFP");
  EXPECT_EQ(afp.story().story_id(), reuters.id());
  EXPECT_EQ(afp.story().duplicate_of(), reuters.id());
  EXPECT_GE(afp.story().similarity(), 0.95f);

  v1::Article ap = RunChain(*chain, ApCopy(), now + absl::Minutes(10), "ap");
  ASSERT_EQ(ap.dateline().agency(), "AP");
  EXPECT_EQ(ap.story().story_id(), reuters.id());
  EXPECT_EQ(ap.story().duplicate_of(), reuters.id());
  EXPECT_GE(ap.story().similarity(), 0.95f);

  // The same wrapping around another story links to nothing.
  v1::Article other = RunChain(*chain, OtherReutersStory(), now + absl::Minutes(15), "other");
  EXPECT_EQ(other.story().story_id(), other.id());
  EXPECT_EQ(other.story().duplicate_of(), "");
  EXPECT_EQ(other.story().similarity(), 0.0f);
}

TEST_F(StoryStageTest, DatelineAndTagsLeftInTheBodyAreNotShingled) {
  // No dateline span (the decode stage missed the French date): the dateline
  // prefix with its agency tag is still left out; a tag later in the body too.
  const std::string body = absl::StrCat(kBody, " The bank (Reuters) said so.");
  Run(MakeArticle("r1", "Rates rise", absl::StrCat("FRANKFURT, 3 mars (Reuters) - ", body), kT0));
  v1::Article afp = Run(MakeArticle(
      "a1", "Bank lifts rates", absl::StrCat("FRANCFORT (AFP) - ", kBody, " The bank said so."),
      kT0 + absl::Minutes(5)));
  EXPECT_EQ(afp.story().duplicate_of(), "r1");
  EXPECT_EQ(afp.story().similarity(), 1.0f);

  // A dateline span inside the first paragraph, after a lead-in the decode stage
  // kept, is left out too.
  v1::Article a = MakeArticle("x1", "Rates rise", absl::StrCat("UPDATE: BERLIN (dpa) - ", kBody),
                              kT0 + absl::Minutes(10));
  const uint32_t begin = a.paragraphs(0).begin() + 8;
  a.mutable_dateline()->mutable_span()->set_begin(begin);
  a.mutable_dateline()->mutable_span()->set_end(begin + 15);  // "BERLIN (dpa) - "
  v1::Article linked = Run(a);
  EXPECT_EQ(linked.story().story_id(), "r1");
}

TEST(StoryGoldenTest, NitfUpdateCancelsEarlierRelease) {
  auto chain = DecodeStoryChain();
  absl::StatusOr<std::string> nitf =
      testing::ReadFile(testing::CorpusPath("iptc/nitf/nitf-example-3.5.xml"));
  ASSERT_TRUE(nitf.ok()) << nitf.status();
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  v1::Article update = RunChain(*chain, *nitf, now);
  EXPECT_EQ(update.id(), "iptc.321656141.b");
  EXPECT_EQ(update.story().story_id(), "iptc.321656141.a");
  EXPECT_EQ(update.story().supersedes(), "iptc.321656141.a");
  EXPECT_EQ(update.story().version(), 2u);
  EXPECT_TRUE(HasFlag(update, "replaces_canceled"));
  EXPECT_FALSE(HasFlag(update, "embargoed"));  // date.release 2002 is past
  EXPECT_FALSE(HasFlag(update, "kill"));
  // The canceled release arriving afterwards is stale.
  std::string earlier = *nitf;
  const std::string id_b = "id-string=\"iptc.321656141.b\"";
  earlier.replace(earlier.find(id_b), id_b.size(), "id-string=\"iptc.321656141.a\"");
  v1::Article late = RunChain(*chain, earlier, now);
  EXPECT_EQ(late.id(), "iptc.321656141.a");
  EXPECT_EQ(late.story().story_id(), "iptc.321656141.a");
  EXPECT_TRUE(HasFlag(late, "stale"));
}

std::string ReutersRecord(int newid) {
  absl::StatusOr<std::string> sgm = testing::ReadFile(testing::CorpusPath(
      absl::StrFormat("reuters21578/original/reut2-%03d.sgm.gz", (newid - 1) / 1000)));
  EXPECT_TRUE(sgm.ok()) << sgm.status();
  for (std::string& r : testing::SplitReutersRecords(*sgm)) {
    if (r.find(absl::StrCat("NEWID=\"", newid, "\"")) != std::string::npos) return r;
  }
  ADD_FAILURE() << "no record " << newid;
  return "";
}

TEST(StoryGoldenTest, ReutersCorrectionsSupersedeTheirOriginal) {
  auto chain = DecodeStoryChain();
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  // (original, correction) from duplicate_pairs.silver.tsv, kind "correction".
  // In time order: the index expires signatures older than the window behind
  // the latest item time.
  for (auto [a, b] : {std::pair{3676, 4239}, std::pair{5168, 5192}, std::pair{9330, 9390},
                      std::pair{13044, 13091}}) {
    v1::Article original = RunChain(*chain, ReutersRecord(a), now);
    v1::Article correction = RunChain(*chain, ReutersRecord(b), now);
    SCOPED_TRACE(correction.text().substr(0, 60));
    EXPECT_EQ(correction.story().story_id(), absl::StrCat("reuters21578-", a));
    EXPECT_EQ(correction.story().supersedes(), absl::StrCat("reuters21578-", a));
    EXPECT_EQ(correction.story().version(), 2u);
    EXPECT_TRUE(HasFlag(correction, "correction"));
    EXPECT_EQ(original.story().version(), 1u);
  }
}

}  // namespace
}  // namespace newsd::stages

namespace newsd::stages {
namespace {

// Story reads paragraph offsets from the shared token stream when the chain built
// one: the same story, signature and index records as without it.
TEST_F(StoryStageTest, SameStoryWithTheSharedTokenStream) {
  const std::string headline = "UPDATE 2-Zürich bank \u201craises\u201d rates";
  const std::string first = "ZÜRICH, March 5 (Reuters) \u2014 By Jörg Müller ";
  const std::string body = absl::StrCat(first, kBody, "\n\n(Reporting by Ana Pérez)");
  v1::Article alone = MakeArticle("urn:x:9", headline, body, kT0);
  // Spans in code points: the dateline and the byline open the first paragraph.
  const uint32_t head_cps = static_cast<uint32_t>(CountCodePoints(headline));
  const uint32_t text_cps = static_cast<uint32_t>(CountCodePoints(alone.text()));
  alone.mutable_headline()->set_end(head_cps);
  alone.mutable_paragraphs(0)->set_begin(head_cps + 2);
  alone.mutable_paragraphs(0)->set_end(text_cps);
  alone.mutable_dateline()->mutable_span()->set_begin(head_cps + 2);
  alone.mutable_dateline()->mutable_span()->set_end(head_cps + 2 + 27);
  alone.mutable_byline()->set_begin(head_cps + 2 + 28);
  alone.mutable_byline()->set_end(head_cps + 2 + 42);
  v1::Article shared = alone;

  std::unique_ptr<StoryStage> a = MakeStage(StoryOptions());
  std::unique_ptr<StoryStage> b = MakeStage(StoryOptions());
  StageContext ctx;
  ctx.now = kT0 + absl::Hours(1);
  ASSERT_TRUE(a->Process(alone, ctx).ok());
  const size_t alone_log = log_.size();
  Analyses analyses;
  std::optional<TextAnalysis> unused;
  TextAnalysisFor(shared, &analyses, &unused);
  ctx.analyses = &analyses;
  ASSERT_TRUE(b->Process(shared, ctx).ok());
  EXPECT_EQ(shared.SerializeAsString(), alone.SerializeAsString());
  ASSERT_EQ(log_.size(), 2 * alone_log);
  for (size_t i = 0; i < alone_log; ++i) {
    EXPECT_EQ(log_[alone_log + i].SerializeAsString(), log_[i].SerializeAsString());
  }
  EXPECT_FALSE(shared.story().story_id().empty());
}

}  // namespace
}  // namespace newsd::stages
