// Committer: how consumed input offsets become committed, chosen once per daemon by
// its delivery mode (config.proto Delivery):
//   AT_LEAST_ONCE  OffsetCommitter (offset_committer.h): commits the offsets whose
//                  outputs the brokers acknowledged, every commit_interval_ms and
//                  at revoke/shutdown; outputs are counted as acknowledged.
//   EXACTLY_ONCE   TransactionCommitter (transaction_committer.h): outputs go into
//                  a transaction with their input offsets (librdkafka
//                  examples/transactions.c); outputs are counted when it commits.
// A committer talks to the brokers through the small interfaces below (the daemon
// implements them over its KafkaSource and KafkaSink; tests use fakes).
// Committers are used on the daemon's loop thread only (not thread-safe).
#ifndef NEWSD_PIPELINE_COMMITTER_H_
#define NEWSD_PIPELINE_COMMITTER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pipeline/topic_partition.h"

namespace newsd {

// (partition, next offset to read) pairs, the form Kafka commits.
using CommitOffsets = std::vector<std::pair<TopicPartition, int64_t>>;

// The consumer group's committed offsets.
class OffsetStore {
 public:
  virtual ~OffsetStore() = default;
  // Commits `offsets` (synchronously when `sync`). Errors per KafkaStatus.
  virtual absl::Status Commit(const CommitOffsets& offsets, bool sync) = 0;
};

// What OffsetCommitter needs of the (idempotent) producer.
class AcknowledgingProducer {
 public:
  virtual ~AcknowledgingProducer() = default;
  // OK once a broker answers; errors per KafkaStatus.
  virtual absl::Status CheckConnection(absl::Duration timeout) = 0;
  // Waits until every produced record is acknowledged (or failed), up to `timeout`.
  virtual absl::Status Flush(absl::Duration timeout) = 0;
};

// A transactional producer (KafkaSink's transaction calls; statuses per its
// retry policy: kUnavailable retriable, kAborted abort needed, kFailedPrecondition
// fatal).
class TransactionalProducer {
 public:
  virtual ~TransactionalProducer() = default;
  virtual absl::Status InitTransactions(absl::Duration timeout) = 0;
  virtual absl::Status BeginTransaction() = 0;
  // Adds `offsets` of the daemon's consumer group to the open transaction.
  virtual absl::Status SendOffsets(const CommitOffsets& offsets, absl::Duration timeout) = 0;
  virtual absl::Status CommitTransaction(absl::Duration timeout) = 0;
  virtual absl::Status AbortTransaction(absl::Duration timeout) = 0;
  // The fatal error librdkafka raised, if any (the producer is unusable).
  virtual std::optional<absl::Status> FatalError() const = 0;
};

// The committable offsets of the acknowledged inputs, asked only when a commit is
// due (AT_LEAST_ONCE; EXACTLY_ONCE sends the offsets of what it produced instead).
using AcknowledgedOffsets = absl::FunctionRef<CommitOffsets()>;

// The daemon's view of a delivery mode. Every call returns at once except those
// that talk to the brokers (StartProducer, Tick, CommitNow, Resume, Finish, Abort),
// which block up to their configured timeouts. The defaults are those of a mode
// without transactions.
class Committer {
 public:
  virtual ~Committer() = default;

  // "exactly-once" or "at-least-once" (log lines).
  virtual const char* mode() const = 0;
  // Makes the producer usable once the brokers answer (EXACTLY_ONCE:
  // init_transactions, which fences older producers of the transactional.id).
  // kFailedPrecondition: fatal; other errors: try again.
  virtual absl::Status StartProducer() = 0;
  // Delivery reports of outputs produced under another epoch are stale (their
  // transaction was aborted): ignored. Constant without transactions.
  virtual uint64_t epoch() const { return 0; }

  // Output accounting (metrics newsd_events_published_total{topic},
  // newsd_held_events_released_total, newsd_dead_letters_total{stage,reason},
  // newsd_inputs_skipped_total{stage,kind}, newsd_changelog_records_total
  // {result="produced"}, newsd_tombstones_published_total): at once in
  // AT_LEAST_ONCE, when their transaction commits in EXACTLY_ONCE.
  virtual void CountPublished(const std::string& topic, bool released) = 0;
  virtual void CountDeadLetter(const std::string& stage, const std::string& reason) = 0;
  virtual void CountSkipped(const std::string& stage, const std::string& kind) = 0;
  virtual void CountChangelog() = 0;
  virtual void CountTombstone() = 0;

