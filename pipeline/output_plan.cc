#include "pipeline/output_plan.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "pipeline/changelog.h"
#include "pipeline/wire_format.h"
#include "pipeline/held_events.h"

namespace newsd {

OutboundMessage ChangelogRecord(absl::string_view store, absl::string_view key,
                                std::optional<std::string> value,
                                const OutputPlanOptions& options) {
  OutboundMessage out;
  out.topic = options.changelog_topic;
  out.key = ChangelogKey(store, key);
  out.value = std::move(value);
  out.headers = {{kChangelogInstanceHeader, options.instance_id}};
  return out;
}

PlannedDeadLetter PlanDeadLetter(const RawMessage& input, const ChainFailure& failure,
                                 OutputForm form, const OutputPlanOptions& options) {
  if (form == OutputForm::kDeadLetter && !input.value_is_null &&
      input.value.size() > options.max_output_bytes) {
    form = OutputForm::kDeadLetterWithoutValue;
  }
  PlannedDeadLetter dead_letter{failure, form, std::nullopt};
  if (form != OutputForm::kNothing) {
    dead_letter.record = MakeDeadLetter(input, failure, options.dead_letter_topic, form);
  }
  return dead_letter;
}

PlannedRecord HeldDeletion(const v1::HeldEvent& held, const OutputPlanOptions& options) {
  return {PlannedKind::kHeldDeletion,
          ChangelogRecord(options.held_store, HeldEvents::KeyOf(held), std::nullopt, options)};
}

PlannedRelease PlanRelease(const v1::HeldEvent& held, const OutputPlanOptions& options) {
  return {{PlannedKind::kReleased,
           MakeEventMessage(held.event(), options.output_topic, options.schema_registry_id)},
          HeldDeletion(held, options)};
}

namespace {

// Appends the outputs of one article of `input` to `plan`.
void PlanArticle(const RawMessage& input, const v1::ArticleEvent& event,
                 const OutputPlanOptions& options, absl::Time now, OutputPlan& plan) {
  const v1::Story& story = event.article().story();
  if (story.retracted() || !story.supersedes().empty()) {
    plan.superseding.push_back({story.story_id(), event.article().id()});
  }
  if (story.has_hold_until() &&
      absl::FromUnixSeconds(story.hold_until().seconds()) +
              absl::Nanoseconds(story.hold_until().nanos()) >
          now) {
    v1::HeldEvent& held = plan.holds.emplace_back();
    *held.mutable_event() = event;
    *held.mutable_release_at() = story.hold_until();
    held.set_input_topic(input.topic);
    held.set_input_partition(input.partition);
    held.set_input_offset(input.offset);
    plan.outputs.push_back({PlannedKind::kHeld,
                            ChangelogRecord(options.held_store, HeldEvents::KeyOf(held),
                                            held.SerializeAsString(), options)});
    return;
  }
  plan.outputs.push_back(
      {PlannedKind::kEvent,
       MakeEventMessage(event, options.output_topic, options.schema_registry_id)});
  if (story.retracted()) {
    OutboundMessage tombstone;
    tombstone.topic = options.output_topic;
    tombstone.key = story.story_id().empty() ? event.article().id() : story.story_id();
    tombstone.headers = {{"newsd.tombstone", "retracted"}};
    plan.outputs.push_back({PlannedKind::kTombstone, std::move(tombstone)});
  }
}

}  // namespace

OutputPlan PlanOutputs(const RawMessage& input, const ChainResult& result,
                       const RefusedOutputs::Entry& refused, const OutputPlanOptions& options,
                       absl::Time now) {
  OutputPlan plan;
  // State first: the stores changed whatever became of the message.
  if (!refused.changelog_refused) {
    plan.state_changes.reserve(result.state_changes.size());
    for (const StateChange& change : result.state_changes) {
      plan.state_changes.push_back(
          {PlannedKind::kStateChange,
           ChangelogRecord(change.store, change.key, change.value, options)});
    }
  }
  if (refused.form != OutputForm::kNormal) {
    // An output was refused as too large on an earlier attempt: its next form only.
    plan.dead_letter = PlanDeadLetter(
        input, result.failure ? *result.failure : ChainFailure{"publish", refused.first_refusal},
        refused.form, options);
    return plan;
  }
  if (result.failure) {
    plan.dead_letter = PlanDeadLetter(input, *result.failure, OutputForm::kDeadLetter, options);
    return plan;
  }
  if (result.all_skipped) {
    plan.all_skipped = true;
    return plan;
  }
  PlanArticle(input, result.event, options, now, plan);
  for (const v1::ArticleEvent& event : result.more_events) {
    PlanArticle(input, event, options, now, plan);
  }
  for (const PlannedRecord& output : plan.outputs) {
    const std::optional<std::string>& value = output.record.value;
    if (value && value->size() > options.max_output_bytes) {
      // Publishing it would fail at the broker on every retry (a crash loop): the
      // input goes to the dead-letter topic instead.
      ChainFailure failure{"publish", absl::ResourceExhaustedError(absl::StrCat(
                                          "event of ", value->size(),
                                          " bytes exceeds max_output_bytes (",
                                          options.max_output_bytes, ")"))};
      plan.outputs.clear();
      plan.holds.clear();
      plan.superseding.clear();
      plan.dead_letter = PlanDeadLetter(input, failure, OutputForm::kDeadLetter, options);
      return plan;
    }
  }
  return plan;
}

}  // namespace newsd
