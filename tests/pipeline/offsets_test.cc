#include "pipeline/offsets.h"

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

TEST(OffsetTrackerTest, PendingCommitsOnlyWhatAdvanced) {
  OffsetTracker t;
  TopicPartition a{"news.raw", 0}, b{"news.raw", 1};
  t.Track(a, 0);
  t.Track(a, 1);
  t.Track(b, 100);
  t.Ack(a, 0);
  EXPECT_THAT(t.PendingCommits(), ElementsAre(Pair(a, 1), Pair(b, 100)));
  t.MarkCommitted(a, 1);
  t.MarkCommitted(b, 100);
  EXPECT_TRUE(t.PendingCommits().empty());
  t.Ack(a, 1);
  EXPECT_THAT(t.PendingCommits(), ElementsAre(Pair(a, 2)));
  EXPECT_EQ(t.inflight(), 1u);
  EXPECT_EQ(t.inflight(b), 1u);
  EXPECT_EQ(t.Committed(b), 100);
  t.Remove(b);
  EXPECT_EQ(t.inflight(), 0u);
  EXPECT_EQ(t.Committed(b), std::nullopt);
}

}  // namespace
}  // namespace newsd
