#include "pipeline/offsets.h"

namespace newsd {

void PartitionOffsets::Track(int64_t offset) {
  if (next_ && offset < *next_) {
    // Rewound (seek after an abort, or re-delivery): everything at or after this
    // offset will be delivered again.
    unacked_.erase(unacked_.lower_bound(offset), unacked_.end());
  }
  unacked_.insert(offset);
  next_ = offset + 1;
}

void PartitionOffsets::Ack(int64_t offset) { unacked_.erase(offset); }

std::optional<int64_t> PartitionOffsets::Committable() const {
  if (!unacked_.empty()) return *unacked_.begin();
  return next_;
}

void OffsetTracker::Track(const TopicPartition& tp, int64_t offset) {
  partitions_[tp].offsets.Track(offset);
}

void OffsetTracker::Ack(const TopicPartition& tp, int64_t offset) {
  auto it = partitions_.find(tp);
  if (it != partitions_.end()) it->second.offsets.Ack(offset);
}

void OffsetTracker::Remove(const TopicPartition& tp) { partitions_.erase(tp); }

std::vector<std::pair<TopicPartition, int64_t>> OffsetTracker::PendingCommits() const {
  std::vector<std::pair<TopicPartition, int64_t>> out;
  for (const auto& [tp, state] : partitions_) {
    std::optional<int64_t> c = state.offsets.Committable();
    if (c && (!state.committed || *c != *state.committed)) out.emplace_back(tp, *c);
  }
  return out;
}

void OffsetTracker::MarkCommitted(const TopicPartition& tp, int64_t offset) {
  auto it = partitions_.find(tp);
  if (it != partitions_.end()) it->second.committed = offset;
}

std::optional<int64_t> OffsetTracker::Committed(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  return it->second.committed;
}

size_t OffsetTracker::inflight() const {
  size_t n = 0;
  for (const auto& [tp, state] : partitions_) n += state.offsets.inflight();
  return n;
}

size_t OffsetTracker::inflight(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? 0 : it->second.offsets.inflight();
}

}  // namespace newsd
