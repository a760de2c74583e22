// OffsetCommitter: AT_LEAST_ONCE commits (see committer.h). The daemon passes the
// committable offsets of acknowledged inputs (never past the lowest unacknowledged
// one), so a crash at any point re-delivers and never loses; outputs are counted
// when acknowledged. Loop thread only.
#ifndef NEWSD_PIPELINE_OFFSET_COMMITTER_H_
#define NEWSD_PIPELINE_OFFSET_COMMITTER_H_

#include <string>

#include "absl/time/time.h"
#include "pipeline/committer.h"
#include "pipeline/message_metrics.h"
#include "pipeline/metrics.h"

namespace newsd {

class OffsetCommitter final : public Committer {
 public:
  // `store`, `producer`, `metrics` and `message_metrics` (the per-message series,
  // resolved once: no lookup per count) must outlive the committer. Commits every
  // `interval` (commit_interval_ms). CountPublished's `topic` is the output topic
  // `message_metrics` was resolved for.
  OffsetCommitter(OffsetStore* store, AcknowledgingProducer* producer, Metrics* metrics,
                  MessageMetrics* message_metrics, absl::Duration interval)
      : store_(store),
        producer_(producer),
        metrics_(metrics),
        message_metrics_(message_metrics),
        interval_(interval) {}

  const char* mode() const override { return "at-least-once"; }
  // The producer's connection check (2 s).
  absl::Status StartProducer() override;
  void CountPublished(const std::string& topic, bool released) override;
  void CountDeadLetter(const std::string& stage, const std::string& reason) override;
  void CountSkipped(const std::string& stage, const std::string& kind) override;
  void CountChangelog() override;
  void CountTombstone() override;
  bool ReadyToProduce() override { return true; }
  void Produced(const TopicPartition&, int64_t) override {}
  // Commits the acknowledged offsets (asynchronously) once `interval` has passed
  // since the last turn that did; newsd_commits_total{result} counts each commit. A
  // failed commit is logged and not fatal (the next one covers its offsets).
  CommitOffsets Tick(absl::Time now, bool connected, AcknowledgedOffsets acknowledged) override;
  CommitOffsets CommitNow(AcknowledgedOffsets acknowledged) override;
  // Flushes the producer (a failure is logged), then commits synchronously.
  CommitOffsets Finish(absl::Duration flush_timeout, AcknowledgedOffsets acknowledged) override;
  // Flushes the producer for up to 5 s.
  void FlushAfterFatal() override;

 private:
  CommitOffsets Commit(const CommitOffsets& offsets, bool sync);

  OffsetStore* const store_;
  AcknowledgingProducer* const producer_;
  Metrics* const metrics_;
  MessageMetrics* const message_metrics_;
  const absl::Duration interval_;
  absl::Time last_commit_ = absl::InfinitePast();
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_OFFSET_COMMITTER_H_
