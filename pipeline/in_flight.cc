#include "pipeline/in_flight.h"

#include <algorithm>

namespace newsd {

MessageLogContext LogContextOf(const RawMessage& message, const ChainResult* result) {
  MessageLogContext context;
  context.article_id = result ? result->event.article().id() : std::string();
  context.topic = message.topic;
  context.partition = message.partition;
  context.offset = message.offset;
  return context;
}

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

void InFlight::Assign(const TopicPartition& tp, absl::Time now) {
  auto [it, inserted] = partitions_.try_emplace(tp);
  if (inserted) it->second.assigned_at = now;
}

std::optional<absl::Time> InFlight::assigned_at(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  return it->second.assigned_at;
}

std::vector<TopicPartition> InFlight::Assigned() const {
  std::vector<TopicPartition> out;
  out.reserve(partitions_.size());
  for (const auto& [tp, p] : partitions_) out.push_back(tp);
  return out;
}

std::shared_ptr<InFlightMessage> InFlight::Add(RawMessage message) {
  TopicPartition tp{message.topic, message.partition};
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return nullptr;
  it->second.offsets.Track(message.offset);
  bytes_ += message.value.size();
  auto m = std::make_shared<InFlightMessage>(std::move(message), std::move(tp));
  it->second.queued.push_back(m);
  return m;
}

void InFlight::TakeReady(
    const std::function<bool()>& may_take,
    const std::function<bool(const std::shared_ptr<InFlightMessage>&)>& take) {
  for (auto& [tp, p] : partitions_) {
    while (!p.queued.empty() && p.queued.front()->ready()) {
      if (!may_take()) return;
      std::shared_ptr<InFlightMessage> m = std::move(p.queued.front());
      p.queued.pop_front();
      if (!take(m)) return;
    }
  }
}

bool InFlight::AckIfDone(InFlightMessage& message) {
  if (message.unacknowledged != 0 || message.acknowledged) return false;
  message.acknowledged = true;
  auto it = partitions_.find(message.tp);
  if (it != partitions_.end()) it->second.offsets.Ack(message.message.offset);
  bytes_ -= std::min<uint64_t>(bytes_, message.message.value.size());
  return true;
}

std::vector<std::pair<TopicPartition, int64_t>> InFlight::PendingCommits() const {
  std::vector<std::pair<TopicPartition, int64_t>> out;
  for (const auto& [tp, p] : partitions_) {
    std::optional<int64_t> c = p.offsets.Committable();
    if (c && (!p.committed || *c != *p.committed)) out.emplace_back(tp, *c);
  }
  return out;
}

void InFlight::MarkCommitted(const TopicPartition& tp, int64_t offset) {
  auto it = partitions_.find(tp);
  if (it != partitions_.end()) it->second.committed = offset;
}

std::optional<int64_t> InFlight::Committed(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  return it->second.committed;
}

size_t InFlight::messages() const {
  size_t n = 0;
  for (const auto& [tp, p] : partitions_) n += p.offsets.inflight();
  return n;
}

size_t InFlight::messages(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? 0 : it->second.offsets.inflight();
}

bool InFlight::Idle(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ||
         (it->second.queued.empty() && it->second.offsets.inflight() == 0);
}

bool InFlight::Idle() const {
  for (const auto& [tp, p] : partitions_) {
    if (!p.queued.empty() || p.offsets.inflight() > 0) return false;
  }
  return true;
}

std::optional<absl::Time> InFlight::OldestQueuedTimestamp() const {
  std::optional<absl::Time> oldest;
  for (const auto& [tp, p] : partitions_) {
    if (!p.queued.empty() && p.queued.front()->message.timestamp) {
      const absl::Time t = *p.queued.front()->message.timestamp;
      if (!oldest || t < *oldest) oldest = t;
    }
  }
  return oldest;
}

void InFlight::DropQueued(const std::vector<TopicPartition>* only) {
  for (auto& [tp, p] : partitions_) {
    if (only && std::find(only->begin(), only->end(), tp) == only->end()) continue;
    for (const std::shared_ptr<InFlightMessage>& m : p.queued) {
      bytes_ -= std::min<uint64_t>(bytes_, m->message.value.size());
    }
    p.queued.clear();
  }
}

void InFlight::Revoke(const std::vector<TopicPartition>& partitions) {
  DropQueued(&partitions);
  for (const TopicPartition& tp : partitions) partitions_.erase(tp);
}

void InFlight::DropAll() {
  DropQueued(nullptr);
  for (auto& [tp, p] : partitions_) {
    p.offsets = PartitionOffsets();
    p.committed.reset();
  }
  bytes_ = 0;
}

}  // namespace newsd
