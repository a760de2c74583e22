// RdKafkaPartitionList: an owned list of librdkafka partition objects
// (RdKafka::TopicPartition*, as assign/commit/committed/position/pause/seek and
// send_offsets_to_transaction take them), destroyed with the list. The calls
// that fill a list (assignment, committed, position) allocate its elements; they
// are owned by the list too. Not thread-safe; movable, not copyable.
#ifndef NEWSD_PIPELINE_KAFKA_PARTITION_LIST_H_
#define NEWSD_PIPELINE_KAFKA_PARTITION_LIST_H_

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace newsd {

class RdKafkaPartitionList {
 public:
  RdKafkaPartitionList() = default;
  ~RdKafkaPartitionList() { RdKafka::TopicPartition::destroy(list_); }
  RdKafkaPartitionList(RdKafkaPartitionList&& other) noexcept
      : list_(std::exchange(other.list_, {})) {}
  RdKafkaPartitionList& operator=(RdKafkaPartitionList&& other) noexcept {
    if (this != &other) {
      RdKafka::TopicPartition::destroy(list_);
      list_ = std::exchange(other.list_, {});
    }
    return *this;
  }
  RdKafkaPartitionList(const RdKafkaPartitionList&) = delete;
  RdKafkaPartitionList& operator=(const RdKafkaPartitionList&) = delete;

  // Appends `topic`[`partition`] at `offset` (OFFSET_INVALID: none, e.g. for
  // pause or committed); returns it, owned by the list.
  RdKafka::TopicPartition& Add(const std::string& topic, int32_t partition,
                               int64_t offset = RdKafka::Topic::OFFSET_INVALID) {
    list_.push_back(RdKafka::TopicPartition::create(topic, partition, offset));
    return *list_.back();
  }

  // The vector librdkafka's calls take; elements they add are owned by the list.
  std::vector<RdKafka::TopicPartition*>& get() { return list_; }
  const std::vector<RdKafka::TopicPartition*>& get() const { return list_; }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  auto begin() const { return list_.begin(); }
  auto end() const { return list_.end(); }

 private:
  std::vector<RdKafka::TopicPartition*> list_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_PARTITION_LIST_H_