  // Whether outputs may be produced now (EXACTLY_ONCE: opens a transaction if none
  // is open; false while one is being committed or must be aborted, or when begin
  // failed: see TakeFatal).
  virtual bool ReadyToProduce() = 0;
  // Every output of the input at `tp`/`offset` was handed to the producer.
  virtual void Produced(const TopicPartition& tp, int64_t offset) = 0;
  // `tp` was revoked: nothing of it is committed any more.
  virtual void Forget(const TopicPartition& tp) {}
  // `undo` runs if the outputs produced since the last commit are aborted (Reset).
  virtual void UndoOnAbort(std::function<void()> undo) {}

  // Called every loop turn: commits if due at `now` (commit_interval_ms;
  // EXACTLY_ONCE also every transaction_max_messages inputs, only while
  // `connected`, and resumes a commit that timed out). Returns the offsets committed.
  virtual CommitOffsets Tick(absl::Time now, bool connected, AcknowledgedOffsets acknowledged) = 0;
  // Commits now, synchronously (partitions revoked). Returns the offsets committed.
  virtual CommitOffsets CommitNow(AcknowledgedOffsets acknowledged) = 0;
  // Resumes a commit that timed out, if any. Returns the offsets committed.
  virtual CommitOffsets Resume() { return {}; }
  // Shutdown: commits what is complete (AT_LEAST_ONCE: after flushing the producer
  // for up to `flush_timeout`). Returns the offsets committed.
  virtual CommitOffsets Finish(absl::Duration flush_timeout, AcknowledgedOffsets acknowledged) = 0;
  // After a fatal error: delivers what can be delivered (AT_LEAST_ONCE).
  virtual void FlushAfterFatal() {}

  // Whether a failed output is retried by aborting the transaction and consuming
  // its input again (EXACTLY_ONCE) rather than handled on its own.
  virtual bool RetriesByAbort() const { return false; }
  // An output failed (`what`: "produce failed", "delivery failed"): the open
  // transaction must be aborted (its first failure is logged).
  virtual void AbortAfterFailure(absl::string_view what, const absl::Status& status) {}
  // Work of revoked partitions could not be finished in time: the open transaction
  // must be aborted. False when there is no transaction to abort.
  virtual bool AbandonOpenTransaction() { return false; }
  virtual bool NeedsAbort() const { return false; }
  // False while a commit is unfinished or an abort is needed (nothing to produce).
  virtual bool Producing() const { return true; }
  // Why the instance is not ready (/readyz), or nullptr.
  virtual const char* NotReadyReason() const { return nullptr; }
  // NeedsAbort() and no abort attempted within the last second.
  virtual bool AbortDue(absl::Time now) const { return false; }
  // Aborts the transaction. True when aborted (the caller then rewinds and calls
  // Reset); false when the brokers did not answer (retry) or on a fatal error.
  virtual bool Abort() { return true; }
  // After a rewind: a new epoch, nothing produced, the undos run.
  virtual void Reset() {}

  // A fatal producer error met by a call above, once.
  virtual std::optional<absl::Status> TakeFatal() { return std::nullopt; }
  // `status` says another instance took over the producer's transactional.id.
  virtual bool FencedByAnotherInstance(const absl::Status& status, absl::Time now) const {
    return false;
  }
  // Whether a producer that failed fatally is replaced (EXACTLY_ONCE) rather than
  // the daemon failing.
  virtual bool CanReplaceProducer() const { return false; }
  // Whether a replacement is allowed at `now` (rate limit); records it if so.
  virtual bool AllowReplacement(absl::Time now) { return false; }
  // The producer failed fatally: the open transaction must be aborted.
  virtual void ProducerFailed() {}
  // The producer is being replaced: reports of the old one are stale from now on.
  virtual void ProducerReplaced() {}
  // A hint logged with a fatal error, or "".
  virtual std::string FatalHint(const absl::Status& status) const { return ""; }
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_COMMITTER_H_
