// Per-partition offset tracking for at-least-once commits.
//
// The consumer hands out offsets in increasing order per partition; the output of
// each (event or dead letter) is acknowledged by the broker in any order. The
// committable offset of a partition is the lowest offset not yet acknowledged (or
// one past the highest tracked offset when everything is acknowledged): committing
// it can never skip an unacknowledged message. Not thread-safe: owned by the loop.
#ifndef NEWSD_PIPELINE_OFFSETS_H_
#define NEWSD_PIPELINE_OFFSETS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

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

// Low-watermark of acknowledged offsets for one partition.
class PartitionOffsets {
 public:
  // Records that `offset` was consumed and is in flight. Offsets must increase;
  // a lower or repeated offset (after a seek/rewind) resets the tracker to it.
  void Track(int64_t offset);
  // Records that the output of `offset` was acknowledged. Unknown offsets are ignored.
  void Ack(int64_t offset);
  // The offset to commit (next offset to read), or nullopt if nothing was tracked.
  std::optional<int64_t> Committable() const;
  // Number of tracked offsets not yet acknowledged.
  size_t inflight() const { return unacked_.size(); }

 private:
  std::set<int64_t> unacked_;
  std::optional<int64_t> next_;  // one past the highest tracked offset
};

// All partitions of the current assignment.
class OffsetTracker {
 public:
  void Track(const TopicPartition& tp, int64_t offset);
  void Ack(const TopicPartition& tp, int64_t offset);
  // Forgets a partition (revoked or lost).
  void Remove(const TopicPartition& tp);
  // Offsets that advanced since the last MarkCommitted, as (partition, offset to commit).
  std::vector<std::pair<TopicPartition, int64_t>> PendingCommits() const;
  // Records that `offset` was committed for `tp`.
  void MarkCommitted(const TopicPartition& tp, int64_t offset);
  // Last committed offset of `tp`, if any commit happened in this process.
  std::optional<int64_t> Committed(const TopicPartition& tp) const;
  // Unacknowledged messages over all partitions (or of one partition).
  size_t inflight() const;
  size_t inflight(const TopicPartition& tp) const;

 private:
  struct State {
    PartitionOffsets offsets;
    std::optional<int64_t> committed;
  };
  std::map<TopicPartition, State> partitions_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_OFFSETS_H_
