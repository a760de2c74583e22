#include "pipeline/offset_committer.h"

#include "absl/strings/str_cat.h"
#include "pipeline/log.h"

namespace newsd {

absl::Status OffsetCommitter::StartProducer() {
  return producer_->CheckConnection(absl::Seconds(2));
}

void OffsetCommitter::CountPublished(const std::string&, bool released) {
  message_metrics_->published().Increment();
  if (released) metrics_->held_events_released().Increment();
}

void OffsetCommitter::CountDeadLetter(const std::string& stage, const std::string& reason) {
  message_metrics_->dead_letters(stage, reason).Increment();
}

void OffsetCommitter::CountSkipped(const std::string& stage, const std::string& kind) {
  message_metrics_->inputs_skipped(stage, kind).Increment();
}

void OffsetCommitter::CountChangelog() { message_metrics_->changelog_produced().Increment(); }

void OffsetCommitter::CountTombstone() { metrics_->tombstones_published().Increment(); }

CommitOffsets OffsetCommitter::Tick(absl::Time now, bool, AcknowledgedOffsets acknowledged) {
  if (now - last_commit_ < interval_) return {};
  last_commit_ = now;
  return Commit(acknowledged(), /*sync=*/false);
}

CommitOffsets OffsetCommitter::CommitNow(AcknowledgedOffsets acknowledged) {
  return Commit(acknowledged(), /*sync=*/true);
}

CommitOffsets OffsetCommitter::Finish(absl::Duration flush_timeout,
                                      AcknowledgedOffsets acknowledged) {
  if (absl::Status s = producer_->Flush(flush_timeout); !s.ok()) {
    Log(LogLevel::kWarning, std::string(s.message()));
  }
  return Commit(acknowledged(), /*sync=*/true);
}

void OffsetCommitter::FlushAfterFatal() { producer_->Flush(absl::Seconds(5)).IgnoreError(); }

CommitOffsets OffsetCommitter::Commit(const CommitOffsets& offsets, bool sync) {
  if (offsets.empty()) return {};
  absl::Status status = store_->Commit(offsets, sync);
  metrics_->Commits(status.ok()).Increment();
  if (!status.ok()) {
    // Not fatal: the next commit covers these offsets; a crash before it only
    // re-delivers.
    Log(LogLevel::kWarning, absl::StrCat("offset commit failed: ", status.message()));
    return {};
  }
  return offsets;
}

}  // namespace newsd
