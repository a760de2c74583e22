#include "pipeline/daemon.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/log.h"

namespace newsd {

int Daemon::DetachedWorkers() { return WorkerPool::DetachedWorkers(); }

namespace {

constexpr size_t kPollBatch = 500;

}  // namespace

void Daemon::OnProducerFatal(absl::Status status) {
  producer_->OnFatal(std::move(status), state_ == State::kRunning, fatal_.has_value());
}

Daemon::~Daemon() {
  // Unprocessed messages are uncommitted: redelivered after a restart. A worker
  // stuck in a stage is detached: it only holds the chain, which the caller must
  // keep alive while DetachedWorkers() > 0 (main ends the process without
  // destroying it).
  pool_.reset();
  // Close the consumer before members it calls back into go away.
  if (source_) source_->Close().IgnoreError();
}

void Daemon::CountSkipped(const Slot& slot) {
  for (const ChainSkip& skip : slot.result().skipped) {
    committer_->CountSkipped(skip.stage, skip.kind);
    if (LogEnabled(LogLevel::kDebug)) {
      MessageLogContext context = LogContextOf(slot.message, &slot.result());
      context.fields = {{"stage", skip.stage}, {"kind", skip.kind}, {"reason", skip.reason}};
      Log(LogLevel::kDebug, "skipped: not an article", context);
    }
  }
}

void Daemon::Dispatch(RawMessage message) {
  std::shared_ptr<Slot> slot = in_flight_.Add(std::move(message));
  if (!slot) return;  // not (or no longer) assigned: redelivered later
  message_metrics_.consumed(slot->tp.topic).Increment();
  pool_->Submit(std::move(slot));
}

void Daemon::ProduceReady() {
  if (committer_->NeedsAbort()) return;
  in_flight_.TakeReady(
      [this] {
        if (sink_->outq_len() >= static_cast<int>(config_.max_producer_queue())) return false;
        if (!committer_->ReadyToProduce()) {
          TakeCommitterFatal();
          return false;
        }
        return true;
      },
      [this](const std::shared_ptr<Slot>& slot) {
        ProduceSlot(slot);
        if (fatal_ || committer_->NeedsAbort()) return false;
        committer_->Produced(slot->tp, slot->message.offset);
        return true;
      });
}

void Daemon::EnforceTimeBudget() {
  for (const std::shared_ptr<WorkItem>& item : pool_->AbandonOverdue(absl::Now())) {
    Log(LogLevel::kWarning, "message over its time budget: dead-lettered, worker replaced",
        LogContextOf(item->message, nullptr));
  }
}

void Daemon::ProduceSlot(const std::shared_ptr<Slot>& slot) {
  // Only the chain's result (an abandoned slot has the time budget's).
  if (slot->done()) message_metrics_.ObserveChainResult(slot->result());
  // An output of this input was refused as too large before (exactly-once: the
  // transaction was aborted and the input processed again): its next form only.
  OutputPlan plan = PlanOutputs(slot->message, slot->result(),
                                publisher_->Refused(slot->tp, slot->message.offset),
                                plan_options_, absl::Now());
  // State first: the stores changed whatever became of the message.
  if (!publisher_->ProduceAll(slot, plan.state_changes)) return;
  if (plan.dead_letter) {
    publisher_->ProduceDeadLetter(slot, *plan.dead_letter);
    return;
  }
  if (plan.all_skipped) {
    // Not an article: no event and no dead letter. The offset is done as soon as
    // the state changes produced above (if any) are acknowledged.
    CountSkipped(*slot);
    publisher_->AckIfDone(*slot);
    return;
  }
  // Kills and newer versions: their story's other held (older) events must never
  // come out after them.
  for (const Superseding& superseding : plan.superseding) {
    for (v1::HeldEvent& dropped : held_.DropStory(superseding.story_id, superseding.article_id)) {
      Log(LogLevel::kInfo, "held event dropped: its story was killed or superseded",
          MessageLogContext{HeldEvents::KeyOf(dropped), dropped.input_topic(),
                            dropped.input_partition(), dropped.input_offset(), {}});
      plan.outputs.push_back(HeldDeletion(dropped, plan_options_));
      // Held again if the outputs are aborted.
      committer_->UndoOnAbort([this, dropped = std::move(dropped)] { held_.Return({dropped}); });
    }
  }
  for (v1::HeldEvent& held : plan.holds) held_.Hold(std::move(held));
  CountSkipped(*slot);  // items of the message that are not articles
  publisher_->ProduceAll(slot, plan.outputs);
}

void Daemon::ReleaseDueEvents() {
  const absl::Time caught_up = state_stores_->caught_up_at();
  // Only the owner of the input partition releases, and only once the changelog
  // has been read past the assignment (a release by the previous owner is known).
  auto owned = [&](const std::string& topic, int32_t partition) {
    const std::optional<absl::Time> assigned_at = in_flight_.assigned_at({topic, partition});
    return assigned_at && caught_up > *assigned_at;
  };
  std::vector<v1::HeldEvent> due = held_.TakeDue(absl::Now(), owned);
  for (size_t i = 0; i < due.size(); ++i) {
    if (fatal_ || committer_->NeedsAbort() || !committer_->ReadyToProduce()) {
      TakeCommitterFatal();
      held_.Return(std::vector<v1::HeldEvent>(due.begin() + i, due.end()));
      return;
    }
    const v1::HeldEvent& held = due[i];
    const MessageLogContext context{held.event().article().id(), held.input_topic(),
                                    held.input_partition(), held.input_offset(), {}};
    const PlannedRelease release = PlanRelease(held, plan_options_);
    if (publisher_->FitsAlone(release.event.record) == false) {
      // Refused by the output topic's max.message.bytes on every attempt (a loop in
      // exactly-once mode): dropped. Its input was committed when it was held.
      metrics_->OutputsRefused("released_event", "nothing").Increment();
      Log(LogLevel::kError,
          "embargo passed, but the held event exceeds the output topic's "
          "max.message.bytes: dropped (its input stays in its topic at this offset)",
          context);
    } else {
      Log(LogLevel::kInfo, "embargo passed: publishing the held event", context);
      publisher_->Produce(nullptr, release.event.record, Publisher::Output::kReleased);
    }
    publisher_->Produce(nullptr, release.deletion.record, Publisher::Output::kChangelog);
    committer_->UndoOnAbort([this, held] { held_.Return({held}); });  // held again on abort
  }
}

CommitOffsets Daemon::Acknowledged(const std::vector<TopicPartition>* only) {
  CommitOffsets commits = in_flight_.PendingCommits();
  if (only) {
    commits.erase(std::remove_if(commits.begin(), commits.end(),
                                 [only](const auto& c) {
                                   return std::find(only->begin(), only->end(), c.first) ==
                                          only->end();
                                 }),
                  commits.end());
  }
  return commits;
}

void Daemon::Committed(const CommitOffsets& committed) {
  for (const auto& [tp, offset] : committed) {
    if (in_flight_.assigned(tp)) {  // still assigned
      in_flight_.MarkCommitted(tp, offset);
      monitor_->Committed(tp, offset);
    }
    publisher_->Committed(tp, offset);
  }
  TakeCommitterFatal();
}

void Daemon::TakeCommitterFatal() {
  if (std::optional<absl::Status> fatal = committer_->TakeFatal()) OnProducerFatal(*fatal);
}

bool Daemon::DrainPartitions(const std::vector<TopicPartition>& partitions, absl::Time deadline) {
  while (!fatal_ && committer_->Producing()) {
    EnforceTimeBudget();
    ProduceReady();
    bool empty = true;
    for (const TopicPartition& tp : partitions) {
      if (!in_flight_.Idle(tp)) {
        empty = false;
        break;
      }
    }
    if (empty) return true;
    if (absl::Now() >= deadline) return false;
    sink_->Poll(absl::Milliseconds(5));
  }
  return false;
}

void Daemon::OnAssigned(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) in_flight_.Assign(tp);
  monitor_->Assigned(partitions);
  if (backpressure_.paused() || state_ == State::kDraining || committer_->NeedsAbort()) {
    source_->Pause(partitions).IgnoreError();
  }
}

