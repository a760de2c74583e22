// Daemon: consume → chain → produce → commit, in per-partition order, exactly once
// (transactions) or at least once (idempotent producer + acknowledged offsets).
//
// Threads: the loop thread (the one calling Run) owns the consumer, the producer and
// the in-flight state (in_flight.h); it consumes, hands each message to the worker
// pool that runs the chain (worker_pool.h), and produces results strictly in
// consumed order per input partition (a per-partition queue whose head is produced
// only once it is processed).
//
// AT_LEAST_ONCE: delivery reports acknowledge offsets; committed offsets never pass
// the lowest unacknowledged message, so a crash at any point re-delivers, never loses.
// EXACTLY_ONCE (librdkafka examples/transactions.c): begin → produce outputs →
// send_offsets_to_transaction(next offsets, group metadata) → commit, every
// transaction_max_messages or commit_interval_ms; an abortable error aborts the
// transaction, drops all work in flight and rewinds the consumer to the committed
// offsets; a fatal error (fenced producer ...) stops the daemon with a non-zero exit.
//
// Backpressure: above max_inflight_messages / max_inflight_bytes in flight, or
// max_producer_queue queued in the producer, all partitions are paused (the loop keeps
// polling, so max.poll.interval.ms is never exceeded) and resumed at half.
// Poison pills: a message whose chain exceeds message_time_budget_ms is dead-lettered
// with DEADLINE_EXCEEDED; its worker is abandoned and replaced.
// Inputs that are not articles (a stage returned NotAnArticle, pipeline/stage.h):
// nothing is produced for them, neither an event nor a dead letter (only their state
// changes, if any); their offset is committed in order like any processed message
// (EXACTLY_ONCE: sent with the transaction) and newsd_inputs_skipped_total{stage,
// kind} counts them.
//
// State (state_store.h, changelog.h): the state changes of a message are produced
// to the changelog topic with its outputs (same transaction, or acknowledged
// before its offset is committed). At start-up, after the brokers answer and
// before joining the group, the daemon creates the changelog topic if missing
// (cleanup.policy=compact) and restores every store from it; a ChangelogReader
// thread then follows it. An event whose Story.hold_until is in the future is not
// published: its HeldEvent goes to the changelog (store "held") and the owner of
// its input partition publishes it when the time has passed (checked every
// 250 ms, once the changelog reader has caught up after the partition's
// assignment). An event whose Story.retracted is set is followed by a tombstone
// (key = story id, null value, header newsd.tombstone: retracted) on the output
// topic.
#ifndef NEWSD_PIPELINE_DAEMON_H_
#define NEWSD_PIPELINE_DAEMON_H_

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newsd/v1/config.pb.h"
#include "pipeline/chain.h"
#include "pipeline/committer.h"
#include "pipeline/changelog.h"
#include "pipeline/held_events.h"
#include "pipeline/in_flight.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"
#include "pipeline/log.h"
#include "pipeline/message_metrics.h"
#include "pipeline/metrics.h"
#include "pipeline/output_plan.h"
#include "pipeline/publisher.h"
#include "pipeline/refused_outputs.h"
#include "pipeline/worker_pool.h"

namespace newsd {

class Daemon : public RebalanceListener {
 public:
  enum class State { kStarting, kRunning, kDraining, kStopped, kFailed };

  // `chain`, `metrics` and `health` must outlive the daemon. `config` must have
  // passed ValidateConfig and name real brokers (resolve "embedded" before).
  // Errors: kInvalidArgument for a Kafka property librdkafka rejects.
  static absl::StatusOr<std::unique_ptr<Daemon>> Create(const v1::PipelineConfig& config,
                                                        const Chain* chain, Metrics* metrics,
                                                        Health* health);
  ~Daemon() override;

