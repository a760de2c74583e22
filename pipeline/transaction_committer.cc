#include "pipeline/transaction_committer.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/kafka_status.h"
#include "pipeline/log.h"

namespace newsd {

TransactionCommitter::TransactionCommitter(const TransactionOptions& options,
                                           TransactionalProducer* producer, Metrics* metrics,
                                           std::function<bool(const TopicPartition&)> assigned)
    : options_(options), producer_(producer), metrics_(metrics), assigned_(std::move(assigned)) {}

void TransactionCommitter::CountPublished(const std::string& topic, bool released) {
  counts_.published[topic] += 1;
  if (released) counts_.released += 1;
}

void TransactionCommitter::CountDeadLetter(const std::string& stage, const std::string& reason) {
  counts_.dead_letters[{stage, reason}] += 1;
}

void TransactionCommitter::CountSkipped(const std::string& stage, const std::string& kind) {
  counts_.skipped[{stage, kind}] += 1;
}

void TransactionCommitter::CountChangelog() { counts_.changelog += 1; }

void TransactionCommitter::CountTombstone() { counts_.tombstones += 1; }

bool TransactionCommitter::ReadyToProduce() {
  if (state_ == TxnState::kOpen) return true;
  if (state_ != TxnState::kNone) return false;  // aborting, or a commit unfinished
  absl::Status s = producer_->BeginTransaction();
  if (!s.ok()) {
    if (s.code() == absl::StatusCode::kFailedPrecondition) {
      Fatal(std::move(s));
    } else {
      state_ = TxnState::kNeedsAbort;
    }
    return false;
  }
  state_ = TxnState::kOpen;
  started_ = absl::Now();
  messages_ = 0;
  return true;
}

void TransactionCommitter::Produced(const TopicPartition& tp, int64_t offset) {
  offsets_[tp] = offset + 1;
  ++messages_;
}

CommitOffsets TransactionCommitter::Tick(absl::Time now, bool connected, AcknowledgedOffsets) {
  if (state_ == TxnState::kCommitting && now - last_commit_attempt_ >= absl::Seconds(1)) {
    return Resume();
  }
  const bool interval_due = now - last_commit_ >= options_.interval;
  if (state_ == TxnState::kOpen && connected &&
      (interval_due || messages_ >= options_.max_messages)) {
    last_commit_ = now;
    return Commit();
  }
  return {};
}

CommitOffsets TransactionCommitter::Finish(absl::Duration, AcknowledgedOffsets) {
  CommitOffsets committed = Commit();
  if (state_ == TxnState::kCommitting) committed = Resume();  // once more
  return committed;
}

CommitOffsets TransactionCommitter::Commit() {
  if (state_ != TxnState::kOpen) return {};
  commit_offsets_.clear();
  for (const auto& [tp, next] : offsets_) {
    if (assigned_(tp)) commit_offsets_.emplace_back(tp, next);
  }
  commit_started_ = absl::Now();
  absl::Status status;
  if (!commit_offsets_.empty()) {
    // One attempt: librdkafka cannot resume a send_offsets_to_transaction that timed
    // out (a second call races the first one's request), so a failure aborts.
    status = producer_->SendOffsets(commit_offsets_, options_.call_timeout);
  }
  if (!status.ok()) {
    Log(LogLevel::kWarning, absl::StrCat("transaction commit failed: ", status.message()));
    if (status.code() == absl::StatusCode::kFailedPrecondition) {
      metrics_->Transactions("fatal").Increment();
      Fatal(std::move(status));
    } else {
      state_ = TxnState::kNeedsAbort;
    }
    return {};
  }
  last_commit_attempt_ = absl::Now();
  return FinishCommit(producer_->CommitTransaction(options_.call_timeout));
}

CommitOffsets TransactionCommitter::Resume() {
  if (state_ != TxnState::kCommitting) return {};
  last_commit_attempt_ = absl::Now();
  return FinishCommit(producer_->CommitTransaction(options_.call_timeout));
}

CommitOffsets TransactionCommitter::FinishCommit(const absl::Status& status) {
  if (status.ok()) {
    metrics_->Transactions("committed").Increment();
    metrics_->transaction_commit_seconds().Observe(
        absl::ToDoubleSeconds(absl::Now() - commit_started_));
    for (const auto& [topic, n] : counts_.published) metrics_->Published(topic).Increment(n);
    for (const auto& [key, n] : counts_.dead_letters) {
      metrics_->DeadLetters(key.first, key.second).Increment(n);
    }
    for (const auto& [key, n] : counts_.skipped) {
      metrics_->InputsSkipped(key.first, key.second).Increment(n);
    }
    metrics_->ChangelogRecords("produced").Increment(counts_.changelog);
    metrics_->tombstones_published().Increment(counts_.tombstones);
    metrics_->held_events_released().Increment(counts_.released);
    if (state_ == TxnState::kCommitting) {
      Log(LogLevel::kInfo, absl::StrCat("resumed transaction commit finished after ",
                                        absl::FormatDuration(absl::Now() - commit_started_)));
    }
    counts_ = Counts();
    offsets_.clear();
    undos_.clear();
    state_ = TxnState::kNone;
    ++epoch_;
    return std::exchange(commit_offsets_, {});
  }
  if (status.code() == absl::StatusCode::kFailedPrecondition) {
    metrics_->Transactions("fatal").Increment();
    Fatal(status);
    return {};
  }
  if (status.code() == absl::StatusCode::kUnavailable) {
    // commit_transaction itself timed out (the brokers are slow or away): the commit
    // may already be under way, so it is resumed, never aborted or sent again.
    metrics_->Transactions("commit_retried").Increment();
    if (state_ != TxnState::kCommitting) {
      Log(LogLevel::kWarning, absl::StrCat("transaction commit did not finish (",
                                           status.message(), "); resuming it"));
    }
    state_ = TxnState::kCommitting;
    return {};
  }
  Log(LogLevel::kWarning, absl::StrCat("transaction commit failed: ", status.message()));
  commit_offsets_.clear();
  state_ = TxnState::kNeedsAbort;
  return {};
}

void TransactionCommitter::AbortAfterFailure(absl::string_view what,
                                             const absl::Status& status) {
  if (state_ != TxnState::kOpen) return;  // the first failure of the transaction is logged
  state_ = TxnState::kNeedsAbort;
  Log(LogLevel::kWarning, absl::StrCat(what, ", aborting the transaction: ", status.message()));
}

bool TransactionCommitter::AbandonOpenTransaction() {
  if (state_ == TxnState::kOpen) state_ = TxnState::kNeedsAbort;
  return true;
}

const char* TransactionCommitter::NotReadyReason() const {
  if (state_ == TxnState::kCommitting) {
    return "resuming a transaction commit that timed out (brokers slow or unreachable)";
  }
  if (state_ == TxnState::kNeedsAbort) return "aborting a transaction (its work is re-consumed)";
  return nullptr;
}

bool TransactionCommitter::AbortDue(absl::Time now) const {
  return state_ == TxnState::kNeedsAbort && now - last_abort_attempt_ >= absl::Seconds(1);
}

bool TransactionCommitter::Abort() {
  last_abort_attempt_ = absl::Now();
  absl::Status status = producer_->AbortTransaction(options_.call_timeout);
  if (!status.ok() && status.code() != absl::StatusCode::kFailedPrecondition) {
    // Brokers unreachable: stay in kNeedsAbort; the caller retries.
    Log(LogLevel::kWarning,
        absl::StrCat("abort_transaction failed, will retry: ", status.message()));
    return false;
  }
  if (!status.ok()) {
    metrics_->Transactions("fatal").Increment();
    Fatal(std::move(status));
    return false;
  }
  metrics_->Transactions("aborted").Increment();
  state_ = TxnState::kNone;
  return true;
}

void TransactionCommitter::Reset() {
  ++epoch_;  // delivery reports of the aborted transaction are ignored from now on
  offsets_.clear();
  counts_ = Counts();
  std::vector<std::function<void()>> undos = std::move(undos_);
  undos_.clear();
  for (const std::function<void()>& undo : undos) undo();
}

void TransactionCommitter::Fatal(absl::Status status) {
  if (!fatal_) fatal_ = std::move(status);
}

bool TransactionCommitter::FencedByAnotherInstance(const absl::Status& status,
                                                   absl::Time now) const {
  std::optional<absl::Status> fatal = producer_ ? producer_->FatalError() : std::nullopt;
  if (!IsProducerFenced(status) && !(fatal && IsProducerFenced(*fatal))) return false;
  // The coordinator also bumps the epoch when it aborts a transaction left open
  // longer than transaction.timeout.ms: that one is ours, and replacing the
  // producer recovers from it.
  const bool timed_out =
      state_ != TxnState::kNone && now - started_ >= options_.transaction_timeout;
  return !timed_out;
}

bool TransactionCommitter::AllowReplacement(absl::Time now) {
  while (!replacements_.empty() && now - replacements_.front() > kProducerReplacementWindow) {
    replacements_.pop_front();
  }
  if (replacements_.size() >= kMaxProducerReplacements) return false;
  replacements_.push_back(now);
  return true;
}

void TransactionCommitter::ProducerFailed() {
  if (state_ != TxnState::kNone) state_ = TxnState::kNeedsAbort;
}

void TransactionCommitter::ProducerReplaced() {
  ++epoch_;  // reports of the old producer's messages are ignored from now on
  state_ = TxnState::kNone;
}

std::string TransactionCommitter::FatalHint(const absl::Status& status) const {
  if (!absl::StrContains(absl::AsciiStrToLower(status.message()), "fenc")) return "";
  return absl::StrCat(
      "the producer was fenced: either another producer with transactional.id '",
      options_.transactional_id,
      "' took over (every running instance needs its own kafka.transactional_id "
      "or --transactional-id), or the broker aborted a transaction left open "
      "longer than the producer's transaction.timeout.ms");
}

absl::Status TransactionCommitter::StartProducer() {
  return producer_->InitTransactions(absl::Seconds(10));
}

}  // namespace newsd