void Daemon::OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) {
  if (lost) {
    // Another member may already own them: nothing of an open transaction may commit.
    committer_->AbandonOpenTransaction();
  } else {
    // Finish the revoked partitions' work, then commit (EXACTLY_ONCE: everything
    // produced so far, with its offsets) before giving them up. An unfinished
    // commit is resumed first; if it still does not finish, the next owner's offset
    // fetch waits for its outcome (read_committed consumers require stable
    // offsets, KIP-447).
    Committed(committer_->Resume());
    const absl::Time deadline = absl::Now() + absl::Milliseconds(config_.shutdown_timeout_ms());
    if (!DrainPartitions(partitions, deadline) && !committer_->AbandonOpenTransaction()) {
      Log(LogLevel::kWarning, "revoke: in-flight messages not acknowledged before the deadline; "
                              "the next owner will reprocess them");
    }
    Committed(committer_->CommitNow([&] { return Acknowledged(&partitions); }));
  }
  if (committer_->NeedsAbort()) AbortAndRewind(lost ? "assignment lost" : "partitions revoked");
  DropInFlight(&partitions);
  in_flight_.Revoke(partitions);
  monitor_->Revoked(partitions);
  for (const TopicPartition& tp : partitions) {
    publisher_->Forget(tp);
    committer_->Forget(tp);
  }
}

