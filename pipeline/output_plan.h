// Output plan: what the daemon produces for one processed message, as a pure
// function of the chain's result (no Kafka, no clock, no state store).
//
// For one input message the daemon produces, in this order:
//   1. its state changes, one changelog record each (kStateChange), unless an
//      earlier attempt had a changelog record refused as too large;
//   2. then exactly one of:
//      - a dead letter (the chain failed, an output exceeds max_output_bytes, or an
//        earlier attempt had an output refused by the broker: PlannedDeadLetter);
//      - nothing more (every article of the message was skipped as not an article);
//      - per article, in chain order: its event (kEvent), or under embargo
//        (Story.hold_until after `now`) its HeldEvent as a changelog record of the
//        store "held" (kHeld); an event of a retracted story is followed by a
//        tombstone (kTombstone); then, after all articles, the deletions of held
//        events that a kill or newer version supersedes (the caller asks the held
//        store which, see OutputPlan::superseding and HeldDeletion).
// A held event that comes due is published with its deletion (PlanRelease).
//
// Every function here is pure and thread-safe; records are returned by value.
#ifndef NEWSD_PIPELINE_OUTPUT_PLAN_H_
#define NEWSD_PIPELINE_OUTPUT_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/chain.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/refused_outputs.h"

namespace newsd {

// The configuration the plan needs, resolved once per daemon.
struct OutputPlanOptions {
  std::string output_topic;       // kafka.output_topic
  std::string dead_letter_topic;  // kafka.dead_letter_topic
  std::string changelog_topic;    // the resolved changelog topic
  uint32_t schema_registry_id = 0;  // 0: events are not framed (see MakeEventMessage)
  // Bytes; an event (or held-event record) with a larger value is dead-lettered
  // instead, and a dead letter of a larger input drops its value.
  uint64_t max_output_bytes = 0;
  std::string instance_id;        // header newsd.instance of the changelog records
  std::string held_store = "held";  // StateStore::name() of the held events
};

// What a planned record is; the daemon accounts delivery reports by it.
enum class PlannedKind {
  kStateChange,   // changelog record of a StateChange
  kEvent,         // ArticleEvent on the output topic
  kHeld,          // changelog record of a HeldEvent (embargoed event)
  kTombstone,     // null value under the story key of a retracted story
  kHeldDeletion,  // changelog deletion of a held event (superseded or released)
  kReleased,      // a held event published once its embargo passed
  kDeadLetter,    // the input on the dead-letter topic
};

struct PlannedRecord {
  PlannedKind kind = PlannedKind::kEvent;
  OutboundMessage record;
};

// The dead letter of an input: why, in which form (refused_outputs.h), and the
// record (nullopt for OutputForm::kNothing: nothing is produced, the input is
// dropped).
struct PlannedDeadLetter {
  ChainFailure failure;
  OutputForm form = OutputForm::kDeadLetter;
  std::optional<OutboundMessage> record;
};

// A published kill or newer version of a story: the story's other held events
// (older versions) must be dropped and their held records deleted.
struct Superseding {
  std::string story_id;
  std::string article_id;  // the key not to drop (the superseding event itself)
};

struct OutputPlan {
  // Produced first, in the order the stages made them.
  std::vector<PlannedRecord> state_changes;
  // Set: the input goes to the dead-letter topic; `outputs`, `holds` and
  // `superseding` are empty.
  std::optional<PlannedDeadLetter> dead_letter;
  // True when every article was skipped: nothing but the state changes.
  bool all_skipped = false;
  // Events, held-event records and tombstones, in article order.
  std::vector<PlannedRecord> outputs;
  // The events to hold (the kHeld records of `outputs`, as store values).
  std::vector<v1::HeldEvent> holds;
  // In article order.
  std::vector<Superseding> superseding;
};

// The changelog record of one state change: key "<store>/<key>", `value` (nullopt:
// a deletion), header newsd.instance = options.instance_id.
OutboundMessage ChangelogRecord(absl::string_view store, absl::string_view key,
                                std::optional<std::string> value,
                                const OutputPlanOptions& options);

// The dead letter of `input` rejected with `failure` in `form`: kDeadLetter becomes
// kDeadLetterWithoutValue when the input's value exceeds max_output_bytes;
// kNothing plans no record.
PlannedDeadLetter PlanDeadLetter(const RawMessage& input, const ChainFailure& failure,
                                 OutputForm form, const OutputPlanOptions& options);

// The records for `input` processed into `result`. `refused`: the input's entry in
// RefusedOutputs (outputs refused as too large on an earlier attempt; a default
// Entry when none). `now` decides which embargoes are still running.
OutputPlan PlanOutputs(const RawMessage& input, const ChainResult& result,
                       const RefusedOutputs::Entry& refused, const OutputPlanOptions& options,
                       absl::Time now);

// The deletion of `held`'s record in the held store (kHeldDeletion).
PlannedRecord HeldDeletion(const v1::HeldEvent& held, const OutputPlanOptions& options);

// A held event whose embargo passed: its event (kReleased) and the deletion of its
// held record (kHeldDeletion), produced in that order.
struct PlannedRelease {
  PlannedRecord event;
  PlannedRecord deletion;
};
PlannedRelease PlanRelease(const v1::HeldEvent& held, const OutputPlanOptions& options);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_OUTPUT_PLAN_H_
