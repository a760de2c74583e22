// ConsumerQueries: the read-only questions about the consumer group and the cluster
// that the consumer monitor (lag_monitor.h) asks. KafkaSource implements them over
// its consumer; tests use a fake.
//
// Calls that talk to the brokers block up to their `timeout`; the others return at
// once. Not thread-safe: call from the thread that owns the consumer.
#ifndef NEWSD_PIPELINE_CONSUMER_QUERIES_H_
#define NEWSD_PIPELINE_CONSUMER_QUERIES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/topic_partition.h"

namespace newsd {

class ConsumerQueries {
 public:
  virtual ~ConsumerQueries() = default;

  // Low and high watermark (log start and end offset) of a partition.
  struct Watermarks {
    int64_t low = -1;   // -1: unknown
    int64_t high = -1;  // -1: unknown
  };
  // From the last fetch response (no broker call); either may be -1.
  virtual Watermarks CachedWatermarks(const TopicPartition& tp) = 0;
  // Asks the partition leader (ListOffsets): blocks up to `timeout`.
  virtual absl::StatusOr<Watermarks> QueryWatermarks(const TopicPartition& tp,
                                                     absl::Duration timeout) = 0;
  // The group's committed offset of each partition (OffsetFetch to the group
  // coordinator, one request; blocks up to `timeout`); -1 where the group has none.
  virtual absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>> CommittedOffsets(
      const std::vector<TopicPartition>& partitions, absl::Duration timeout) = 0;
  // Names of the topics in the cluster metadata (one Metadata request for all topics;
  // blocks up to `timeout`).
  virtual absl::StatusOr<std::vector<std::string>> ClusterTopics(absl::Duration timeout) = 0;
  // Whether a partition without a committed offset starts at its low watermark
  // (auto.offset.reset earliest, newsd's default) rather than at its end.
  virtual bool starts_at_earliest() const = 0;
  // The consumer's topic.metadata.refresh.interval.ms: how soon new topics that match
  // the subscription (and partitions added to subscribed topics) are noticed.
  virtual absl::Duration metadata_refresh_interval() const = 0;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_CONSUMER_QUERIES_H_
