// TopicPartition: one Kafka partition, ordered by (topic, partition).
#ifndef NEWSD_PIPELINE_TOPIC_PARTITION_H_
#define NEWSD_PIPELINE_TOPIC_PARTITION_H_

#include <cstdint>
#include <string>
#include <tuple>

namespace newsd {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  friend bool operator<(const TopicPartition& a, const TopicPartition& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  }
  friend bool operator==(const TopicPartition& a, const TopicPartition& b) {
    return a.topic == b.topic && a.partition == b.partition;
  }
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_TOPIC_PARTITION_H_
