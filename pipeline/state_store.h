// State stores: keyed state that a stage (or the engine itself) keeps between
// messages, persisted and shared through the changelog topic.
//
// The engine knows nothing of what a store holds. A stage that keeps state
// exposes a StateStore (Stage::state_store) and reports every change it makes
// while processing a message as a StateChange in StageContext::state_changes.
// The engine produces those changes to the changelog topic (a compacted Kafka
// topic, key "<store>/<key>") together with the message's outputs — in the same
// transaction in EXACTLY_ONCE mode, acknowledged before the input offset is
// committed in AT_LEAST_ONCE mode — and replays the topic into every store of
// every instance (StateStore::Restore): at start-up from the beginning, then
// continuously, so that instances on other partitions see each other's state.
#ifndef NEWSD_PIPELINE_STATE_STORE_H_
#define NEWSD_PIPELINE_STATE_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace newsd {

// One change of one store's key: its new value, or its deletion (nullopt: a
// tombstone on the changelog).
struct StateChange {
  std::string store;  // StateStore::name() of the store that changed
  std::string key;    // key within the store (UTF-8, no size limit beyond Kafka's)
  std::optional<std::string> value;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Store name, the changelog key prefix before "/": lower-case letters, digits
  // and '_' ("story"). Unique within a chain; "held" is the engine's own.
  virtual absl::string_view name() const = 0;

  // Replays one changelog record, written by this or any other instance, in
  // changelog order per key (value nullopt: the key was deleted). Must be
  // idempotent (a record may be replayed twice, or after a newer one of the same
  // key was applied locally) and thread-safe: it runs on the changelog thread
  // while stages process messages. Errors: kInvalidArgument for a record it
  // cannot parse (the engine counts it in newsd_changelog_records_total
  // {result="invalid"} and skips it).
  virtual absl::Status Restore(absl::string_view key, std::optional<absl::string_view> value) = 0;

  // Current number of records by kind ({"signatures", 1200}, ...), for the gauge
  // newsd_state_store_records{store,kind}. Called about once per second.
  virtual std::vector<std::pair<std::string, double>> Sizes() const = 0;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STATE_STORE_H_
