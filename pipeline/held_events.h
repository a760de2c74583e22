// HeldEvents: events held back until their embargo passes (Story.hold_until).
//
// The engine's own state store "held" (state_store.h): key = article id, value =
// a serialized v1::HeldEvent (proto/newsd/v1/event.proto). The daemon writes the
// record to the changelog topic instead of publishing the event, and the
// instance that owns the event's input partition publishes it once release_at
// has passed, then deletes the key. Thread-safe.
#ifndef NEWSD_PIPELINE_HELD_EVENTS_H_
#define NEWSD_PIPELINE_HELD_EVENTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/state_store.h"

namespace newsd {

class HeldEvents final : public StateStore {
 public:
  absl::string_view name() const override { return "held"; }
  // Parses a v1::HeldEvent (kInvalidArgument if the bytes do not parse, carry no
  // article id, or the id is not `key`); nullopt removes `key`. A record of an event this instance
  // released within the last hour is ignored (a late copy of the record that the
  // release deleted).
  absl::Status Restore(absl::string_view key, std::optional<absl::string_view> value) override;
  // {"events", number held}.
  std::vector<std::pair<std::string, double>> Sizes() const override;

  // The changelog key (within this store) of a held event: its article id.
  static const std::string& KeyOf(const v1::HeldEvent& held) {
    return held.event().article().id();
  }

  // Holds `held` (replacing an earlier one with the same key).
  void Hold(v1::HeldEvent held);
  // Removes and returns the events with release_at <= now for which
  // `owned(input_topic, input_partition)` is true, soonest first; the caller
  // publishes them. Their keys are remembered as released (see Restore).
  std::vector<v1::HeldEvent> TakeDue(
      absl::Time now, const std::function<bool(const std::string&, int32_t)>& owned);
  // Removes and returns the held events of story `story_id` other than
  // `except_key`: a later version, correction or kill of the story was published,
  // so the held (older) version must never be. The caller deletes their keys.
  std::vector<v1::HeldEvent> DropStory(absl::string_view story_id, absl::string_view except_key);
  // Puts back events taken by TakeDue whose publication was aborted.
  void Return(std::vector<v1::HeldEvent> events);
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, v1::HeldEvent> held_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> released_ ABSL_GUARDED_BY(mu_);  // key → when
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_HELD_EVENTS_H_
