// Backpressure: decides when the daemon pauses and resumes consumption, and counts
// why (newsd_backpressure_waits_total{reason}, newsd_backpressure_wait_seconds_total
// {reason}, newsd_paused_partitions).
//
// Consumption pauses when the messages in flight reach max_inflight_messages, the
// bytes in flight max_inflight_bytes, or the producer's queue max_producer_queue
// (the first limit reached names the reason: "inflight_messages", "inflight_bytes",
// "producer_queue"); it resumes once all three are at or below half their limit and
// resuming is allowed (the daemon is running and no transaction abort is pending).
// The object only decides and counts; the daemon pauses and resumes the consumer's
// partitions. No Kafka, no clock of its own (`now` is passed in), so it is tested
// without a broker.
//
// Not thread-safe: the daemon's loop thread owns it.
#ifndef NEWSD_PIPELINE_BACKPRESSURE_H_
#define NEWSD_PIPELINE_BACKPRESSURE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "pipeline/metrics.h"

namespace newsd {

class Backpressure {
 public:
  // The limits (config max_inflight_messages, max_inflight_bytes, max_producer_queue).
  struct Limits {
    size_t messages = 0;
    uint64_t bytes = 0;
    int producer_queue = 0;
  };
  // The load at one check: messages and bytes consumed and not yet acknowledged,
  // and messages in the producer's local queue (outq_len).
  struct Load {
    size_t messages = 0;
    uint64_t bytes = 0;
    int producer_queue = 0;
  };
  // What the daemon must do with its assigned partitions after Check.
  enum class Action { kNone, kPause, kResume };

  // `metrics` must outlive the object.
  Backpressure(const Limits& limits, Metrics* metrics);

  // One check of the loop (called every turn while running): accounts the time
  // paused since the last check to the current reason, then pauses if a limit is
  // reached, or resumes when the load is at or below half of every limit and
  // `may_resume`. Sets newsd_paused_partitions to `assigned` while paused, else 0.
  // Logs each pause and resume.
  Action Check(const Load& load, bool may_resume, size_t assigned, absl::Time now);

  // Counts producer waits for room in a full librdkafka queue (reason
  // "producer_queue_full"): `waits` waits that took `waited` in all.
  void CountQueueFullWaits(int64_t waits, absl::Duration waited);

  bool paused() const { return paused_; }
  // Why consumption is paused ("" when it is not).
  const std::string& reason() const { return reason_; }

 private:
  const Limits limits_;
  Metrics* const metrics_;
  bool paused_ = false;
  std::string reason_;
  // Up to when the paused time has been counted.
  absl::Time accounted_ = absl::InfinitePast();
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_BACKPRESSURE_H_
