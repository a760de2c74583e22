#include "pipeline/in_flight.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(PartitionOffsetsTest, NothingTrackedHasNothingToCommit) {
  PartitionOffsets p;
  EXPECT_EQ(p.Committable(), std::nullopt);
  EXPECT_EQ(p.inflight(), 0u);
}

TEST(PartitionOffsetsTest, CommitStopsAtLowestUnacknowledged) {
  PartitionOffsets p;
  for (int64_t o = 10; o < 15; ++o) p.Track(o);
  EXPECT_EQ(p.Committable(), 10);
  p.Ack(11);
  p.Ack(12);
  EXPECT_EQ(p.Committable(), 10);  // 10 still in flight: must not skip it
  p.Ack(10);
  EXPECT_EQ(p.Committable(), 13);
  p.Ack(14);
  EXPECT_EQ(p.Committable(), 13);
  p.Ack(13);
  EXPECT_EQ(p.Committable(), 15);  // all acknowledged: next offset to read
  EXPECT_EQ(p.inflight(), 0u);
}

TEST(PartitionOffsetsTest, GapsInOffsetsAreFine) {
  // Compacted topics and transaction markers leave holes in the offset sequence.
  PartitionOffsets p;
  p.Track(3);
  p.Track(7);
  p.Ack(7);
  EXPECT_EQ(p.Committable(), 3);
  p.Ack(3);
  EXPECT_EQ(p.Committable(), 8);
}

TEST(PartitionOffsetsTest, RewindForgetsLaterOffsets) {
  PartitionOffsets p;
  for (int64_t o = 0; o < 5; ++o) p.Track(o);
  p.Ack(0);
  p.Track(2);  // seek back to 2: 2,3,4 will be delivered again
  EXPECT_EQ(p.inflight(), 2u);  // 1 and the new 2
  EXPECT_EQ(p.Committable(), 1);
  p.Ack(1);
  p.Ack(2);
  EXPECT_EQ(p.Committable(), 3);
}

TEST(PartitionOffsetsTest, AckOfUnknownOffsetIsIgnored) {
  PartitionOffsets p;
  p.Track(5);
  p.Ack(99);
  EXPECT_EQ(p.Committable(), 5);
}

RawMessage Message(const TopicPartition& tp, int64_t offset, size_t bytes = 0) {
  RawMessage m;
  m.topic = tp.topic;
  m.partition = tp.partition;
  m.offset = offset;
  m.value = std::string(bytes, 'x');
  return m;
}

// (Was OffsetTrackerTest.PendingCommitsOnlyWhatAdvanced: Track is Add, Ack is
// AckIfDone, inflight is messages, Remove is Revoke.)
TEST(InFlightTest, PendingCommitsOnlyWhatAdvanced) {
  InFlight t;
  TopicPartition a{"news.raw", 0}, b{"news.raw", 1};
  t.Assign(a);
  t.Assign(b);
  std::shared_ptr<InFlightMessage> a0 = t.Add(Message(a, 0));
  std::shared_ptr<InFlightMessage> a1 = t.Add(Message(a, 1));
  t.Add(Message(b, 100));
  t.AckIfDone(*a0);
  EXPECT_THAT(t.PendingCommits(), ElementsAre(Pair(a, 1), Pair(b, 100)));
  t.MarkCommitted(a, 1);
  t.MarkCommitted(b, 100);
  EXPECT_TRUE(t.PendingCommits().empty());
  t.AckIfDone(*a1);
  EXPECT_THAT(t.PendingCommits(), ElementsAre(Pair(a, 2)));
  EXPECT_EQ(t.messages(), 1u);
  EXPECT_EQ(t.messages(b), 1u);
  EXPECT_EQ(t.Committed(b), 100);
  t.Revoke({b});
  EXPECT_EQ(t.messages(), 0u);
  EXPECT_EQ(t.Committed(b), std::nullopt);
}

// Runs work items through a real pool, each finishing only once the test releases
// its offset (so the test decides the order results become ready in).
class Gate {
 public:
  ChainResult Run(const RawMessage& m) {
    while (!Released(m.offset)) absl::SleepFor(absl::Milliseconds(1));
    return ChainResult();
  }
  void Release(int64_t offset) {
    absl::MutexLock lock(&mu_);
    released_.insert(offset);
  }

 private:
  bool Released(int64_t offset) {
    absl::MutexLock lock(&mu_);
    return released_.count(offset) > 0;
  }
  absl::Mutex mu_;
  std::set<int64_t> released_ ABSL_GUARDED_BY(mu_);
};

