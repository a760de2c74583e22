// KafkaAdmin: the cluster administration newsd needs (does a topic exist, create a
// topic, read one topic config such as max.message.bytes or cleanup.policy),
// through the Kafka Admin API and metadata requests of an existing client.
//
// It owns no connection: requests go through the client handle it is given (the
// daemon's producer, KafkaSink::handle()), which must outlive it. Every call
// blocks the calling thread for at most about its `timeout` (plus one second of
// queue wait); calls on one object may come from any thread, as librdkafka's
// admin and metadata calls are thread-safe. Errors are statuses per
// kafka_status.h (kUnavailable when no broker answered in time).
#ifndef NEWSD_PIPELINE_KAFKA_ADMIN_H_
#define NEWSD_PIPELINE_KAFKA_ADMIN_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct rd_kafka_s;

namespace newsd {

class KafkaAdmin {
 public:
  // Requests go through `client` (not owned, not null).
  explicit KafkaAdmin(rd_kafka_s* client) : client_(client) {}

  // Whether `topic` exists, from a metadata request for all topics (a request for
  // the one topic could auto-create it on brokers that allow that).
  absl::StatusOr<bool> TopicExists(const std::string& topic, absl::Duration timeout) const;

  // The value of topic config `name` of `topic` (DescribeConfigs), e.g.
  // "compact" for "cleanup.policy", "1048588" for "max.message.bytes" (the
  // broker's default when the topic does not override it). kNotFound if the
  // broker reports no such config.
  absl::StatusOr<std::string> TopicConfig(const std::string& topic, const std::string& name,
                                          absl::Duration timeout) const;

  // Creates `topic` (CreateTopics) with `partitions` (-1: the broker's
  // num.partitions), `replication_factor` (-1: the broker's
  // default.replication.factor) and topic configs such as {"cleanup.policy",
  // "compact"}. OK when created or when it already exists (its configs are then
  // left as they are). kInvalidArgument for arguments librdkafka refuses before
  // sending (e.g. a partition count below -1).
  absl::Status CreateTopic(const std::string& topic, int partitions, int replication_factor,
                           const std::vector<std::pair<std::string, std::string>>& configs,
                           absl::Duration timeout) const;

 private:
  rd_kafka_s* client_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_ADMIN_H_
