// InFlight: the consumed messages not yet committable, per assigned input
// partition: their processing order, the committable offsets and how much is in
// flight. The one owner of that state; the daemon asks it what is ready to produce
// in order, what may be committed, how much is in flight, and to drop partitions or
// everything (rebalance, transaction abort).
//
// A message is in flight from Add (consumed) until its offset is acknowledged
// (AckIfDone: all its outputs acknowledged by the broker, or nothing to produce):
// - per partition it waits in a queue, in offset order, until it is produced
//   (TakeReady hands out the heads whose result is ready: outputs leave in
//   consumed order per partition, whatever order the workers finish in);
// - its offset is tracked by the partition's PartitionOffsets: the committable
//   offset never passes the lowest unacknowledged one;
// - its value size counts in bytes() until acknowledged or dropped.
//
// Not thread-safe: owned by the loop thread (an InFlightMessage's WorkItem part is
// shared with the worker pool, see worker_pool.h).
#ifndef NEWSD_PIPELINE_IN_FLIGHT_H_
#define NEWSD_PIPELINE_IN_FLIGHT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "pipeline/chain.h"
#include "pipeline/refused_outputs.h"
#include "pipeline/topic_partition.h"
#include "pipeline/worker_pool.h"
#include "pipeline/log.h"

namespace newsd {

// Low watermark of acknowledged offsets for one partition.
//
// The consumer hands out offsets in increasing order per partition; the output of
// each (event or dead letter) is acknowledged by the broker in any order. The
// committable offset of a partition is the lowest offset not yet acknowledged (or
// one past the highest tracked offset when everything is acknowledged): committing
// it can never skip an unacknowledged message.
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

// One consumed message in flight: the worker pool's item (message, result) plus
// what the loop records about its outputs (loop thread only).
struct InFlightMessage : WorkItem {
  InFlightMessage(RawMessage message, TopicPartition tp)
      : WorkItem(std::move(message)), tp(std::move(tp)) {}
  const TopicPartition tp;  // its input partition
  // Outputs produced for it and not yet acknowledged; AckIfDone acknowledges its
  // offset once this is 0.
  int unacknowledged = 0;
  // The form of the outputs produced for it (refused_outputs.h).
  OutputForm form = OutputForm::kNormal;
  bool acknowledged = false;  // its offset was acknowledged (AckIfDone)
};

// Log context of a line about `message`: its topic, partition and offset, and the
// article id of `result` (the chain's) when given, else none.
MessageLogContext LogContextOf(const RawMessage& message, const ChainResult* result);

class InFlight {
 public:
  // Starts owning `tp` (a no-op if already assigned; assigned_at is kept).
  void Assign(const TopicPartition& tp, absl::Time now = absl::Now());
  bool assigned(const TopicPartition& tp) const { return partitions_.count(tp) > 0; }
  // When `tp` was assigned; nullopt if it is not.
  std::optional<absl::Time> assigned_at(const TopicPartition& tp) const;
  // The assigned partitions, ordered.
  std::vector<TopicPartition> Assigned() const;
  size_t assigned_count() const { return partitions_.size(); }

  // A consumed message of an assigned partition: queued for production, its offset
  // tracked, its value counted in bytes(). nullptr (nothing recorded) if its
  // partition is not assigned (a message of a revoked partition: redelivered to
  // the next owner).
  std::shared_ptr<InFlightMessage> Add(RawMessage message);

  // Takes the processed messages at the heads of the queues, partition by
  // partition, in offset order: while `may_take()` is true and the head's result
  // is ready(), removes it from its queue and calls `take(message)`. Stops at the
  // first `may_take()` or `take` returning false.
  void TakeReady(const std::function<bool()>& may_take,
                 const std::function<bool(const std::shared_ptr<InFlightMessage>&)>& take);

  // Acknowledges `message`'s offset and stops counting its bytes, once none of its
  // outputs is unacknowledged (unacknowledged == 0), at most once. True if this
  // call acknowledged it. A message of a partition dropped since is only counted
  // out (its offset is not tracked any more).
  bool AckIfDone(InFlightMessage& message);

  // Offsets that advanced since the last MarkCommitted, as (partition, offset to
  // commit), partition order.
  std::vector<std::pair<TopicPartition, int64_t>> PendingCommits() const;
  // Records that `offset` was committed for `tp` (ignored if not assigned).
  void MarkCommitted(const TopicPartition& tp, int64_t offset);
  // Last committed offset of `tp`, if any commit happened since it was assigned
  // (or since the last DropAll).
  std::optional<int64_t> Committed(const TopicPartition& tp) const;

  // Unacknowledged messages over all partitions (or of one partition).
  size_t messages() const;
  size_t messages(const TopicPartition& tp) const;
  // Value bytes of the unacknowledged messages (consumed and not dropped).
  uint64_t bytes() const { return bytes_; }
  // Nothing queued and nothing unacknowledged in `tp` (in any partition).
  bool Idle(const TopicPartition& tp) const;
  bool Idle() const;
  // Kafka timestamp of the oldest queued message (not yet produced), if any has one.
  std::optional<absl::Time> OldestQueuedTimestamp() const;

  // Drops the queued (not yet produced) messages of `partitions` (all when null):
  // they are never produced nor acknowledged and stop counting in bytes(); the
  // partitions stay assigned. (Their work items are the pool's to cancel.)
  void DropQueued(const std::vector<TopicPartition>* partitions);
  // Revoked or lost: drops their queued messages and forgets the partitions (their
  // offsets and commits).
  void Revoke(const std::vector<TopicPartition>& partitions);
  // After a transaction abort: drops every queued message and forgets every
  // offset and commit, and counts nothing in flight any more; the partitions stay
  // assigned (assigned_at kept).
  void DropAll();

 private:
  struct Partition {
    std::deque<std::shared_ptr<InFlightMessage>> queued;  // consumed, not produced
    PartitionOffsets offsets;
    std::optional<int64_t> committed;
    absl::Time assigned_at;
  };
  std::map<TopicPartition, Partition> partitions_;
  uint64_t bytes_ = 0;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_IN_FLIGHT_H_