void Daemon::DropInFlight(const std::vector<TopicPartition>* only) {
  in_flight_.DropQueued(only);
  // Queued ones never run; running ones finish unobserved.
  pool_->Cancel([only](const WorkItem& item) {
    return !only || std::find(only->begin(), only->end(),
                              TopicPartition{item.message.topic, item.message.partition}) !=
                        only->end();
  });
}

void Daemon::AbortAndRewind(absl::string_view reason) {
  if (!committer_->Abort()) {
    if (std::optional<absl::Status> fatal = committer_->TakeFatal()) {
      OnProducerFatal(*fatal);
      return;
    }
    // Brokers unreachable: the abort is retried from the loop (partitions paused).
    source_->Pause(source_->Assignment()).IgnoreError();
    return;
  }
  ResetAfterAbort(reason);
}

void Daemon::ResetAfterAbort(absl::string_view reason) {
  // A new epoch (delivery reports of the aborted outputs are ignored); released
  // events of the aborted transaction are held again.
  committer_->Reset();
  DropInFlight(nullptr);
  const std::vector<TopicPartition> assigned = in_flight_.Assigned();
  in_flight_.DropAll();
  if (absl::Status s = source_->SeekToCommitted(assigned, absl::Seconds(30)); !s.ok()) {
    // Without a rewind the uncommitted range would be skipped: stop instead.
    Fail(absl::Status(s.code(), absl::StrCat("rewind after abort: ", s.message())));
    return;
  }
  if (!backpressure_.paused() && state_ == State::kRunning) source_->Resume(assigned).IgnoreError();
  Log(LogLevel::kWarning, absl::StrCat("transaction aborted (", reason,
                                       "); rewound to the committed offsets"));
}

void Daemon::ApplyBackpressure() {
  const Backpressure::Action action = backpressure_.Check(
      {in_flight_.messages(), in_flight_.bytes(), sink_->outq_len()},
      state_ == State::kRunning && !committer_->NeedsAbort(), in_flight_.assigned_count(),
      absl::Now());
  if (action == Backpressure::Action::kPause) {
    source_->Pause(source_->Assignment()).IgnoreError();
  } else if (action == Backpressure::Action::kResume) {
    source_->Resume(source_->Assignment()).IgnoreError();
  }
}

void Daemon::UpdateGauges() {
  const absl::Time now = absl::Now();
  const KafkaSink::QueueFullWaits waits = sink_->TakeQueueFullWaits();
  backpressure_.CountQueueFullWaits(waits.waits, waits.waited);
  if (!sink_->connected() && monitor_->ConnectionCheckDue(now)) {
    sink_->CheckConnection(absl::Milliseconds(500)).IgnoreError();
  }
  LagMonitor::Snapshot snapshot;
  snapshot.running = state_ == State::kRunning;
  snapshot.connected = sink_->connected();
  snapshot.committer_not_ready = committer_->NotReadyReason();
  snapshot.inflight_messages = in_flight_.messages();
  snapshot.producer_queue = sink_->outq_len();
  snapshot.oldest_queued = in_flight_.OldestQueuedTimestamp();
  snapshot.paused = backpressure_.paused();
  monitor_->Update(snapshot, now);
}

void Daemon::Fail(absl::Status status) {
  if (fatal_) return;
  Log(LogLevel::kError, absl::StrCat("fatal: ", status.ToString()));
  if (std::string hint = committer_->FatalHint(status); !hint.empty()) {
    Log(LogLevel::kError, hint);
  }
  metrics_->fatal_errors().Increment();
  fatal_ = std::move(status);
  state_ = State::kFailed;
  health_->live = false;
  health_->ready = false;
}


std::optional<absl::Status> Daemon::Start(const std::atomic<bool>& stop) {
  if (!producer_->WaitForBrokers(stop)) {
    if (fatal_) return *fatal_;
    Log(LogLevel::kInfo, "stopped before the brokers were reachable");
    return absl::OkStatus();
  }
  const KafkaAdmin admin(sink_->handle());
  KafkaChangelogTopicAdmin changelog_admin(&admin);
  if (!state_stores_->Restore(changelog_admin, stop)) {
    if (fatal_) return *fatal_;
    Log(LogLevel::kInfo, "stopped while restoring the state from the changelog");
    return absl::OkStatus();
  }
  if (absl::Status s = source_->Subscribe(); !s.ok()) return s;
  state_ = State::kRunning;
  Log(LogLevel::kInfo,
      absl::StrCat("running (", committer_->mode(), "): ",
                   config_.kafka().input_topics_size(), " input topic(s)",
                   config_.kafka().input_topic_pattern().empty()
                       ? ""
                       : absl::StrCat(" + pattern ", config_.kafka().input_topic_pattern()),
                   " → ",
                   config_.kafka().output_topic(), ", dead letters → ",
                   config_.kafka().dead_letter_topic()));
  return std::nullopt;
}

