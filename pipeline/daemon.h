// Daemon: consume → chain → produce → commit, at least once, per-partition order.
//
// Threads: the loop thread (the one calling Run) owns the consumer, the producer and
// the offset tracker; it consumes, hands each message to a worker pool that runs the
// chain, and produces results strictly in consumed order per input partition (a
// per-partition queue whose head is produced only once it is processed). Delivery
// reports acknowledge offsets; committed offsets never pass the lowest
// unacknowledged message, so a crash at any point re-delivers, never loses.
//
// The produce and commit steps are isolated (ProduceReady / CommitAcknowledged) so
// that a transactional mode can wrap them in begin/send_offsets/commit.
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
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"
#include "pipeline/metrics.h"
#include "pipeline/offsets.h"

namespace newsd {

// Builds the dead letter for `message` rejected with `failure`: original key, value
// and headers, plus the Kafka Connect error headers (__connect.errors.topic,
// .partition, .offset, .exception.class.name, .exception.message) and
// newsd.errors.stage / newsd.errors.code (absl status code name, e.g.
// "INVALID_ARGUMENT").
OutboundMessage MakeDeadLetter(const RawMessage& message, const ChainFailure& failure,
                               const std::string& dead_letter_topic);

// Builds the output message for a processed article: key = story id (else article
// id), value = serialized ArticleEvent, headers content-type:
// application/x-protobuf and schema: newsd.v1.ArticleEvent.
OutboundMessage MakeEventMessage(const v1::ArticleEvent& event, const std::string& output_topic);

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
  // flush, commit) within config.shutdown_timeout_ms. Returns OK after a drain,
  // kFailedPrecondition/kUnavailable... after a fatal Kafka error or an output the
  // broker refused (its offset is not committed: a restart reprocesses it).
  absl::Status Run(const std::atomic<bool>& stop);

  State state() const { return state_.load(); }

  // RebalanceListener (called on the loop thread from inside Poll).
  void OnAssigned(const std::vector<TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override;

 private:
  struct Slot;
  struct DeliveryTag;
  struct PartitionState {
    std::deque<std::shared_ptr<Slot>> pending;  // consumed, not produced, offset order
  };

  Daemon(const v1::PipelineConfig& config, const Chain* chain, Metrics* metrics, Health* health);

  void WorkerLoop();
  void Dispatch(RawMessage message);
  // Produces every processed message at the head of its partition queue.
  void ProduceReady();
  void ProduceSlot(const std::shared_ptr<Slot>& slot);
  // Produces one output of `slot` (a dead letter when `failure` is set).
  void ProduceOne(const std::shared_ptr<Slot>& slot, const OutboundMessage& out,
                  const ChainFailure* failure);
  void OnDelivery(KafkaSink::DeliveryReport report);
  // Commits acknowledged offsets (all partitions, or `only` if given).
  void CommitAcknowledged(bool sync, const std::vector<TopicPartition>* only = nullptr);
  // Waits until `partitions` have nothing pending or unacknowledged, or `deadline`.
  bool DrainPartitions(const std::vector<TopicPartition>& partitions, absl::Time deadline);
  void ApplyBackpressure();
  void UpdateGauges();
  void Fail(absl::Status status);

  const v1::PipelineConfig config_;
  const Chain* const chain_;
  Metrics* const metrics_;
  Health* const health_;
  std::vector<prometheus::Histogram*> stage_duration_;  // chain order

  std::atomic<State> state_{State::kStarting};
  std::optional<absl::Status> fatal_;  // loop thread only

  // Loop-thread state.
  std::map<TopicPartition, PartitionState> partitions_;
  OffsetTracker offsets_;
  bool paused_ = false;
  absl::Time last_commit_ = absl::InfinitePast();
  absl::Time last_gauges_ = absl::InfinitePast();
  absl::Time last_connection_check_ = absl::InfinitePast();

  // Worker pool: the loop pushes to queue_, workers push finished slots to done_.
  absl::Mutex mu_;
  std::deque<std::shared_ptr<Slot>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_workers_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;

  // Destruction order: source_ and sink_ are declared last so they are destroyed
  // first, while the callbacks' target (this) is still intact.
  std::unique_ptr<KafkaSink> sink_;
  std::unique_ptr<KafkaSource> source_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_DAEMON_H_