bool WaitReady(const std::vector<std::shared_ptr<InFlightMessage>>& messages) {
  const absl::Time end = absl::Now() + absl::Seconds(10);
  for (const auto& m : messages) {
    while (!m->ready()) {
      if (absl::Now() > end) return false;
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  return true;
}

std::vector<int64_t> Take(InFlight& in_flight) {
  std::vector<int64_t> taken;
  in_flight.TakeReady([] { return true; },
                      [&](const std::shared_ptr<InFlightMessage>& m) {
                        taken.push_back(m->message.offset);
                        return true;
                      });
  return taken;
}

TEST(InFlightTest, TakesReadyMessagesInOffsetOrderPerPartition) {
  auto gate = std::make_shared<Gate>();
  WorkerPoolOptions options;
  options.threads = 4;
  WorkerPool pool([gate](const RawMessage& m, absl::Time) { return gate->Run(m); }, options);
  InFlight in_flight;
  TopicPartition a{"news.raw", 0}, b{"news.raw", 1};
  in_flight.Assign(a);
  in_flight.Assign(b);
  std::vector<std::shared_ptr<InFlightMessage>> m;
  for (int64_t o : {0, 1, 2}) m.push_back(in_flight.Add(Message(a, o)));
  m.push_back(in_flight.Add(Message(b, 10)));
  for (const auto& x : m) pool.Submit(x);

  gate->Release(1);
  gate->Release(2);
  ASSERT_TRUE(WaitReady({m[1], m[2]}));
  EXPECT_TRUE(Take(in_flight).empty());  // 0 is still running: 1 and 2 wait for it
  gate->Release(10);
  ASSERT_TRUE(WaitReady({m[3]}));
  EXPECT_EQ(Take(in_flight), std::vector<int64_t>{10});  // b does not wait for a
  gate->Release(0);
  ASSERT_TRUE(WaitReady({m[0]}));
  EXPECT_EQ(Take(in_flight), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_TRUE(Take(in_flight).empty());  // taken once
  EXPECT_EQ(in_flight.messages(), 4u);   // produced, not yet acknowledged
  EXPECT_FALSE(in_flight.Idle(a));
}

TEST(InFlightTest, TakeReadyStopsWhenToldTo) {
  auto gate = std::make_shared<Gate>();
  for (int64_t o = 0; o < 3; ++o) gate->Release(o);
  WorkerPool pool([gate](const RawMessage& m, absl::Time) { return gate->Run(m); },
                  WorkerPoolOptions());
  InFlight in_flight;
  TopicPartition a{"news.raw", 0};
  in_flight.Assign(a);
  std::vector<std::shared_ptr<InFlightMessage>> m;
  for (int64_t o = 0; o < 3; ++o) m.push_back(in_flight.Add(Message(a, o)));
  for (const auto& x : m) pool.Submit(x);
  ASSERT_TRUE(WaitReady(m));
  int room = 1;  // e.g. the producer queue has room for one more
  std::vector<int64_t> taken;
  in_flight.TakeReady([&] { return room-- > 0; },
                      [&](const std::shared_ptr<InFlightMessage>& x) {
                        taken.push_back(x->message.offset);
                        return true;
                      });
  EXPECT_EQ(taken, std::vector<int64_t>{0});
  in_flight.TakeReady([] { return true; },
                      [&](const std::shared_ptr<InFlightMessage>& x) {
                        taken.push_back(x->message.offset);
                        return false;  // e.g. the transaction must abort
                      });
  EXPECT_EQ(taken, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(Take(in_flight), std::vector<int64_t>{2});
}

TEST(InFlightTest, MessagesOfUnassignedPartitionsAreNotRecorded) {
  InFlight in_flight;
  EXPECT_EQ(in_flight.Add(Message({"news.raw", 3}, 5, 100)), nullptr);
  EXPECT_EQ(in_flight.messages(), 0u);
  EXPECT_EQ(in_flight.bytes(), 0u);
  EXPECT_TRUE(in_flight.Idle());
  EXPECT_TRUE(in_flight.PendingCommits().empty());
}

TEST(InFlightTest, AcknowledgesOnceWhenNoOutputIsPending) {
  InFlight in_flight;
  TopicPartition a{"news.raw", 0};
  in_flight.Assign(a);
  std::shared_ptr<InFlightMessage> m0 = in_flight.Add(Message(a, 0, 100));
  in_flight.Add(Message(a, 1, 50));
  EXPECT_EQ(in_flight.bytes(), 150u);
  m0->unacknowledged = 2;  // two outputs produced
  EXPECT_FALSE(in_flight.AckIfDone(*m0));
  EXPECT_EQ(in_flight.messages(), 2u);
  m0->unacknowledged = 0;
  EXPECT_TRUE(in_flight.AckIfDone(*m0));
  EXPECT_FALSE(in_flight.AckIfDone(*m0));  // at most once
  EXPECT_EQ(in_flight.bytes(), 50u);
  EXPECT_EQ(in_flight.messages(), 1u);
  EXPECT_EQ(in_flight.messages(a), 1u);
  EXPECT_THAT(in_flight.PendingCommits(), ElementsAre(Pair(a, 1)));
}

TEST(InFlightTest, DropQueuedKeepsProducedMessagesAndTheAssignment) {
  InFlight in_flight;
  TopicPartition a{"news.raw", 0}, b{"news.raw", 1};
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  in_flight.Assign(a, t0);
  in_flight.Assign(b, t0);
  in_flight.Assign(a, t0 + absl::Seconds(5));  // already assigned: kept
  EXPECT_EQ(in_flight.assigned_at(a), t0);
  RawMessage first = Message(a, 0, 10);
  first.timestamp = absl::FromUnixSeconds(500);
  in_flight.Add(std::move(first));
  in_flight.Add(Message(a, 1, 20));
  in_flight.Add(Message(b, 0, 40));
  EXPECT_EQ(in_flight.OldestQueuedTimestamp(), absl::FromUnixSeconds(500));
  std::vector<TopicPartition> only_a = {a};
  in_flight.DropQueued(&only_a);
  EXPECT_EQ(in_flight.bytes(), 40u);
  EXPECT_EQ(in_flight.OldestQueuedTimestamp(), std::nullopt);  // b's has no timestamp
  EXPECT_TRUE(in_flight.assigned(a));
  // Their offsets stay tracked (not acknowledged: nothing may be committed past them).
  EXPECT_EQ(in_flight.messages(a), 2u);
  EXPECT_FALSE(in_flight.Idle(a));
  EXPECT_THAT(in_flight.PendingCommits(), ElementsAre(Pair(a, 0), Pair(b, 0)));
  EXPECT_THAT(in_flight.Assigned(), ElementsAre(a, b));
  EXPECT_EQ(in_flight.assigned_count(), 2u);
}

TEST(InFlightTest, DropAllForgetsOffsetsButKeepsTheAssignment) {
  InFlight in_flight;
  TopicPartition a{"news.raw", 0};
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  in_flight.Assign(a, t0);
  in_flight.Add(Message(a, 7, 10));
  in_flight.Add(Message(a, 8, 10));
  in_flight.MarkCommitted(a, 7);
  in_flight.DropAll();
  EXPECT_EQ(in_flight.bytes(), 0u);
  EXPECT_EQ(in_flight.messages(), 0u);
  EXPECT_TRUE(in_flight.Idle());
  EXPECT_EQ(in_flight.Committed(a), std::nullopt);
  EXPECT_TRUE(in_flight.PendingCommits().empty());
  EXPECT_EQ(in_flight.assigned_at(a), t0);
  // After the rewind the same offsets come again.
  in_flight.Add(Message(a, 7, 10));
  EXPECT_THAT(in_flight.PendingCommits(), ElementsAre(Pair(a, 7)));
  EXPECT_EQ(in_flight.bytes(), 10u);
}

TEST(InFlightTest, RevokeForgetsThePartition) {
  auto gate = std::make_shared<Gate>();
  gate->Release(0);
  WorkerPool pool([gate](const RawMessage& m, absl::Time) { return gate->Run(m); },
                  WorkerPoolOptions());
  InFlight in_flight;
  TopicPartition a{"news.raw", 0};
  in_flight.Assign(a);
  std::shared_ptr<InFlightMessage> produced = in_flight.Add(Message(a, 0, 10));
  in_flight.Add(Message(a, 1, 30));
  pool.Submit(produced);
  ASSERT_TRUE(WaitReady({produced}));
  EXPECT_EQ(Take(in_flight), std::vector<int64_t>{0});
  in_flight.Revoke({a});
  EXPECT_FALSE(in_flight.assigned(a));
  EXPECT_EQ(in_flight.assigned_at(a), std::nullopt);
  EXPECT_EQ(in_flight.messages(), 0u);
  EXPECT_EQ(in_flight.bytes(), 10u);  // the one still queued is dropped
  EXPECT_TRUE(in_flight.AckIfDone(*produced));  // a late acknowledgement: counted out
  EXPECT_EQ(in_flight.bytes(), 0u);
  EXPECT_TRUE(in_flight.PendingCommits().empty());
}

}  // namespace
}  // namespace newsd