void Daemon::BeginDrain(LoopTimers& timers) {
  state_ = State::kDraining;
  timers.drain_deadline = absl::Now() + absl::Milliseconds(config_.shutdown_timeout_ms());
  source_->Pause(source_->Assignment()).IgnoreError();
  Log(LogLevel::kInfo, absl::StrCat("draining ", in_flight_.messages(), " in-flight messages"));
}

bool Daemon::DrainFinished(const LoopTimers& timers) {
  if (in_flight_.Idle() || committer_->NeedsAbort()) return true;
  if (absl::Now() < timers.drain_deadline) return false;
  Log(LogLevel::kWarning, absl::StrCat("drain deadline reached with ", in_flight_.messages(),
                                       " messages unacknowledged; they will be "
                                       "reprocessed after restart"));
  committer_->AbandonOpenTransaction();
  return true;
}

bool Daemon::PollAndDispatch(std::vector<RawMessage>& batch) {
  batch.clear();
  const absl::Duration timeout =
      in_flight_.messages() > 0 ? absl::Milliseconds(2) : absl::Milliseconds(100);
  // Take no more than the in-flight bound leaves room for (librdkafka's own
  // prefetch queue is bounded by queued.max.messages.kbytes). When full, the
  // partitions are paused; consume() is still called (at most one message, which
  // a pause normally withholds) so rebalances are served and max.poll.interval.ms
  // is never exceeded.
  const size_t inflight = in_flight_.messages();
  const size_t room =
      config_.max_inflight_messages() > inflight ? config_.max_inflight_messages() - inflight : 0;
  const size_t take = std::max<size_t>(1, std::min(kPollBatch, room));
  if (absl::Status s = source_->Poll(timeout, take, &batch); !s.ok()) {
    Fail(s);
    return false;
  }
  if (!committer_->NeedsAbort()) {
    for (RawMessage& m : batch) Dispatch(std::move(m));
  }  // else: dropped; the rewind re-delivers them
  return true;
}

void Daemon::ServiceProducer(const std::atomic<bool>& stop) {
  sink_->Poll(absl::ZeroDuration());  // delivery reports → publisher_
  if (std::optional<absl::Status> f = sink_->fatal_error()) OnProducerFatal(*f);
  if (producer_->replacement_pending() && !fatal_ && producer_->Replace(stop)) {
    ResetAfterAbort("producer replaced");
  }
}

absl::Status Daemon::Run(const std::atomic<bool>& stop) {
  if (std::optional<absl::Status> stopped = Start(stop)) return *stopped;
  LoopTimers timers;
  std::vector<RawMessage> batch;
  while (!fatal_) {
    if (stop.load() && state_ == State::kRunning) BeginDrain(timers);
    if (state_ == State::kDraining && DrainFinished(timers)) break;
    if (committer_->AbortDue(absl::Now())) AbortAndRewind("abortable error");
    if (!PollAndDispatch(batch)) break;
    EnforceTimeBudget();
    ProduceReady();
    if (state_ == State::kRunning && timers.ReleaseDue(absl::Now())) ReleaseDueEvents();
    ServiceProducer(stop);
    if (state_ == State::kRunning) ApplyBackpressure();
    // Commits when due (EXACTLY_ONCE: not while the producer reaches no broker:
    // librdkafka's send_offsets_to_transaction ignores its timeout while the group
    // coordinator is down, librdkafka issue #5456, and would block the loop).
    Committed(committer_->Tick(absl::Now(), sink_->connected(),
                               [this] { return Acknowledged(nullptr); }));
    UpdateGauges();
  }
  return Finish(timers);
}

absl::Status Daemon::Finish(const LoopTimers& timers) {
  // Commit what is complete (transaction or acknowledged offsets).
  if (!fatal_) {
    const absl::Duration left = std::max(absl::Seconds(1), timers.drain_deadline - absl::Now());
    Committed(committer_->Finish(std::min(left, absl::Seconds(60)),
                                 [this] { return Acknowledged(nullptr); }));
    if (committer_->NeedsAbort()) AbortAndRewind("shutdown");
  }
  health_->not_ready_reason = "shutting down";
  health_->ready = false;
  metrics_->ready().Set(0);
  // Leaving the group runs OnRevoked for the remaining partitions.
  if (absl::Status s = source_->Close(); !s.ok()) {
    Log(LogLevel::kWarning, std::string(s.message()));
  }
  health_->assigned_partitions = 0;
  metrics_->assigned_partitions().Set(0);
  if (fatal_) {
    committer_->FlushAfterFatal();
    return *fatal_;
  }
  state_ = State::kStopped;
  Log(LogLevel::kInfo, "stopped cleanly");
  return absl::OkStatus();
}

}  // namespace newsd
