// TransactionCommitter: EXACTLY_ONCE commits (see committer.h), after librdkafka's
// examples/transactions.c: begin → produce outputs → send the inputs' next offsets
// (send_offsets_to_transaction) → commit, every transaction_max_messages inputs or
// commit_interval_ms. It owns all transaction state: the state machine below, the
// epoch that tells delivery reports of an aborted transaction apart, the open
// transaction's offsets and output counts (published to the metrics only when it
// commits), the resume of a timed-out commit, fencing detection and the rate limit
// of producer replacements. The daemon does the rewind after an abort (it owns the
// work in flight). Loop thread only.
//
// States: kNone (no transaction) → kOpen (ReadyToProduce began one) → kNone
// (committed) | kCommitting (commit_transaction timed out: librdkafka allows only
// resuming that call, Resume) | kNeedsAbort (abortable error: Abort, then the
// daemon rewinds and calls Reset).
// Fatal errors (kFailedPrecondition from the producer: fenced, invalid state) are
// not handled here: TakeFatal() hands them to the daemon, which replaces the
// producer (AllowReplacement, ProducerReplaced) or fails.
#ifndef NEWSD_PIPELINE_TRANSACTION_COMMITTER_H_
#define NEWSD_PIPELINE_TRANSACTION_COMMITTER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/committer.h"
#include "pipeline/metrics.h"

namespace newsd {

enum class TxnState { kNone, kOpen, kCommitting, kNeedsAbort };

struct TransactionOptions {
  absl::Duration call_timeout = absl::Seconds(10);  // transaction_call_timeout_ms
  size_t max_messages = 1000;                       // transaction_max_messages
  absl::Duration interval = absl::Seconds(1);       // commit_interval_ms
  // For log lines (fencing).
  std::string transactional_id;
  // The producer's transaction.timeout.ms: the coordinator aborts (and fences)
  // a transaction left open longer.
  absl::Duration transaction_timeout = absl::Seconds(60);
};

class TransactionCommitter final : public Committer {
 public:
  // Producer replacements allowed per window (AllowReplacement).
  static constexpr size_t kMaxProducerReplacements = 3;
  static constexpr absl::Duration kProducerReplacementWindow = absl::Minutes(10);

  // `producer` and `metrics` must outlive the committer (the producer behind
  // `producer` may change: ProducerReplaced). `assigned(tp)`: whether the partition is still assigned here; the
  // offsets of others are not sent with a commit.
  TransactionCommitter(const TransactionOptions& options, TransactionalProducer* producer,
                       Metrics* metrics, std::function<bool(const TopicPartition&)> assigned);

  TxnState state() const { return state_; }
  // Changes at every commit, abort and producer replacement.
  uint64_t epoch() const override { return epoch_; }

  const char* mode() const override { return "exactly-once"; }
  // init_transactions (10 s).
  absl::Status StartProducer() override;

  void CountPublished(const std::string& topic, bool released) override;
  void CountDeadLetter(const std::string& stage, const std::string& reason) override;
  void CountSkipped(const std::string& stage, const std::string& kind) override;
  void CountChangelog() override;
  void CountTombstone() override;

  // Opens a transaction if none is open. False while not kNone/kOpen, or when
  // begin failed (kNeedsAbort, or a fatal error for TakeFatal).
  bool ReadyToProduce() override;
  // The input's next offset (offset + 1) goes with the transaction.
  void Produced(const TopicPartition& tp, int64_t offset) override;
  void Forget(const TopicPartition& tp) override { offsets_.erase(tp); }
  void UndoOnAbort(std::function<void()> undo) override { undos_.push_back(std::move(undo)); }