  // Runs until `stop` turns true, then drains (stop fetching, finish in-flight work,
  // flush, commit the open transaction or the acknowledged offsets) within
  // config.shutdown_timeout_ms. Waits for the brokers if they are down at start.
  // Returns OK after a drain (or a stop before the brokers came up);
  // kFailedPrecondition etc. after a fatal Kafka error (fenced producer) or, in
  // AT_LEAST_ONCE, an output the broker refused (its offset is not committed: a
  // restart reprocesses it).
  absl::Status Run(const std::atomic<bool>& stop);

  State state() const { return state_.load(); }

  // Workers that destroyed daemons left running inside a stage (stuck past the
  // shutdown grace period). While > 0 the chain must not be destroyed: end the
  // process instead (std::_Exit after flushing), as `newsd run` does.
  static int DetachedWorkers();

  // RebalanceListener (called on the loop thread from inside Poll).
  void OnAssigned(const std::vector<TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override;

 private:
  // A consumed message from Dispatch until its offset is acknowledged (in_flight.h).
  using Slot = InFlightMessage;
  struct KafkaPorts;
  const std::string& changelog_topic() const { return changelog_topic_; }

  Daemon(const v1::PipelineConfig& config, const Chain* chain, Metrics* metrics, Health* health);

  // Observes a finished slot's stage durations and flags (loop thread).
  void ObserveSlot(const Slot& slot);
  // Counts the inputs of `slot` the chain skipped as not articles
  // (newsd_inputs_skipped_total; EXACTLY_ONCE: when the transaction commits).
  void CountSkipped(const Slot& slot);
  void Dispatch(RawMessage message);
  // Dead-letters running slots older than message_time_budget_ms.
  void EnforceTimeBudget();
  // Produces every processed message at the head of its partition queue.
  void ProduceReady();
  void ProduceSlot(const std::shared_ptr<Slot>& slot);
  // Publishes held events whose embargo has passed (input partition owned here).
  void ReleaseDueEvents();
  // Creates the changelog topic if missing, restores the state stores from it and
  // starts following it. False if stopped first.
  bool RestoreState(const std::atomic<bool>& stop);
  // Sets newsd_state_store_records and newsd_held_events.
  void UpdateStateGauges();
  // The committable offsets of the acknowledged inputs (all partitions, or `only`).
  CommitOffsets Acknowledged(const std::vector<TopicPartition>* only);
  // Bookkeeping of offsets the committer committed; then TakeCommitterFatal.
  void Committed(const CommitOffsets& committed);
  // Hands a fatal producer error the committer met to OnProducerFatal.
  void TakeCommitterFatal();
  // Aborts the open transaction (Committer::Abort), drops all work in flight, and
  // seeks every assigned partition back to its committed offset. Retried from the
  // loop while it fails (e.g. brokers down).
  void AbortAndRewind(absl::string_view reason);
  // After an abort: drops all work in flight, re-holds released events and seeks
  // every assigned partition back to its committed offset.
  void ResetAfterAbort(absl::string_view reason);
  // A new producer from sink_options_ (delivery reports go to OnDelivery).
  absl::StatusOr<std::unique_ptr<KafkaSink>> CreateSink();
  // A fatal producer error (fenced, INVALID_TXN_STATE, ...). Fenced by another
  // instance (Committer::FencedByAnotherInstance): the daemon fails (exit 1, log
  // line, newsd_transactions_total{result="fenced"}) and never re-fences the newer
  // one. Other fatal errors, while running and if the committer replaces producers
  // (EXACTLY_ONCE): the producer is replaced from the loop (ReplaceProducer), at
  // most 3 times per 10 minutes (TransactionCommitter); otherwise the daemon fails.
  void OnProducerFatal(absl::Status status);
  // Destroys the failed producer, creates a new one with the same transactional.id
  // (init_transactions bumps the epoch and aborts the open transaction) and rewinds
  // like an abort. Blocks until the brokers answer or `stop`.
  void ReplaceProducer(const std::atomic<bool>& stop);
  // Drops consumed-but-uncommitted work of `partitions` (all when null).
  void DropInFlight(const std::vector<TopicPartition>* partitions);
  // Waits for the brokers (init_transactions in EXACTLY_ONCE). False if stopped first.
  // Polls the producer on a side thread meanwhile, so its client errors surface.
  bool WaitForBrokers(const std::atomic<bool>& stop);
  bool WaitForBrokersPolled(const std::atomic<bool>& stop);
  // Waits until `partitions` have nothing pending or unacknowledged, or `deadline`.
  bool DrainPartitions(const std::vector<TopicPartition>& partitions, absl::Time deadline);
  void ApplyBackpressure();
  void UpdateGauges();
  // newsd_consumer_lag_messages of every assigned partition: end offset (high
  // watermark) minus the group's committed offset, or minus the partition's start
  // (auto.offset.reset: the low watermark for earliest) where the group has none.
  // Watermarks come from fetch responses; the committed offsets of newly assigned
  // partitions and the watermarks of partitions not fetched (not yet, or paused)
  // are asked from the brokers at most every kLagQueryInterval, within a bounded time.
  void UpdateLag(absl::Time now);
  // newsd_input_topics_missing / _subscribed from the cluster metadata, every
  // topic.metadata.refresh.interval.ms.
  void UpdateTopicGauges(absl::Time now);
  void Fail(absl::Status status);

  const v1::PipelineConfig config_;
  const Chain* const chain_;
  Metrics* const metrics_;
  Health* const health_;
  // The per-message metrics, resolved once (loop thread).
  MessageMetrics message_metrics_;

  std::atomic<State> state_{State::kStarting};
  std::string transactional_id_;  // EXACTLY_ONCE
  const std::string changelog_topic_;
  std::string instance_id_;  // header of this process's changelog records
  OutputPlanOptions plan_options_;  // the config the output plan needs
  std::optional<absl::Status> fatal_;  // loop thread only
  KafkaSinkOptions sink_options_;
  std::optional<absl::Status> producer_fatal_;  // set by OnProducerFatal

  // Loop-thread state.
  // Assigned partitions, their consumed messages in order, committable offsets,
  // messages and bytes in flight.
  InFlight in_flight_;
  bool paused_ = false;
  absl::Time last_gauges_ = absl::InfinitePast();
  absl::Time last_connection_check_ = absl::InfinitePast();
  absl::Time last_release_check_ = absl::InfinitePast();
  // Lag (UpdateLag): the group's committed offset per assigned partition (-1: none),
  // as fetched from the coordinator or committed by this instance since; watermarks
  // asked from the brokers for partitions the consumer does not fetch.
  std::map<TopicPartition, int64_t> group_committed_;
  std::map<TopicPartition, std::pair<int64_t, int64_t>> queried_watermarks_;
  absl::Time last_lag_query_ = absl::InfinitePast();
  size_t lag_query_turn_ = 0;  // where the next round of watermark queries starts
  static constexpr absl::Duration kLagQueryInterval = absl::Seconds(5);
  absl::Time last_topics_check_ = absl::InfinitePast();
  // Backpressure: why and since when the loop paused consumption.
  std::string pause_reason_;
  absl::Time pause_accounted_ = absl::InfinitePast();

  // Runs the chain on each slot (worker_pool.h); created last by Create.
  std::unique_ptr<WorkerPool> pool_;

  // The engine's store of held events; the chain's stores belong to its stages.
  // Declared before changelog_, whose thread restores into it.
  HeldEvents held_;
  std::vector<StateStore*> stores_;  // the chain's, then &held_
  std::unique_ptr<ChangelogReader> changelog_;

  // The delivery mode (chosen in Create) and its view of the Kafka clients below.
  std::unique_ptr<KafkaPorts> ports_;
  std::unique_ptr<Committer> committer_;
  // Produces the planned records and accounts their delivery reports (publisher.h);
  // declared before sink_, whose delivery reports it receives until destroyed.
  std::unique_ptr<Publisher> publisher_;

  // Destruction order: source_ and sink_ are declared last so they are destroyed
  // first, while the callbacks' target (this) is still intact.
  std::unique_ptr<KafkaSink> sink_;
  std::unique_ptr<KafkaSource> source_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_DAEMON_H_
