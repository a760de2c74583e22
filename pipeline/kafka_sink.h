// KafkaSink: the one owner of the RdKafka::Producer (idempotent).
//
// Delivery reports are dispatched from Poll()/Flush() on the calling thread to the
// DeliveryCallback given at creation, with the opaque pointer passed to Produce().
#ifndef NEWSD_PIPELINE_KAFKA_SINK_H_
#define NEWSD_PIPELINE_KAFKA_SINK_H_

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct rd_kafka_s;

namespace newsd {

struct OutboundMessage {
  std::string topic;
  std::optional<std::string> key;    // nullopt: no key
  std::optional<std::string> value;  // nullopt: null value (tombstone)
  std::vector<std::pair<std::string, std::string>> headers;
  // Partition to write to; -1 lets the partitioner choose (by key hash).
  int32_t partition = -1;
};

struct KafkaSinkOptions {
  std::string brokers;
  // Non-empty: a transactional producer with this transactional.id
  // (exactly-once mode); call InitTransactions() before producing.
  std::string transactional_id;
  // Extra librdkafka properties (kafka.properties, then kafka.producer_properties).
  std::vector<std::pair<std::string, std::string>> properties;
};

class KafkaSink {
 public:
  // What the broker said about one produced message.
  struct DeliveryReport {
    void* opaque = nullptr;  // as passed to Produce()
    // OK when the broker acknowledged it, else the delivery error
    // (kDeadlineExceeded when it timed out in the queue).
    absl::Status status;
    int32_t partition = -1;  // partition written to (when acknowledged)
    int64_t offset = -1;     // offset written at (when acknowledged)
    // When not acknowledged: a copy of the record (topic, key, value, headers;
    // partition -1), so that it can be sized and produced again.
    std::optional<OutboundMessage> record;
  };
  // Called once per produced message from Poll()/Flush()/Produce().
  using DeliveryCallback = std::function<void(DeliveryReport report)>;

  // kInvalidArgument for a property librdkafka rejects.
  static absl::StatusOr<std::unique_ptr<KafkaSink>> Create(const KafkaSinkOptions& options,
                                                           DeliveryCallback on_delivery);
  ~KafkaSink();

  // Enqueues `message` (copied). While the local queue is full, serves delivery
  // reports and retries until `queue_full_wait` elapses (then kResourceExhausted).
  // Other errors per KafkaStatus (kInvalidArgument: unknown topic, too large).
  absl::Status Produce(const OutboundMessage& message, void* opaque,
                       absl::Duration queue_full_wait = absl::Seconds(30));

  // Produce calls that waited on a full local queue (ERR__QUEUE_FULL), and how long
  // they waited, since the last call of this method.
  struct QueueFullWaits {
    int64_t waits = 0;
    absl::Duration waited;
  };
  QueueFullWaits TakeQueueFullWaits() { return std::exchange(queue_full_waits_, {}); }

  // Serves delivery reports for up to `timeout`. Returns the number served.
  int Poll(absl::Duration timeout);

  // Waits until every enqueued message is delivered or failed, at most `timeout`.
  // kDeadlineExceeded if messages remain.
  absl::Status Flush(absl::Duration timeout);
  // Drops every queued and in-flight message (their delivery reports, with
  // ERR__PURGE_QUEUE / ERR__PURGE_INFLIGHT, are served before it returns): used
  // before destroying a producer that failed fatally.
  void PurgeAll();

  // Messages enqueued and not yet reported.
  int outq_len() const { return producer_->outq_len(); }

  // Fetches cluster metadata (at most `timeout`) to learn whether a broker answers;
  // updates connected().
  absl::Status CheckConnection(absl::Duration timeout);
  // True after a successful metadata request or delivery, false after "all brokers
  // down" or a failed metadata request.
  bool connected() const { return connected_.load(); }

  // Set when librdkafka raised a fatal error (the producer is unusable).
  std::optional<absl::Status> fatal_error() const;

  // Transactions (transactional producers only). Every call maps librdkafka's
  // RdKafka::Error to the retry policy:
  //   kUnavailable        retriable: call again;
  //   kAborted            the transaction must be aborted (AbortTransaction) and
  //                       its input re-consumed;
  //   kFailedPrecondition fatal (fenced by a newer instance, ...): stop producing.
  absl::Status InitTransactions(absl::Duration timeout);
  absl::Status BeginTransaction();
  // Adds the consumer offsets (next offset to read per partition) to the open
  // transaction, for the consumer group described by `group_metadata`.
  absl::Status SendOffsetsToTransaction(
      const std::vector<std::pair<std::string, std::pair<int32_t, int64_t>>>& offsets,
      const RdKafka::ConsumerGroupMetadata* group_metadata, absl::Duration timeout);
  absl::Status CommitTransaction(absl::Duration timeout);
  absl::Status AbortTransaction(absl::Duration timeout);
  bool transactional() const { return transactional_; }

  // The producer's librdkafka handle, for admin requests that share its
  // connections (KafkaAdmin). Owned by the sink; valid while it lives.
  rd_kafka_s* handle() const { return producer_->c_ptr(); }

 private:
  class DeliveryCb;
  class EventCb;
  KafkaSink() = default;

  // Callbacks outlive the producer, which calls them until destroyed.
  std::unique_ptr<DeliveryCb> delivery_cb_;
  std::unique_ptr<EventCb> event_cb_;
  std::unique_ptr<RdKafka::Producer> producer_;
  QueueFullWaits queue_full_waits_;  // loop thread (Produce)
  std::atomic<bool> connected_{false};
  std::atomic<bool> fatal_{false};
  bool transactional_ = false;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_SINK_H_
