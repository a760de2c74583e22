// KafkaSource: the one owner of the RdKafka::KafkaConsumer.
//
// Consumer group with cooperative-sticky assignment, auto commit off; offsets are
// committed explicitly from InFlight (in_flight.h). Rebalance events are forwarded to a
// RebalanceListener, called on the thread that runs Poll().
#ifndef NEWSD_PIPELINE_KAFKA_SOURCE_H_
#define NEWSD_PIPELINE_KAFKA_SOURCE_H_

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/chain.h"
#include "pipeline/consumer_queries.h"
#include "pipeline/kafka_partition_list.h"
#include "pipeline/topic_partition.h"

namespace newsd {

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Partitions newly assigned to this member (already added to the assignment).
  virtual void OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  // Partitions about to be given up. With lost == false the listener may still
  // finish their in-flight work and commit (KafkaSource::Commit); with lost == true
  // another member may already own them and commits would fail.
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) = 0;
};

struct KafkaSourceOptions {
  std::string brokers;
  std::string group_id;
  // Topic names, and at most one pattern subscription ("^" + POSIX extended regex,
  // kafka.input_topic_pattern).
  std::vector<std::string> topics;
  // Extra librdkafka properties (kafka.properties, then kafka.consumer_properties).
  std::vector<std::pair<std::string, std::string>> properties;
};

class KafkaSource : public ConsumerQueries {
 public:
  // Creates the consumer (not yet subscribed). kInvalidArgument for a property
  // librdkafka rejects (the message names it).
  static absl::StatusOr<std::unique_ptr<KafkaSource>> Create(const KafkaSourceOptions& options,
                                                             RebalanceListener* listener);
  ~KafkaSource();

  absl::Status Subscribe();

  // Appends up to `max` messages to `out`, waiting at most `timeout` for the first
  // one. Also serves the consumer's callbacks (rebalances, errors): call it at least
  // every max.poll.interval.ms even while every partition is paused. Per-message errors that do not stop consumption (unknown topic, transient
  // broker errors) are logged and skipped; a fatal consumer error is returned as
  // kFailedPrecondition.
  absl::Status Poll(absl::Duration timeout, size_t max, std::vector<RawMessage>* out);

  // Commits `offsets` (next offset to read per partition). kUnavailable etc. per
  // KafkaStatus on failure.
  absl::Status Commit(const std::vector<std::pair<TopicPartition, int64_t>>& offsets, bool sync);

  absl::Status Pause(const std::vector<TopicPartition>& partitions);
  absl::Status Resume(const std::vector<TopicPartition>& partitions);

  // Current assignment.
  std::vector<TopicPartition> Assignment();

  // The consumer group metadata for KafkaSink::SendOffsetsToTransaction.
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> GroupMetadata();

  // Repositions `partitions` at their committed offsets (or auto.offset.reset when
  // the group has none): everything after is delivered again. Used after an
  // aborted transaction. Errors per KafkaStatus.
  absl::Status SeekToCommitted(const std::vector<TopicPartition>& partitions,
                               absl::Duration timeout);

  // ConsumerQueries (consumer_queries.h), asked by the consumer monitor.
  Watermarks CachedWatermarks(const TopicPartition& tp) override;
  absl::StatusOr<Watermarks> QueryWatermarks(const TopicPartition& tp,
                                             absl::Duration timeout) override;
  absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>> CommittedOffsets(
      const std::vector<TopicPartition>& partitions, absl::Duration timeout) override;
  absl::StatusOr<std::vector<std::string>> ClusterTopics(absl::Duration timeout) override;
  bool starts_at_earliest() const override { return starts_at_earliest_; }
  absl::Duration metadata_refresh_interval() const override {
    return metadata_refresh_interval_;
  }

  // Leaves the group (revoke callbacks run first) and closes the consumer.
  absl::Status Close();

 private:
  class RebalanceCb;
  class EventCb;
  KafkaSource() = default;

  // Declared before consumer_ so they outlive it (librdkafka calls them until close).
  std::unique_ptr<RebalanceCb> rebalance_cb_;
  std::unique_ptr<EventCb> event_cb_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::vector<std::string> topics_;
  bool closed_ = false;
  bool starts_at_earliest_ = true;
  absl::Duration metadata_refresh_interval_ = absl::Seconds(30);
};

// `partitions` as librdkafka's partition list (no offsets).
RdKafkaPartitionList ToRdKafka(const std::vector<TopicPartition>& partitions);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_SOURCE_H_
