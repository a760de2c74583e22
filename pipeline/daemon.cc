#include "pipeline/daemon.h"

#include <regex.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/config.h"
#include "pipeline/instance.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/kafka_clients.h"
#include "pipeline/kafka_status.h"
#include "pipeline/log.h"
#include "pipeline/wire_format.h"
#include "pipeline/offset_committer.h"
#include "pipeline/transaction_committer.h"
#include "pipeline/utf8.h"

namespace newsd {

// The committers' view of the Kafka clients (committer.h). The producer is looked
// up on every call: ReplaceProducer swaps it.
struct Daemon::KafkaPorts final : TransactionalProducer, AcknowledgingProducer, OffsetStore {
  KafkaPorts(const std::unique_ptr<KafkaSink>* sink, const std::unique_ptr<KafkaSource>* source)
      : sink(sink), source(source) {}

  absl::Status InitTransactions(absl::Duration timeout) override {
    return (*sink)->InitTransactions(timeout);
  }
  absl::Status BeginTransaction() override { return (*sink)->BeginTransaction(); }
  absl::Status SendOffsets(const CommitOffsets& offsets, absl::Duration timeout) override {
    std::vector<std::pair<std::string, std::pair<int32_t, int64_t>>> next;
    next.reserve(offsets.size());
    for (const auto& [tp, offset] : offsets) next.push_back({tp.topic, {tp.partition, offset}});
    std::unique_ptr<RdKafka::ConsumerGroupMetadata> group = (*source)->GroupMetadata();
    return (*sink)->SendOffsetsToTransaction(next, group.get(), timeout);
  }
  absl::Status CommitTransaction(absl::Duration timeout) override {
    return (*sink)->CommitTransaction(timeout);
  }
  absl::Status AbortTransaction(absl::Duration timeout) override {
    return (*sink)->AbortTransaction(timeout);
  }
  std::optional<absl::Status> FatalError() const override {
    return *sink ? (*sink)->fatal_error() : std::nullopt;
  }
  absl::Status CheckConnection(absl::Duration timeout) override {
    return (*sink)->CheckConnection(timeout);
  }
  absl::Status Flush(absl::Duration timeout) override { return (*sink)->Flush(timeout); }
  absl::Status Commit(const CommitOffsets& offsets, bool sync) override {
    return (*source)->Commit(offsets, sync);
  }

