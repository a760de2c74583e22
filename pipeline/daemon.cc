#include "pipeline/daemon.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/kafka_status.h"
#include "pipeline/log.h"

namespace newsd {

// One consumed message on its way through the chain.
struct Daemon::Slot {
  TopicPartition tp;
  RawMessage message;
  std::optional<ChainResult> result;  // written by a worker before `done`
  std::atomic<bool> done{false};
  // Outputs produced for this message and not yet acknowledged (loop thread only);
  // the offset is acknowledged when it drops to 0.
  int unacknowledged = 0;
};

// Carried through librdkafka as the opaque of each produced message.
struct Daemon::DeliveryTag {
  std::shared_ptr<Slot> slot;
  bool dead_letter = false;
  bool value_omitted = false;  // dead letter re-sent without the value (too large)
  std::string stage;           // dead letters: failing stage
  std::string reason;          // dead letters: snake_case status code
};

namespace {

constexpr size_t kPollBatch = 500;

std::string CodeName(absl::StatusCode code) {
  return absl::AsciiStrToLower(absl::StatusCodeToString(code));
}

std::vector<std::pair<std::string, std::string>> MergeProperties(
    const google::protobuf::Map<std::string, std::string>& common,
    const google::protobuf::Map<std::string, std::string>& specific) {
  // Sorted for deterministic application; specific ones applied last (override).
  std::map<std::string, std::string> a(common.begin(), common.end());
  std::map<std::string, std::string> b(specific.begin(), specific.end());
  std::vector<std::pair<std::string, std::string>> out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

OutboundMessage MakeDeadLetter(const RawMessage& message, const ChainFailure& failure,
                               const std::string& dead_letter_topic) {
  OutboundMessage out;
  out.topic = dead_letter_topic;
  if (!message.key.empty()) out.key = message.key;
  if (!message.value_is_null) out.value = message.value;
  out.headers = message.headers;
  out.headers.emplace_back("__connect.errors.topic", message.topic);
  out.headers.emplace_back("__connect.errors.partition", absl::StrCat(message.partition));
  out.headers.emplace_back("__connect.errors.offset", absl::StrCat(message.offset));
  out.headers.emplace_back("__connect.errors.stage", "TRANSFORMATION");
  out.headers.emplace_back("__connect.errors.exception.class.name",
                           absl::StrCat("newsd.", failure.stage));
  out.headers.emplace_back("__connect.errors.exception.message",
                           std::string(failure.status.message()));
  out.headers.emplace_back("newsd.errors.stage", failure.stage);
  out.headers.emplace_back("newsd.errors.code", absl::StatusCodeToString(failure.status.code()));
  return out;
}

OutboundMessage MakeEventMessage(const v1::ArticleEvent& event, const std::string& output_topic) {
  OutboundMessage out;
  out.topic = output_topic;
  const v1::Article& article = event.article();
  out.key = article.story().story_id().empty() ? article.id() : article.story().story_id();
  out.value = event.SerializeAsString();
  out.headers = {{"content-type", "application/x-protobuf"},
                 {"schema", "newsd.v1.ArticleEvent"}};
  return out;
}

Daemon::Daemon(const v1::PipelineConfig& config, const Chain* chain, Metrics* metrics,
               Health* health)
    : config_(config), chain_(chain), metrics_(metrics), health_(health) {
  for (const std::string& name : chain_->StageNames()) {
    stage_duration_.push_back(&metrics_->StageDuration(name));
  }
}

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Create(const v1::PipelineConfig& config,
                                                        const Chain* chain, Metrics* metrics,
                                                        Health* health) {
  std::unique_ptr<Daemon> daemon(new Daemon(config, chain, metrics, health));
  const v1::KafkaConfig& kafka = config.kafka();

  KafkaSinkOptions sink_options;
  sink_options.brokers = kafka.brokers();
  // Large wire items must fit in their dead letter; brokers cap it per topic.
  sink_options.properties = {{"message.max.bytes", "33554432"}};
  for (auto& p : MergeProperties(kafka.properties(), kafka.producer_properties())) {
    sink_options.properties.push_back(p);
  }
  Daemon* self = daemon.get();
  absl::StatusOr<std::unique_ptr<KafkaSink>> sink = KafkaSink::Create(
      sink_options, [self](KafkaSink::DeliveryReport report) { self->OnDelivery(std::move(report)); });
  if (!sink.ok()) return sink.status();
  daemon->sink_ = *std::move(sink);

  KafkaSourceOptions source_options;
  source_options.brokers = kafka.brokers();
  source_options.group_id = kafka.group_id();
  source_options.topics.assign(kafka.input_topics().begin(), kafka.input_topics().end());
  source_options.properties = MergeProperties(kafka.properties(), kafka.consumer_properties());
  absl::StatusOr<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Create(source_options, daemon.get());
  if (!source.ok()) return source.status();
  daemon->source_ = *std::move(source);

  unsigned threads = config.worker_threads();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    daemon->workers_.emplace_back([self] { self->WorkerLoop(); });
  }
  return daemon;
}

Daemon::~Daemon() {
  {
    absl::MutexLock lock(&mu_);
    stopping_workers_ = true;
    queue_.clear();  // unprocessed messages are uncommitted: redelivered after restart
  }
  for (std::thread& t : workers_) t.join();
  // Close the consumer before members it calls back into go away.
  if (source_) source_->Close().IgnoreError();
}

void Daemon::WorkerLoop() {
  while (true) {
    std::shared_ptr<Slot> slot;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Daemon* d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(d->mu_) {
            return d->stopping_workers_ || !d->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping
      slot = std::move(queue_.front());
      queue_.pop_front();
    }
    ChainResult result = chain_->Run(slot->message, absl::Now());
    const auto& timings = result.event.stages();
    for (int i = 0; i < timings.size() && i < static_cast<int>(stage_duration_.size()); ++i) {
      stage_duration_[i]->Observe(timings[i].duration().seconds() +
                                  timings[i].duration().nanos() * 1e-9);
    }
    slot->result = std::move(result);
    slot->done.store(true, std::memory_order_release);
  }
}

void Daemon::Dispatch(RawMessage message) {
  TopicPartition tp{message.topic, message.partition};
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return;  // not (or no longer) assigned: redelivered later
  metrics_->Consumed(message.topic).Increment();
  offsets_.Track(tp, message.offset);
  auto slot = std::make_shared<Slot>();
  slot->tp = tp;
  slot->message = std::move(message);
  it->second.pending.push_back(slot);
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(slot));
}

void Daemon::ProduceReady() {
  for (auto& [tp, state] : partitions_) {
    while (!state.pending.empty() && state.pending.front()->done.load(std::memory_order_acquire)) {
      std::shared_ptr<Slot> slot = std::move(state.pending.front());
      state.pending.pop_front();
      ProduceSlot(slot);
      if (fatal_) return;
    }
  }
}

void Daemon::ProduceSlot(const std::shared_ptr<Slot>& slot) {
  const ChainResult& result = *slot->result;
  if (result.failure) {
    ProduceOne(slot, MakeDeadLetter(slot->message, *result.failure,
                                    config_.kafka().dead_letter_topic()),
               &*result.failure);
    return;
  }
  ProduceOne(slot, MakeEventMessage(result.event, config_.kafka().output_topic()), nullptr);
  for (const v1::ArticleEvent& event : result.more_events) {
    if (fatal_) return;
    ProduceOne(slot, MakeEventMessage(event, config_.kafka().output_topic()), nullptr);
  }
}

void Daemon::ProduceOne(const std::shared_ptr<Slot>& slot, const OutboundMessage& out,
                        const ChainFailure* failure) {
  auto tag = std::make_unique<DeliveryTag>();
  tag->slot = slot;
  if (failure) {
    tag->dead_letter = true;
    tag->stage = failure->stage;
    tag->reason = CodeName(failure->status.code());
  }
  ++slot->unacknowledged;
  absl::Status status = sink_->Produce(out, tag.get());
  if (status.ok()) {
    tag.release();  // owned by librdkafka until the delivery report
    return;
  }
  if (!failure && status.code() == absl::StatusCode::kInvalidArgument) {
    // The event itself cannot be published (e.g. larger than message.max.bytes):
    // the input goes to the dead-letter topic instead of being lost.
    ChainFailure publish_failure{"publish", status};
    tag->dead_letter = true;
    tag->stage = publish_failure.stage;
    tag->reason = CodeName(status.code());
    status = sink_->Produce(
        MakeDeadLetter(slot->message, publish_failure, config_.kafka().dead_letter_topic()),
        tag.get());
    if (status.ok()) {
      tag.release();
      return;
    }
  }
  Fail(status);
}

void Daemon::OnDelivery(KafkaSink::DeliveryReport report) {
  std::unique_ptr<DeliveryTag> tag(static_cast<DeliveryTag*>(report.opaque));
  absl::Status status = std::move(report.status);
  Slot& slot = *tag->slot;
  if (!status.ok()) {
    if (tag->dead_letter && !tag->value_omitted &&
        status.code() == absl::StatusCode::kInvalidArgument) {
      // The broker refused the dead letter's size: keep the error record without the
      // value (the original stays in the input topic at the recorded offset).
      ChainFailure failure{tag->stage, slot.result->failure
                                           ? slot.result->failure->status
                                           : absl::InvalidArgumentError("too large")};
      OutboundMessage out =
          MakeDeadLetter(slot.message, failure, config_.kafka().dead_letter_topic());
      out.value.reset();
      out.headers.emplace_back("newsd.errors.value_omitted_bytes",
                               absl::StrCat(slot.message.value.size()));
      tag->value_omitted = true;
      absl::Status retry = sink_->Produce(out, tag.get());
      if (retry.ok()) {
        tag.release();
        return;
      }
      status = retry;
    }
    metrics_->delivery_failures().Increment();
    Fail(absl::Status(status.code(),
                      absl::StrCat(status.message(), " (input ", slot.tp.topic, "[",
                                   slot.tp.partition, "]@", slot.message.offset,
                                   " not committed)")));
    return;
  }
  if (--slot.unacknowledged == 0) offsets_.Ack(slot.tp, slot.message.offset);
  if (tag->dead_letter) {
    metrics_->DeadLetters(tag->stage, tag->reason).Increment();
  } else {
    metrics_->Published(config_.kafka().output_topic()).Increment();
  }
  if (slot.message.timestamp) {
    metrics_->end_to_end_latency().Observe(
        absl::ToDoubleSeconds(absl::Now() - *slot.message.timestamp));
  }
}

void Daemon::CommitAcknowledged(bool sync, const std::vector<TopicPartition>* only) {
  std::vector<std::pair<TopicPartition, int64_t>> commits = offsets_.PendingCommits();
  if (only) {
    commits.erase(std::remove_if(commits.begin(), commits.end(),
                                 [only](const auto& c) {
                                   return std::find(only->begin(), only->end(), c.first) ==
                                          only->end();
                                 }),
                  commits.end());
  }
  if (commits.empty()) return;
  absl::Status status = source_->Commit(commits, sync);
  metrics_->Commits(status.ok()).Increment();
  if (!status.ok()) {
    // Not fatal: the next commit covers these offsets; a crash before it only
    // re-delivers.
    Log(LogLevel::kWarning, absl::StrCat("offset commit failed: ", status.message()));
    return;
  }
  for (const auto& [tp, offset] : commits) offsets_.MarkCommitted(tp, offset);
}

bool Daemon::DrainPartitions(const std::vector<TopicPartition>& partitions, absl::Time deadline) {
  while (!fatal_) {
    ProduceReady();
    bool empty = true;
    for (const TopicPartition& tp : partitions) {
      auto it = partitions_.find(tp);
      if ((it != partitions_.end() && !it->second.pending.empty()) || offsets_.inflight(tp) > 0) {
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
  for (const TopicPartition& tp : partitions) partitions_[tp];
  if (paused_ || state_ == State::kDraining) source_->Pause(partitions).IgnoreError();
}

void Daemon::OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) {
  if (!lost) {
    const absl::Time deadline = absl::Now() + absl::Milliseconds(config_.shutdown_timeout_ms());
    if (!DrainPartitions(partitions, deadline)) {
      Log(LogLevel::kWarning, "revoke: in-flight messages not acknowledged before the deadline; "
                              "the next owner will reprocess them");
    }
    CommitAcknowledged(/*sync=*/true, &partitions);
  }
  for (const TopicPartition& tp : partitions) {
    partitions_.erase(tp);
    offsets_.Remove(tp);
    metrics_->RemoveConsumerLag(tp.topic, tp.partition);
  }
}

void Daemon::ApplyBackpressure() {
  const size_t inflight = offsets_.inflight();
  const size_t max = config_.max_inflight_messages();
  if (!paused_ && inflight >= max) {
    paused_ = true;
    source_->Pause(source_->Assignment()).IgnoreError();
    Log(LogLevel::kInfo, absl::StrCat("backpressure: ", inflight, " in flight, pausing"));
  } else if (paused_ && inflight <= max / 2 && state_ == State::kRunning) {
    paused_ = false;
    source_->Resume(source_->Assignment()).IgnoreError();
    Log(LogLevel::kInfo, "backpressure: resumed");
  }
  metrics_->paused().Set(paused_ ? static_cast<double>(partitions_.size()) : 0);
}

void Daemon::UpdateGauges() {
  const absl::Time now = absl::Now();
  metrics_->inflight().Set(static_cast<double>(offsets_.inflight()));
  if (!sink_->connected() && now - last_connection_check_ > absl::Seconds(5)) {
    last_connection_check_ = now;
    sink_->CheckConnection(absl::Milliseconds(500)).IgnoreError();
  }
  const bool ready = !partitions_.empty() && sink_->connected() && state_ == State::kRunning;
  health_->ready = ready;
  metrics_->ready().Set(ready ? 1 : 0);
  if (now - last_gauges_ < absl::Seconds(1)) return;
  last_gauges_ = now;
  for (const auto& [tp, state] : partitions_) {
    std::optional<int64_t> high = source_->HighWatermark(tp);
    std::optional<int64_t> committed = offsets_.Committed(tp);
    if (high && committed) {
      metrics_->ConsumerLag(tp.topic, tp.partition).Set(static_cast<double>(*high - *committed));
    }
  }
}

void Daemon::Fail(absl::Status status) {
  if (fatal_) return;
  Log(LogLevel::kError, absl::StrCat("fatal: ", status.ToString()));
  fatal_ = std::move(status);
  state_ = State::kFailed;
  health_->live = false;
  health_->ready = false;
}

absl::Status Daemon::Run(const std::atomic<bool>& stop) {
  sink_->CheckConnection(absl::Seconds(2)).IgnoreError();
  if (absl::Status s = source_->Subscribe(); !s.ok()) return s;
  state_ = State::kRunning;
  Log(LogLevel::kInfo, absl::StrCat("running: ", config_.kafka().input_topics_size(),
                                    " input topic(s) → ", config_.kafka().output_topic(),
                                    ", dead letters → ", config_.kafka().dead_letter_topic()));
  absl::Time drain_deadline = absl::InfiniteFuture();
  std::vector<RawMessage> batch;
  while (!fatal_) {
    if (stop.load() && state_ == State::kRunning) {
      state_ = State::kDraining;
      drain_deadline = absl::Now() + absl::Milliseconds(config_.shutdown_timeout_ms());
      source_->Pause(source_->Assignment()).IgnoreError();
      Log(LogLevel::kInfo, absl::StrCat("draining ", offsets_.inflight(), " in-flight messages"));
    }
    if (state_ == State::kDraining) {
      if (offsets_.inflight() == 0) break;
      if (absl::Now() >= drain_deadline) {
        Log(LogLevel::kWarning, absl::StrCat("drain deadline reached with ", offsets_.inflight(),
                                             " messages unacknowledged; they will be "
                                             "reprocessed after restart"));
        break;
      }
    }
    batch.clear();
    const absl::Duration timeout =
        offsets_.inflight() > 0 ? absl::Milliseconds(2) : absl::Milliseconds(100);
    if (absl::Status s = source_->Poll(timeout, kPollBatch, &batch); !s.ok()) {
      Fail(s);
      break;
    }
    for (RawMessage& m : batch) Dispatch(std::move(m));
    ProduceReady();
    sink_->Poll(absl::ZeroDuration());
    if (std::optional<absl::Status> f = sink_->fatal_error()) Fail(*f);
    if (state_ == State::kRunning) ApplyBackpressure();
    if (absl::Now() - last_commit_ >= absl::Milliseconds(config_.commit_interval_ms())) {
      last_commit_ = absl::Now();
      CommitAcknowledged(/*sync=*/false);
    }
    UpdateGauges();
  }

  // Drain what remains: deliveries, then a synchronous commit of acknowledged offsets.
  if (!fatal_) {
    const absl::Duration left = std::max(absl::Seconds(1), drain_deadline - absl::Now());
    if (absl::Status s = sink_->Flush(std::min(left, absl::Seconds(60))); !s.ok()) {
      Log(LogLevel::kWarning, std::string(s.message()));
    }
    CommitAcknowledged(/*sync=*/true);
  }
  health_->ready = false;
  metrics_->ready().Set(0);
  // Leaving the group runs OnRevoked for the remaining partitions.
  if (absl::Status s = source_->Close(); !s.ok()) {
    Log(LogLevel::kWarning, std::string(s.message()));
  }
  if (fatal_) {
    sink_->Flush(absl::Seconds(5)).IgnoreError();
    return *fatal_;
  }
  state_ = State::kStopped;
  Log(LogLevel::kInfo, "stopped cleanly");
  return absl::OkStatus();
}

}  // namespace newsd