  // kCommitting: resumes the commit at most every second. kOpen: commits when
  // `interval` passed since the last commit or max_messages inputs are in it, and
  // `connected` (librdkafka's send_offsets_to_transaction ignores its timeout
  // while the group coordinator is down, issue #5456). `acknowledged` is not used.
  CommitOffsets Tick(absl::Time now, bool connected, AcknowledgedOffsets acknowledged) override;
  // kOpen: sends the offsets of the assigned partitions (one attempt: a
  // send_offsets_to_transaction that timed out cannot be resumed) and commits. A
  // commit that times out (kUnavailable) leaves kCommitting; abortable errors
  // kNeedsAbort; fatal ones TakeFatal().
  CommitOffsets CommitNow(AcknowledgedOffsets acknowledged) override { return Commit(); }
  CommitOffsets Commit();
  // kCommitting: calls commit_transaction again.
  CommitOffsets Resume() override;
  // Commits the open transaction, then resumes once a commit that timed out.
  CommitOffsets Finish(absl::Duration flush_timeout, AcknowledgedOffsets acknowledged) override;

  bool RetriesByAbort() const override { return true; }
  // kOpen → kNeedsAbort, logged (once per transaction).
  void AbortAfterFailure(absl::string_view what, const absl::Status& status) override;
  // kOpen → kNeedsAbort.
  bool AbandonOpenTransaction() override;
  bool NeedsAbort() const override { return state_ == TxnState::kNeedsAbort; }
  bool Producing() const override {
    return state_ == TxnState::kNone || state_ == TxnState::kOpen;
  }
  const char* NotReadyReason() const override;
  bool AbortDue(absl::Time now) const override;
  bool Abort() override;
  // A new epoch, no offsets, no counts; the undos run in the order given.
  void Reset() override;

  std::optional<absl::Status> TakeFatal() override { return std::exchange(fatal_, {}); }
  // `status` (or the producer's fatal error) is a fencing error while no
  // transaction of this instance has been open longer than transaction_timeout:
  // a newer producer with the same transactional.id took over (not the coordinator
  // aborting our own timed-out transaction).
  bool FencedByAnotherInstance(const absl::Status& status, absl::Time now) const override;
  bool CanReplaceProducer() const override { return true; }
  // At most kMaxProducerReplacements per kProducerReplacementWindow.
  bool AllowReplacement(absl::Time now) override;
  // An open (or unfinished) transaction must be aborted.
  void ProducerFailed() override;
  // kNone and a new epoch (the new producer's init_transactions aborted the open
  // transaction); call Reset after the rewind.
  void ProducerReplaced() override;
  // The fencing explanation when `status` mentions fencing.
  std::string FatalHint(const absl::Status& status) const override;

 private:
  struct Counts {
    std::map<std::string, double> published;  // per topic
    std::map<std::pair<std::string, std::string>, double> dead_letters;  // (stage, reason)
    std::map<std::pair<std::string, std::string>, double> skipped;       // (stage, kind)
    double changelog = 0;
    double tombstones = 0;
    double released = 0;
  };
  CommitOffsets FinishCommit(const absl::Status& status);
  void Fatal(absl::Status status);

  const TransactionOptions options_;
  TransactionalProducer* producer_;
  Metrics* const metrics_;
  const std::function<bool(const TopicPartition&)> assigned_;
  TxnState state_ = TxnState::kNone;
  uint64_t epoch_ = 0;
  absl::Time started_ = absl::InfinitePast();
  size_t messages_ = 0;
  std::map<TopicPartition, int64_t> offsets_;  // next offset per partition
  Counts counts_;
  CommitOffsets commit_offsets_;  // sent with the commit under way
  absl::Time commit_started_ = absl::InfinitePast();
  absl::Time last_commit_attempt_ = absl::InfinitePast();
  absl::Time last_commit_ = absl::InfinitePast();
  absl::Time last_abort_attempt_ = absl::InfinitePast();
  std::deque<absl::Time> replacements_;
  std::vector<std::function<void()>> undos_;  // run if the transaction is aborted
  std::optional<absl::Status> fatal_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_TRANSACTION_COMMITTER_H_
