#include "pipeline/backpressure.h"

#include "absl/strings/str_cat.h"
#include "pipeline/log.h"

namespace newsd {

Backpressure::Backpressure(const Limits& limits, Metrics* metrics)
    : limits_(limits), metrics_(metrics) {}

Backpressure::Action Backpressure::Check(const Load& load, bool may_resume, size_t assigned,
                                         absl::Time now) {
  Action action = Action::kNone;
  if (paused_ && !reason_.empty()) {
    metrics_->BackpressureWaitSeconds(reason_).Increment(absl::ToDoubleSeconds(now - accounted_));
    accounted_ = now;
  }
  if (!paused_ && (load.messages >= limits_.messages || load.bytes >= limits_.bytes ||
                   load.producer_queue >= limits_.producer_queue)) {
    paused_ = true;
    reason_ = load.messages >= limits_.messages ? "inflight_messages"
              : load.bytes >= limits_.bytes     ? "inflight_bytes"
                                                : "producer_queue";
    accounted_ = now;
    metrics_->BackpressureWaits(reason_).Increment();
    action = Action::kPause;
    Log(LogLevel::kInfo, absl::StrCat("backpressure: pausing (", load.messages, " messages, ",
                                      load.bytes, " bytes in flight, ", load.producer_queue,
                                      " queued in the producer)"));
  } else if (paused_ && load.messages <= limits_.messages / 2 &&
             load.bytes <= limits_.bytes / 2 &&
             load.producer_queue <= limits_.producer_queue / 2 && may_resume) {
    paused_ = false;
    reason_.clear();
    action = Action::kResume;
    Log(LogLevel::kInfo, "backpressure: resumed");
  }
  metrics_->paused().Set(paused_ ? static_cast<double>(assigned) : 0);
  return action;
}

void Backpressure::CountQueueFullWaits(int64_t waits, absl::Duration waited) {
  if (waits <= 0) return;
  metrics_->BackpressureWaits("producer_queue_full").Increment(static_cast<double>(waits));
  metrics_->BackpressureWaitSeconds("producer_queue_full").Increment(absl::ToDoubleSeconds(waited));
}

}  // namespace newsd