  const std::unique_ptr<KafkaSink>* const sink;
  const std::unique_ptr<KafkaSource>* const source;
};

int Daemon::DetachedWorkers() { return WorkerPool::DetachedWorkers(); }

namespace {

constexpr size_t kPollBatch = 500;

// Log context of a line about `message` (article id: the chain's, if it ran).
MessageLogContext LogContextOf(const RawMessage& message, const ChainResult* result) {
  MessageLogContext context;
  context.article_id = result ? result->event.article().id() : std::string();
  context.topic = message.topic;
  context.partition = message.partition;
  context.offset = message.offset;
  return context;
}

}  // namespace

Daemon::Daemon(const v1::PipelineConfig& config, const Chain* chain, Metrics* metrics,
               Health* health)
    : config_(config),
      chain_(chain),
      metrics_(metrics),
      health_(health),
      message_metrics_(metrics, chain->StageNames(),
                       {config.kafka().input_topics().begin(), config.kafka().input_topics().end()},
                       config.kafka().output_topic()),
      changelog_topic_(config.kafka().changelog_topic().empty()
                           ? DefaultChangelogTopic(config.kafka().group_id())
                           : config.kafka().changelog_topic()) {
  // A random id per process start: its own changelog records are not re-applied.
  std::random_device random;
  instance_id_ = absl::StrCat(absl::Hex(random(), absl::kZeroPad8), absl::Hex(random(), absl::kZeroPad8),
                              "-", getpid());
  plan_options_.output_topic = config_.kafka().output_topic();
  plan_options_.dead_letter_topic = config_.kafka().dead_letter_topic();
  plan_options_.changelog_topic = changelog_topic_;
  plan_options_.schema_registry_id = config_.schema_registry_id();
  plan_options_.max_output_bytes = config_.max_output_bytes();
  plan_options_.instance_id = instance_id_;
  plan_options_.held_store = std::string(held_.name());
  // (message_metrics_ creates the consumed and published series at 0 from the
  // start, so dashboards and alerts see them before traffic.)
}

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Create(const v1::PipelineConfig& config,
                                                        const Chain* chain, Metrics* metrics,
                                                        Health* health) {
  std::unique_ptr<Daemon> daemon(new Daemon(config, chain, metrics, health));

  // The clients' options, as validation checks them (pipeline/kafka_clients.h).
  const KafkaClientOptions clients = KafkaClientOptionsFromConfig(config);
  KafkaSinkOptions sink_options = clients.producer;
  // The one place that looks at the delivery mode: the producer's transactional.id
  // and the committer below.
  const bool exactly_once = config.delivery() == v1::EXACTLY_ONCE;
  if (exactly_once) {
    if (sink_options.transactional_id.empty()) {
      // (`newsd run` sets it, from --instance; this is for embedders.)
      sink_options.transactional_id = DefaultTransactionalId(config, "");
    }
    daemon->transactional_id_ = sink_options.transactional_id;
  }
  daemon->sink_options_ = sink_options;
  absl::StatusOr<std::unique_ptr<KafkaSink>> sink = daemon->CreateSink();
  if (!sink.ok()) return sink.status();
  daemon->sink_ = *std::move(sink);

  absl::StatusOr<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Create(clients.consumer, daemon.get());
  if (!source.ok()) return source.status();
  daemon->source_ = *std::move(source);

  // The delivery mode, chosen once: the committer.
  daemon->ports_ = std::make_unique<KafkaPorts>(&daemon->sink_, &daemon->source_);
  const absl::Duration commit_interval = absl::Milliseconds(config.commit_interval_ms());
  if (exactly_once) {
    TransactionOptions options;
    options.call_timeout = absl::Milliseconds(config.transaction_call_timeout_ms());
    options.max_messages = config.transaction_max_messages();
    options.interval = commit_interval;
    options.transactional_id = sink_options.transactional_id;
    for (const auto& [name, value] : sink_options.properties) {
      int64_t ms = 0;
      if (name == "transaction.timeout.ms" && absl::SimpleAtoi(value, &ms)) {
        options.transaction_timeout = absl::Milliseconds(ms);
      }
    }
    Daemon* const d = daemon.get();
    daemon->committer_ = std::make_unique<TransactionCommitter>(
        options, daemon->ports_.get(), metrics,
        [d](const TopicPartition& tp) { return d->in_flight_.assigned(tp); });
  } else {
    daemon->committer_ = std::make_unique<OffsetCommitter>(
        daemon->ports_.get(), daemon->ports_.get(), metrics, &daemon->message_metrics_,
        commit_interval);
  }
  // The publisher, over the same producer (looked up per call: it is replaced).
  PublisherHooks hooks;
  hooks.producer_failed = [d = daemon.get()](absl::Status s) { d->OnProducerFatal(std::move(s)); };
  hooks.fail = [d = daemon.get()](absl::Status s) { d->Fail(std::move(s)); };
  hooks.failed = [d = daemon.get()] { return d->fatal_.has_value(); };
  daemon->publisher_ = std::make_unique<Publisher>(
      daemon->plan_options_, std::make_unique<KafkaSinkRecordProducer>(&daemon->sink_),
      daemon->committer_.get(), &daemon->in_flight_, metrics, std::move(hooks));

  daemon->stores_ = chain->StateStores();
  daemon->stores_.push_back(&daemon->held_);
  ChangelogReaderOptions changelog_options = clients.changelog;
  changelog_options.topic = daemon->changelog_topic();
  changelog_options.own_instance = daemon->instance_id_;
  absl::StatusOr<std::unique_ptr<ChangelogReader>> changelog =
      ChangelogReader::Create(changelog_options, daemon->stores_, metrics);
  if (!changelog.ok()) return changelog.status();
  daemon->changelog_ = *std::move(changelog);

  unsigned threads = config.worker_threads();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  WorkerPoolOptions pool_options;
  pool_options.threads = threads;
  pool_options.time_budget = absl::Milliseconds(config.message_time_budget_ms());
  // Workers finish their current message (if any) at shutdown; one stuck in a stage
  // longer than this is detached (DetachedWorkers).
  pool_options.shutdown_grace = std::min(absl::Seconds(5), pool_options.time_budget);
  daemon->pool_ = std::make_unique<WorkerPool>(
      [chain](const RawMessage& message, absl::Time start) { return chain->Run(message, start); },
      pool_options);
  return daemon;
}

absl::StatusOr<std::unique_ptr<KafkaSink>> Daemon::CreateSink() {
  return KafkaSink::Create(sink_options_, [this](KafkaSink::DeliveryReport report) {
    publisher_->OnDelivery(std::move(report));
  });
}

void Daemon::OnProducerFatal(absl::Status status) {
  if (!fatal_ && committer_->FencedByAnotherInstance(status, absl::Now())) {
    metrics_->Transactions("fenced").Increment();
    Log(LogLevel::kError,
        absl::StrCat("fenced: another producer with transactional.id '", transactional_id_,
                     "' started (a newer instance, or a restart of this one elsewhere); this "
                     "instance stops without taking it back. Give every running instance its "
                     "own id (--instance NAME or --transactional-id)"));
    Fail(std::move(status));
    return;
  }
  if (!committer_->CanReplaceProducer() || state_ != State::kRunning) {
    Fail(std::move(status));
    return;
  }
  // Replaced from the loop (this may run inside the producer's own callbacks).
  if (!producer_fatal_) producer_fatal_ = std::move(status);
  committer_->ProducerFailed();
}

void Daemon::ReplaceProducer(const std::atomic<bool>& stop) {
  const absl::Status cause = *std::move(producer_fatal_);
  producer_fatal_.reset();
  if (!committer_->AllowReplacement(absl::Now())) {
    Log(LogLevel::kError,
        absl::StrCat("the producer failed fatally ",
                     TransactionCommitter::kMaxProducerReplacements + 1, " times in ",
                     absl::FormatDuration(TransactionCommitter::kProducerReplacementWindow),
                     "; giving up"));
    Fail(cause);
    return;
  }
  Log(LogLevel::kWarning,
      absl::StrCat("producer failed fatally (", cause.message(),
                   "); replacing it with a new one under the same transactional.id (which "
                   "aborts the open transaction); work in flight is re-consumed from the "
                   "committed offsets"));
  metrics_->Transactions("producer_replaced").Increment();
  committer_->ProducerReplaced();  // reports of the old producer's messages are ignored
  sink_->PurgeAll();
  sink_.reset();
  absl::StatusOr<std::unique_ptr<KafkaSink>> sink = CreateSink();
  if (!sink.ok()) {
    Fail(sink.status());
    return;
  }
  sink_ = *std::move(sink);
  if (!WaitForBrokers(stop)) {  // init_transactions: fences the old producer's epoch
    if (!fatal_) Fail(absl::CancelledError("stopped while replacing the producer"));
    return;
  }
  ResetAfterAbort("producer replaced");
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

void Daemon::ObserveSlot(const Slot& slot) {
  // Only the chain's result (an abandoned slot has the time budget's).
  if (!slot.done()) return;
  const ChainResult& result = slot.result();
  const bool all_skipped = result.all_skipped;
  auto observe = [&](const v1::ArticleEvent& event) {
    for (const std::string& flag : event.article().flags()) {
      message_metrics_.article_flags(flag).Increment();
    }
  };
  if (!all_skipped) observe(result.event);  // flags of published articles
  for (const v1::ArticleEvent& event : result.more_events) observe(event);
  const auto& timings = result.event.stages();
  for (int i = 0; i < timings.size(); ++i) {
    prometheus::Histogram* duration = message_metrics_.stage_duration(i);
    if (duration == nullptr) break;
    duration->Observe(timings[i].duration().seconds() + timings[i].duration().nanos() * 1e-9);
  }
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
  ObserveSlot(*slot);
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
  const absl::Time caught_up = changelog_->caught_up_at();
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
      group_committed_[tp] = offset;
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
  if (paused_ || state_ == State::kDraining || committer_->NeedsAbort()) {
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
  for (const TopicPartition& tp : partitions) {
    publisher_->Forget(tp);
    committer_->Forget(tp);
    metrics_->RemoveConsumerLag(tp.topic, tp.partition);
    group_committed_.erase(tp);
    queried_watermarks_.erase(tp);
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
  if (!paused_ && state_ == State::kRunning) source_->Resume(assigned).IgnoreError();
  Log(LogLevel::kWarning, absl::StrCat("transaction aborted (", reason,
                                       "); rewound to the committed offsets"));
}

void Daemon::ApplyBackpressure() {
  const size_t inflight = in_flight_.messages();
  const uint64_t inflight_bytes = in_flight_.bytes();
  const size_t max = config_.max_inflight_messages();
  const uint64_t max_bytes = config_.max_inflight_bytes();
  const int queued = sink_->outq_len();
  const int max_queue = static_cast<int>(config_.max_producer_queue());
  const absl::Time now = absl::Now();
  if (paused_ && !pause_reason_.empty()) {
    metrics_->BackpressureWaitSeconds(pause_reason_)
        .Increment(absl::ToDoubleSeconds(now - pause_accounted_));
    pause_accounted_ = now;
  }
  if (!paused_ && (inflight >= max || inflight_bytes >= max_bytes || queued >= max_queue)) {
    paused_ = true;
    pause_reason_ = inflight >= max               ? "inflight_messages"
                    : inflight_bytes >= max_bytes ? "inflight_bytes"
                                                   : "producer_queue";
    pause_accounted_ = now;
    metrics_->BackpressureWaits(pause_reason_).Increment();
    source_->Pause(source_->Assignment()).IgnoreError();
    Log(LogLevel::kInfo, absl::StrCat("backpressure: pausing (", inflight, " messages, ",
                                      inflight_bytes, " bytes in flight, ", queued,
                                      " queued in the producer)"));
  } else if (paused_ && inflight <= max / 2 && inflight_bytes <= max_bytes / 2 &&
             queued <= max_queue / 2 && state_ == State::kRunning &&
             !committer_->NeedsAbort()) {
    paused_ = false;
    pause_reason_.clear();
    source_->Resume(source_->Assignment()).IgnoreError();
    Log(LogLevel::kInfo, "backpressure: resumed");
  }
  metrics_->paused().Set(paused_ ? static_cast<double>(in_flight_.assigned_count()) : 0);
}

void Daemon::UpdateGauges() {
  const absl::Time now = absl::Now();
  metrics_->inflight().Set(static_cast<double>(in_flight_.messages()));
  metrics_->producer_queue_messages().Set(static_cast<double>(sink_->outq_len()));
  if (KafkaSink::QueueFullWaits w = sink_->TakeQueueFullWaits(); w.waits > 0) {
    metrics_->BackpressureWaits("producer_queue_full").Increment(static_cast<double>(w.waits));
    metrics_->BackpressureWaitSeconds("producer_queue_full")
        .Increment(absl::ToDoubleSeconds(w.waited));
  }
  if (!sink_->connected() && now - last_connection_check_ > absl::Seconds(5)) {
    last_connection_check_ = now;
    sink_->CheckConnection(absl::Milliseconds(500)).IgnoreError();
  }
  metrics_->connected().Set(sink_->connected() ? 1 : 0);
  const char* reason = nullptr;
  if (state_ != State::kRunning) {
    reason = "shutting down";
  } else if (!sink_->connected()) {
    reason = "producer not connected to a broker";
  } else {
    reason = committer_->NotReadyReason();
  }
  // Owning no partition does not make an instance unready: an idle member takes
  // partitions over in the next rebalance (and would block rollouts otherwise).
  health_->assigned_partitions = static_cast<int>(in_flight_.assigned_count());
  metrics_->assigned_partitions().Set(static_cast<double>(in_flight_.assigned_count()));
  if (reason != nullptr) health_->not_ready_reason = reason;
  health_->ready = reason == nullptr;
  if (reason == nullptr) health_->ready_unix_ns = absl::ToUnixNanos(now);
  health_->heartbeat_unix_ns = absl::ToUnixNanos(now);
  metrics_->SetHealth(*health_, now);
  if (now - last_gauges_ < absl::Seconds(1)) return;
  last_gauges_ = now;
  UpdateStateGauges();
  UpdateLag(now);
  UpdateTopicGauges(now);
  // Lag in seconds: age of the oldest message consumed and not yet committed.
  const std::optional<absl::Time> oldest = in_flight_.OldestQueuedTimestamp();
  metrics_->consumer_lag_seconds().Set(
      !oldest ? 0 : std::max(0.0, absl::ToDoubleSeconds(now - *oldest)));
}

void Daemon::UpdateLag(absl::Time now) {
  // Broker calls only when due and while the brokers answer, within about 2 s.
  const bool query = now - last_lag_query_ >= kLagQueryInterval && sink_->connected();
  if (query) {
    last_lag_query_ = now;
    std::vector<TopicPartition> unknown;
    for (const TopicPartition& tp : in_flight_.Assigned()) {
      if (!group_committed_.count(tp)) unknown.push_back(tp);
    }
    if (!unknown.empty()) {
      auto committed = source_->CommittedOffsets(unknown, absl::Seconds(1));
      if (committed.ok()) {
        for (const auto& [tp, offset] : *committed) {
          if (in_flight_.assigned(tp)) group_committed_.emplace(tp, offset);
        }
      } else {
        Log(LogLevel::kDebug, absl::StrCat("lag: ", committed.status().message()));
      }
    }
  }
  std::map<TopicPartition, KafkaSource::Watermarks> cached;
  std::vector<TopicPartition> to_query;
  for (const TopicPartition& tp : in_flight_.Assigned()) {
    // Cached from fetch responses; a partition not fetched yet has none, a paused one
    // a stale one: ask its leader.
    // The low watermark matters only while the group has no committed offset.
    const KafkaSource::Watermarks w = source_->CachedWatermarks(tp);
    cached[tp] = w;
    auto committed = group_committed_.find(tp);
    auto asked = queried_watermarks_.find(tp);
    const bool needs_low = (committed == group_committed_.end() || committed->second < 0) &&
                           w.low < 0 &&
                           (asked == queried_watermarks_.end() || asked->second.first < 0);
    if (query && (w.high < 0 || paused_ || needs_low)) to_query.push_back(tp);
  }
  // At most about 1 s of queries per round, taking turns when that is not enough.
  const absl::Time query_deadline = absl::Now() + absl::Seconds(1);
  size_t queried = 0;
  for (; queried < to_query.size() && absl::Now() < query_deadline; ++queried) {
    const TopicPartition& tp = to_query[(lag_query_turn_ + queried) % to_query.size()];
    auto q = source_->QueryWatermarks(tp, absl::Milliseconds(500));
    if (q.ok()) queried_watermarks_[tp] = {q->low, q->high};
  }
  lag_query_turn_ += queried;
  for (const TopicPartition& tp : in_flight_.Assigned()) {
    KafkaSource::Watermarks w = cached[tp];
    // Watermarks only grow: take the newer of the cached and the queried ones.
    if (auto it = queried_watermarks_.find(tp); it != queried_watermarks_.end()) {
      w.low = std::max(w.low, it->second.first);
      w.high = std::max(w.high, it->second.second);
    }
    auto committed = group_committed_.find(tp);
    if (committed == group_committed_.end() || w.high < 0) continue;  // not known yet
    int64_t start = committed->second;
    if (start < 0) start = source_->starts_at_earliest() ? w.low : w.high;  // none committed
    if (start < 0) continue;
    metrics_->ConsumerLag(tp.topic, tp.partition)
        .Set(static_cast<double>(std::max<int64_t>(0, w.high - start)));
  }
}

void Daemon::UpdateTopicGauges(absl::Time now) {
  if (now - last_topics_check_ < source_->metadata_refresh_interval() || !sink_->connected()) {
    return;
  }
  last_topics_check_ = now;
  absl::StatusOr<std::vector<std::string>> topics = source_->ClusterTopics(absl::Seconds(2));
  if (!topics.ok()) {
    Log(LogLevel::kDebug, absl::StrCat("topic gauges: ", topics.status().message()));
    return;
  }
  const std::set<std::string> existing(topics->begin(), topics->end());
  std::set<std::string> subscribed;
  int missing = 0;
  for (const std::string& topic : config_.kafka().input_topics()) {
    if (existing.count(topic)) {
      subscribed.insert(topic);
    } else {
      ++missing;
    }
  }
  const std::string& pattern = config_.kafka().input_topic_pattern();
  regex_t re;
  if (!pattern.empty() && regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0) {
    for (const std::string& topic : existing) {
      if (regexec(&re, topic.c_str(), 0, nullptr, 0) == 0) subscribed.insert(topic);
    }
    regfree(&re);
  }
  metrics_->input_topics_missing().Set(missing);
  metrics_->input_topics_subscribed().Set(static_cast<double>(subscribed.size()));
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

void Daemon::UpdateStateGauges() {
  for (const StateStore* store : stores_) {
    for (const auto& [kind, n] : store->Sizes()) {
      metrics_->StateStoreRecords(std::string(store->name()), kind).Set(n);
    }
  }
  metrics_->held_events().Set(static_cast<double>(held_.size()));
}

bool Daemon::RestoreState(const std::atomic<bool>& stop) {
  const v1::KafkaConfig& kafka = config_.kafka();
  const int replication =
      kafka.changelog_replication_factor() > 0 ? static_cast<int>(kafka.changelog_replication_factor()) : -1;
  const int partitions =
      kafka.changelog_partitions() > 0 ? static_cast<int>(kafka.changelog_partitions()) : 6;
  // Compaction keeps the latest record per key; deleted keys' tombstones stay for
  // delete.retention.ms (Kafka's default, one day) so that readers see them.
  const KafkaAdmin admin(sink_->handle());
  absl::StatusOr<bool> exists = admin.TopicExists(changelog_topic(), absl::Seconds(10));
  absl::Status s = exists.status();
  if (s.ok() && !*exists) {
    s = admin.CreateTopic(changelog_topic(), partitions, replication,
                          {{"cleanup.policy", "compact"}}, absl::Seconds(10));
    if (s.ok()) {
      Log(LogLevel::kInfo, absl::StrCat("created the changelog topic ", changelog_topic(), " (",
                                        partitions, " partitions, cleanup.policy=compact)"));
    }
  }
  if (!s.ok()) {
    Log(LogLevel::kWarning,
        absl::StrCat("changelog topic ", changelog_topic(), ": ", s.message(),
                     " (create it with cleanup.policy=compact, or the state grows without bound)"));
  } else if (absl::StatusOr<std::string> policy =
                 admin.TopicConfig(changelog_topic(), "cleanup.policy", absl::Seconds(10));
             policy.ok() && !absl::StrContains(*policy, "compact")) {
    // Time- or size-based deletion would silently drop state (held embargoed
    // events included) that no newer record replaces.
    Log(LogLevel::kError,
        absl::StrCat("changelog topic ", changelog_topic(), " has cleanup.policy=", *policy,
                     ": records the broker deletes are lost state (held embargoed events "
                     "included); set cleanup.policy=compact on it"));
    metrics_->changelog_misconfigured().Set(1);
  }
  absl::Status restored = changelog_->Restore(
      absl::Milliseconds(config_.changelog_restore_timeout_ms() > 0
                             ? config_.changelog_restore_timeout_ms()
                             : 120000),
      stop);
  if (restored.code() == absl::StatusCode::kCancelled) return false;
  if (!restored.ok()) {
    Log(LogLevel::kWarning, absl::StrCat(restored.message(),
                                         "; starting anyway, the rest is applied as it is read"));
  }
  UpdateStateGauges();
  changelog_->StartFollowing();
  return true;
}

bool Daemon::WaitForBrokers(const std::atomic<bool>& stop) {
  // librdkafka hands its error events (authentication and TLS failures, all brokers
  // down) to the application only from poll(): poll the producer on the side while
  // this thread waits in init_transactions or metadata, so they are logged, counted
  // and shown by /readyz when they happen, not after the wait. (The producer is new
  // here and holds no message: no delivery report runs on that thread.)
  std::atomic<bool> waiting{true};
  std::thread events([this, &waiting] {
    while (waiting.load()) sink_->Poll(absl::Milliseconds(100));
  });
  const bool connected = WaitForBrokersPolled(stop);
  waiting = false;
  events.join();
  return connected;
}

bool Daemon::WaitForBrokersPolled(const std::atomic<bool>& stop) {
  absl::Duration backoff = absl::Milliseconds(500);
  while (!stop.load()) {
    absl::Status status = committer_->StartProducer();
    if (status.ok()) return true;
    if (status.code() == absl::StatusCode::kFailedPrecondition) {
      Fail(status);
      return false;
    }
    metrics_->connected().Set(0);
    Log(LogLevel::kWarning, absl::StrCat("waiting for the brokers: ", status.message()));
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(10));
  }
  return false;
}

absl::Status Daemon::Run(const std::atomic<bool>& stop) {
  if (!WaitForBrokers(stop)) {
    if (fatal_) return *fatal_;
    Log(LogLevel::kInfo, "stopped before the brokers were reachable");
    return absl::OkStatus();
  }
  if (!RestoreState(stop)) {
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
  absl::Time drain_deadline = absl::InfiniteFuture();
  std::vector<RawMessage> batch;
  while (!fatal_) {
    if (stop.load() && state_ == State::kRunning) {
      state_ = State::kDraining;
      drain_deadline = absl::Now() + absl::Milliseconds(config_.shutdown_timeout_ms());
      source_->Pause(source_->Assignment()).IgnoreError();
      Log(LogLevel::kInfo, absl::StrCat("draining ", in_flight_.messages(), " in-flight messages"));
    }
    if (state_ == State::kDraining) {
      if (in_flight_.Idle() || committer_->NeedsAbort()) break;
      if (absl::Now() >= drain_deadline) {
        Log(LogLevel::kWarning, absl::StrCat("drain deadline reached with ", in_flight_.messages(),
                                             " messages unacknowledged; they will be "
                                             "reprocessed after restart"));
        committer_->AbandonOpenTransaction();
        break;
      }
    }
    if (committer_->AbortDue(absl::Now())) AbortAndRewind("abortable error");
    batch.clear();
    const absl::Duration timeout =
        in_flight_.messages() > 0 ? absl::Milliseconds(2) : absl::Milliseconds(100);
    // Take no more than the in-flight bound leaves room for (librdkafka's own
    // prefetch queue is bounded by queued.max.messages.kbytes). When full, the
    // partitions are paused; consume() is still called (at most one message, which
    // a pause normally withholds) so rebalances are served and max.poll.interval.ms
    // is never exceeded.
    const size_t inflight = in_flight_.messages();
    const size_t room = config_.max_inflight_messages() > inflight
                            ? config_.max_inflight_messages() - inflight
                            : 0;
    const size_t take = std::max<size_t>(1, std::min(kPollBatch, room));
    if (absl::Status s = source_->Poll(timeout, take, &batch); !s.ok()) {
      Fail(s);
      break;
    }
    if (!committer_->NeedsAbort()) {
      for (RawMessage& m : batch) Dispatch(std::move(m));
    }  // else: dropped; the rewind re-delivers them
    EnforceTimeBudget();
    ProduceReady();
    if (state_ == State::kRunning && absl::Now() - last_release_check_ >= absl::Milliseconds(250)) {
      last_release_check_ = absl::Now();
      ReleaseDueEvents();
    }
    sink_->Poll(absl::ZeroDuration());
    if (std::optional<absl::Status> f = sink_->fatal_error()) OnProducerFatal(*f);
    if (producer_fatal_ && !fatal_) ReplaceProducer(stop);
    if (state_ == State::kRunning) ApplyBackpressure();
    // Commits when due (EXACTLY_ONCE: not while the producer reaches no broker:
    // librdkafka's send_offsets_to_transaction ignores its timeout while the group
    // coordinator is down, librdkafka issue #5456, and would block the loop).
    Committed(committer_->Tick(absl::Now(), sink_->connected(),
                               [this] { return Acknowledged(nullptr); }));
    UpdateGauges();
  }

  // Finish: commit what is complete (transaction or acknowledged offsets).
  if (!fatal_) {
    const absl::Duration left = std::max(absl::Seconds(1), drain_deadline - absl::Now());
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
