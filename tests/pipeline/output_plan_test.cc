// Output plan: the records of one processed message, case by case, without a broker.
#include "pipeline/output_plan.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "pipeline/changelog.h"

namespace newsd {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

OutputPlanOptions Options() {
  OutputPlanOptions options;
  options.output_topic = "news.events";
  options.dead_letter_topic = "news.dlq";
  options.changelog_topic = "newsd-changelog";
  options.max_output_bytes = 10000;
  options.instance_id = "inst-1";
  return options;
}

RawMessage Input(std::string value = "<article/>") {
  RawMessage m;
  m.topic = "news.raw";
  m.partition = 2;
  m.offset = 41;
  m.key = "k";
  m.value = std::move(value);
  return m;
}

v1::ArticleEvent Event(const std::string& id, const std::string& story_id = "") {
  v1::ArticleEvent event;
  event.mutable_article()->set_id(id);
  if (!story_id.empty()) event.mutable_article()->mutable_story()->set_story_id(story_id);
  return event;
}

std::vector<PlannedKind> Kinds(const std::vector<PlannedRecord>& records) {
  std::vector<PlannedKind> kinds;
  for (const PlannedRecord& r : records) kinds.push_back(r.kind);
  return kinds;
}

std::vector<std::string> Keys(const std::vector<PlannedRecord>& records) {
  std::vector<std::string> keys;
  for (const PlannedRecord& r : records) keys.push_back(r.record.key.value_or("<none>"));
  return keys;
}

std::string Header(const OutboundMessage& m, const std::string& name) {
  for (const auto& [n, v] : m.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST(OutputPlanTest, PlainArticleIsOneEventUnderItsStoryKey) {
  ChainResult result;
  result.event = Event("a1", "story-1");
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  ASSERT_FALSE(plan.dead_letter);
  EXPECT_FALSE(plan.all_skipped);
  EXPECT_TRUE(plan.state_changes.empty());
  EXPECT_TRUE(plan.holds.empty());
  EXPECT_TRUE(plan.superseding.empty());
  ASSERT_EQ(Kinds(plan.outputs), std::vector<PlannedKind>{PlannedKind::kEvent});
  const OutboundMessage& out = plan.outputs[0].record;
  EXPECT_EQ(out.topic, "news.events");
  EXPECT_EQ(out.key, "story-1");
  v1::ArticleEvent parsed;
  ASSERT_TRUE(parsed.ParseFromString(*out.value));
  EXPECT_EQ(parsed.article().id(), "a1");
  EXPECT_EQ(Header(out, "schema"), "newsd.v1.ArticleEvent");
}

TEST(OutputPlanTest, SchemaRegistryIdFramesTheEvent) {
  OutputPlanOptions options = Options();
  options.schema_registry_id = 7;
  ChainResult result;
  result.event = Event("a1");
  OutputPlan plan = PlanOutputs(Input(), result, {}, options, kNow);
  ASSERT_EQ(plan.outputs.size(), 1u);
  const std::string& value = *plan.outputs[0].record.value;
  ASSERT_GE(value.size(), 5u);
  EXPECT_EQ(value.substr(0, 5), std::string("\0\0\0\0\x07", 5));
  EXPECT_EQ(plan.outputs[0].record.key, "a1");  // no story: the article id
}

TEST(OutputPlanTest, FanOutGivesOneEventPerArticleInOrder) {
  ChainResult result;
  result.event = Event("a1");
  result.more_events = {Event("a2"), Event("a3")};
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  EXPECT_EQ(Kinds(plan.outputs), std::vector<PlannedKind>(3, PlannedKind::kEvent));
  EXPECT_EQ(Keys(plan.outputs), (std::vector<std::string>{"a1", "a2", "a3"}));
}

TEST(OutputPlanTest, FailureIsADeadLetterAfterTheStateChanges) {
  ChainResult result;
  result.event = Event("a1");
  result.state_changes = {{"dedup", "h1", "v1"}};
  result.failure = ChainFailure{"parse", absl::InvalidArgumentError("bad xml")};
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  EXPECT_EQ(Kinds(plan.state_changes), std::vector<PlannedKind>{PlannedKind::kStateChange});
  EXPECT_TRUE(plan.outputs.empty());
  ASSERT_TRUE(plan.dead_letter);
  EXPECT_EQ(plan.dead_letter->form, OutputForm::kDeadLetter);
  EXPECT_EQ(plan.dead_letter->failure.stage, "parse");
  ASSERT_TRUE(plan.dead_letter->record);
  EXPECT_EQ(plan.dead_letter->record->topic, "news.dlq");
  EXPECT_EQ(plan.dead_letter->record->value, "<article/>");
  EXPECT_EQ(Header(*plan.dead_letter->record, "newsd.errors.code"), "INVALID_ARGUMENT");
}

TEST(OutputPlanTest, AllSkippedIsNothingButTheStateChanges) {
  ChainResult result;
  result.event = Event("a1");
  result.all_skipped = true;
  result.skipped = {{"parse", "concept_item", "not a news item"}};
  result.state_changes = {{"dedup", "h1", "v1"}, {"dedup", "h2", std::nullopt}};
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  EXPECT_TRUE(plan.all_skipped);
  EXPECT_FALSE(plan.dead_letter);
  EXPECT_TRUE(plan.outputs.empty());
  ASSERT_EQ(plan.state_changes.size(), 2u);
  EXPECT_EQ(plan.state_changes[1].record.value, std::nullopt);  // a deletion
}

TEST(OutputPlanTest, StateChangesComeInTheOrderMadeAsChangelogRecords) {
  ChainResult result;
  result.event = Event("a1");
  result.state_changes = {{"dedup", "z", "1"}, {"story", "a", "2"}, {"dedup", "m", "3"}};
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  ASSERT_EQ(plan.state_changes.size(), 3u);
  EXPECT_EQ(Keys(plan.state_changes),
            (std::vector<std::string>{ChangelogKey("dedup", "z"), ChangelogKey("story", "a"),
                                      ChangelogKey("dedup", "m")}));
  for (const PlannedRecord& r : plan.state_changes) {
    EXPECT_EQ(r.record.topic, "newsd-changelog");
    EXPECT_EQ(Header(r.record, kChangelogInstanceHeader), "inst-1");
  }
  EXPECT_EQ(plan.state_changes[2].record.value, "3");
  EXPECT_EQ(Kinds(plan.outputs), std::vector<PlannedKind>{PlannedKind::kEvent});
}

TEST(OutputPlanTest, RefusedChangelogIsNotProducedAgain) {
  ChainResult result;
  result.event = Event("a1");
  result.state_changes = {{"dedup", "h1", "v1"}};
  RefusedOutputs::Entry refused;
  refused.changelog_refused = true;
  OutputPlan plan = PlanOutputs(Input(), result, refused, Options(), kNow);
  EXPECT_TRUE(plan.state_changes.empty());
  EXPECT_EQ(Kinds(plan.outputs), std::vector<PlannedKind>{PlannedKind::kEvent});
}

TEST(OutputPlanTest, EarlierRefusalGivesTheNextFormOnly) {
  ChainResult result;
  result.event = Event("a1");
  RefusedOutputs::Entry refused;
  refused.form = OutputForm::kHeadersOnly;
  refused.first_refusal = absl::ResourceExhaustedError("MSG_SIZE_TOO_LARGE");
  OutputPlan plan = PlanOutputs(Input(), result, refused, Options(), kNow);
  EXPECT_TRUE(plan.outputs.empty());
  ASSERT_TRUE(plan.dead_letter);
  EXPECT_EQ(plan.dead_letter->form, OutputForm::kHeadersOnly);
  EXPECT_EQ(plan.dead_letter->failure.stage, "publish");
  EXPECT_EQ(plan.dead_letter->failure.status.message(), "MSG_SIZE_TOO_LARGE");
  ASSERT_TRUE(plan.dead_letter->record);
  EXPECT_EQ(plan.dead_letter->record->value, std::nullopt);

  refused.form = OutputForm::kNothing;
  plan = PlanOutputs(Input(), result, refused, Options(), kNow);
  ASSERT_TRUE(plan.dead_letter);
  EXPECT_EQ(plan.dead_letter->form, OutputForm::kNothing);
  EXPECT_FALSE(plan.dead_letter->record);
}

TEST(OutputPlanTest, HeldEventGoesToTheHeldStoreUntilItsEmbargo) {
  ChainResult result;
  result.event = Event("a1", "story-1");
  result.event.mutable_article()->mutable_story()->mutable_hold_until()->set_seconds(
      absl::ToUnixSeconds(kNow) + 60);
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  ASSERT_EQ(Kinds(plan.outputs), std::vector<PlannedKind>{PlannedKind::kHeld});
  const OutboundMessage& record = plan.outputs[0].record;
  EXPECT_EQ(record.topic, "newsd-changelog");
  EXPECT_EQ(record.key, ChangelogKey("held", "a1"));
  ASSERT_EQ(plan.holds.size(), 1u);
  const v1::HeldEvent& held = plan.holds[0];
  EXPECT_EQ(held.release_at().seconds(), absl::ToUnixSeconds(kNow) + 60);
  EXPECT_EQ(held.input_topic(), "news.raw");
  EXPECT_EQ(held.input_partition(), 2);
  EXPECT_EQ(held.input_offset(), 41);
  EXPECT_EQ(record.value, held.SerializeAsString());

  // Once the embargo has passed, it is an ordinary event.
  plan = PlanOutputs(Input(), result, {}, Options(), kNow + absl::Minutes(2));
  EXPECT_EQ(Kinds(plan.outputs), std::vector<PlannedKind>{PlannedKind::kEvent});
  EXPECT_TRUE(plan.holds.empty());
}

TEST(OutputPlanTest, StaleVersionIsPublishedUnderItsOwnKey) {
  ChainResult result;
  result.event = Event("a1", "story-1");
  result.event.mutable_article()->mutable_story()->set_stale(true);
  v1::Source* source = result.event.mutable_article()->mutable_source();
  source->set_topic("news.raw");
  source->set_partition(2);
  source->set_offset(41);
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  EXPECT_EQ(Keys(plan.outputs), std::vector<std::string>{"story-1/stale/news.raw/2/41"});
  EXPECT_TRUE(plan.superseding.empty());
}

TEST(OutputPlanTest, RetractionIsEventThenTombstoneAndSupersedesHeldVersions) {
  ChainResult result;
  result.event = Event("kill-1", "story-1");
  result.event.mutable_article()->mutable_story()->set_retracted(true);
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  ASSERT_EQ(Kinds(plan.outputs),
            (std::vector<PlannedKind>{PlannedKind::kEvent, PlannedKind::kTombstone}));
  const OutboundMessage& tombstone = plan.outputs[1].record;
  EXPECT_EQ(tombstone.topic, "news.events");
  EXPECT_EQ(tombstone.key, "story-1");
  EXPECT_EQ(tombstone.value, std::nullopt);
  EXPECT_EQ(Header(tombstone, "newsd.tombstone"), "retracted");
  ASSERT_EQ(plan.superseding.size(), 1u);
  EXPECT_EQ(plan.superseding[0].story_id, "story-1");
  EXPECT_EQ(plan.superseding[0].article_id, "kill-1");
}

TEST(OutputPlanTest, NewerVersionSupersedesWithoutTombstone) {
  ChainResult result;
  result.event = Event("v2", "story-1");
  result.event.mutable_article()->mutable_story()->set_supersedes("v1");
  result.more_events = {Event("other", "story-2")};
  OutputPlan plan = PlanOutputs(Input(), result, {}, Options(), kNow);
  EXPECT_EQ(Kinds(plan.outputs),
            (std::vector<PlannedKind>{PlannedKind::kEvent, PlannedKind::kEvent}));
  ASSERT_EQ(plan.superseding.size(), 1u);
  EXPECT_EQ(plan.superseding[0].story_id, "story-1");
  EXPECT_EQ(plan.superseding[0].article_id, "v2");
}

TEST(OutputPlanTest, OutputOverMaxOutputBytesDeadLettersTheInput) {
  OutputPlanOptions options = Options();
  options.max_output_bytes = 100;
  ChainResult result;
  result.event = Event("a1", "story-1");
  result.event.mutable_article()->mutable_story()->set_retracted(true);
  result.event.mutable_article()->set_text(std::string(200, 'x'));
  result.state_changes = {{"dedup", "h1", "v1"}};
  OutputPlan plan = PlanOutputs(Input(), result, {}, options, kNow);
  EXPECT_TRUE(plan.outputs.empty());
  EXPECT_TRUE(plan.superseding.empty());  // nothing published: nothing superseded
  EXPECT_EQ(plan.state_changes.size(), 1u);
  ASSERT_TRUE(plan.dead_letter);
  EXPECT_EQ(plan.dead_letter->failure.stage, "publish");
  EXPECT_EQ(plan.dead_letter->failure.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(plan.dead_letter->failure.status.message(),
                                "exceeds max_output_bytes (100)"));
  EXPECT_EQ(plan.dead_letter->form, OutputForm::kDeadLetter);  // the input itself is small
  EXPECT_EQ(plan.dead_letter->record->value, "<article/>");

  // A held event's record counts too.
  result.event.mutable_article()->mutable_story()->set_retracted(false);
  result.event.mutable_article()->mutable_story()->mutable_hold_until()->set_seconds(
      absl::ToUnixSeconds(kNow) + 60);
  plan = PlanOutputs(Input(), result, {}, options, kNow);
  EXPECT_TRUE(plan.holds.empty());
  EXPECT_TRUE(plan.dead_letter);
}

TEST(OutputPlanTest, DeadLetterOfALargeInputDropsItsValue) {
  OutputPlanOptions options = Options();
  options.max_output_bytes = 5;
  PlannedDeadLetter dead_letter = PlanDeadLetter(
      Input("0123456789"), ChainFailure{"parse", absl::InvalidArgumentError("x")},
      OutputForm::kDeadLetter, options);
  EXPECT_EQ(dead_letter.form, OutputForm::kDeadLetterWithoutValue);
  ASSERT_TRUE(dead_letter.record);
  EXPECT_EQ(dead_letter.record->value, std::nullopt);
  EXPECT_EQ(Header(*dead_letter.record, "newsd.errors.value_omitted_bytes"), "10");
}

TEST(OutputPlanTest, ReleaseIsTheEventThenTheDeletionOfItsHeldRecord) {
  v1::HeldEvent held;
  *held.mutable_event() = Event("a1", "story-1");
  PlannedRelease release = PlanRelease(held, Options());
  EXPECT_EQ(release.event.kind, PlannedKind::kReleased);
  EXPECT_EQ(release.event.record.topic, "news.events");
  EXPECT_EQ(release.event.record.key, "story-1");
  EXPECT_EQ(release.deletion.kind, PlannedKind::kHeldDeletion);
  EXPECT_EQ(release.deletion.record.topic, "newsd-changelog");
  EXPECT_EQ(release.deletion.record.key, ChangelogKey("held", "a1"));
  EXPECT_EQ(release.deletion.record.value, std::nullopt);
  EXPECT_EQ(HeldDeletion(held, Options()).record.key, ChangelogKey("held", "a1"));
}

}  // namespace
}  // namespace newsd
