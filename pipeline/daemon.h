// Daemon: consume → chain → produce → commit, in per-partition order, exactly once
// (transactions) or at least once (idempotent producer + acknowledged offsets).
//
// The daemon is the scheduler: Run's loop asks its parts in order, one turn at a
// time (pipeline/README.md lists them and the data flow): in_flight (order, offsets,
// load), worker_pool (the chain), output_plan + publisher (records, delivery
// reports), the Committer (delivery mode, chosen once in Create: daemon_create.cc),
// producer_lifecycle and state_bootstrap (start-up, producer replacement),
// backpressure and lag_monitor (pausing, gauges, health).
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
#include "pipeline/backpressure.h"
#include "pipeline/chain.h"
#include "pipeline/committer.h"
#include "pipeline/changelog.h"
#include "pipeline/held_events.h"
#include "pipeline/in_flight.h"
#include "pipeline/kafka_ports.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"
#include "pipeline/lag_monitor.h"
#include "pipeline/log.h"
#include "pipeline/message_metrics.h"
#include "pipeline/metrics.h"
#include "pipeline/output_plan.h"
#include "pipeline/producer_lifecycle.h"
#include "pipeline/publisher.h"
#include "pipeline/refused_outputs.h"
#include "pipeline/state_bootstrap.h"
#include "pipeline/worker_pool.h"

namespace newsd {

class Daemon : public RebalanceListener {
 public:
  enum class State { kStarting, kRunning, kDraining, kStopped, kFailed };

  // `chain`, `metrics` and `health` must outlive the daemon. `config` must have
  // passed ValidateConfig and name real brokers (resolve "embedded" before).
  // Errors: kInvalidArgument for a Kafka property librdkafka rejects, or a null
  // chain, metrics or health.
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
  const std::string& changelog_topic() const { return changelog_topic_; }

  Daemon(const v1::PipelineConfig& config, const Chain* chain, Metrics* metrics, Health* health);

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
  // A fatal producer error (fenced, INVALID_TXN_STATE, ...): handed to
  // ProducerLifecycle::OnFatal (fail, or replace the producer from the loop).
  void OnProducerFatal(absl::Status status);
  // Drops consumed-but-uncommitted work of `partitions` (all when null).
  void DropInFlight(const std::vector<TopicPartition>* partitions);
  // Waits until `partitions` have nothing pending or unacknowledged, or `deadline`.
  bool DrainPartitions(const std::vector<TopicPartition>& partitions, absl::Time deadline);
  // Asks backpressure_ whether to pause or resume, and does it on the consumer.
  void ApplyBackpressure();
  // Hands the loop's state to monitor_ (probing the producer's connection when due).
  void UpdateGauges();
  void Fail(absl::Status status);

  // Run's periodic timers, in one place (the parts keep their own cadence: the
  // committer its commit interval, lag_monitor its gauges).
  struct LoopTimers {
    absl::Time drain_deadline = absl::InfiniteFuture();  // set when draining starts
    absl::Time last_release_check = absl::InfinitePast();
    // Held events are checked for release every 250 ms.
    bool ReleaseDue(absl::Time now) {
      if (now - last_release_check < absl::Milliseconds(250)) return false;
      last_release_check = now;
      return true;
    }
  };
  // Run's steps, in the order of one turn of its loop.
  // Waits for the brokers, restores the state, subscribes: nullopt when running,
  // else what Run returns (stopped first, or failed).
  std::optional<absl::Status> Start(const std::atomic<bool>& stop);
  // `stop` turned true: pause fetching, drain within shutdown_timeout_ms.
  void BeginDrain(LoopTimers& timers);
  // Draining: nothing left in flight, an abort pending, or the deadline passed.
  bool DrainFinished(const LoopTimers& timers);
  // Polls what in_flight_ has room for and dispatches it to the pool. False on a
  // fatal consumer error (Fail called).
  bool PollAndDispatch(std::vector<RawMessage>& batch);
  // Serves the producer's delivery reports, a fatal error, a pending replacement.
  void ServiceProducer(const std::atomic<bool>& stop);
  // After the loop: commits what is complete, leaves the group; Run's result.
  absl::Status Finish(const LoopTimers& timers);

  const v1::PipelineConfig config_;
  const Chain* const chain_;
  Metrics* const metrics_;
  Health* const health_;
  // The per-message metrics, resolved once (loop thread).
  MessageMetrics message_metrics_;

  std::atomic<State> state_{State::kStarting};
  const std::string changelog_topic_;
  OutputPlanOptions plan_options_;  // the config the output plan needs
  std::optional<absl::Status> fatal_;  // loop thread only

  // Loop-thread state.
  // Assigned partitions, their consumed messages in order, committable offsets,
  // messages and bytes in flight.
  InFlight in_flight_;
  // When to pause and resume consumption (backpressure.h).
  Backpressure backpressure_;
  // Lag, topic and state gauges, health (lag_monitor.h); created by Create.
  std::unique_ptr<LagMonitor> monitor_;

  // Runs the chain on each slot (worker_pool.h); created last by Create.
  std::unique_ptr<WorkerPool> pool_;

  // The engine's store of held events; the chain's stores belong to its stages.
  // Declared before state_stores_, whose changelog thread restores into it.
  HeldEvents held_;
  // The state stores and the changelog: creation, restore, following.
  std::unique_ptr<StateBootstrap> state_stores_;

  // The delivery mode (chosen in Create) and its view of the Kafka clients below.
  std::unique_ptr<KafkaPorts> ports_;
  std::unique_ptr<Committer> committer_;
  // Waiting for the brokers, fatal producer errors, replacing the producer (sink_).
  std::unique_ptr<ProducerLifecycle> producer_;
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
