// OffsetCommitter (AT_LEAST_ONCE) with a fake consumer and producer.
#include "pipeline/offset_committer.h"

#include "gtest/gtest.h"
#include "tests/pipeline/committer_fakes.h"

namespace newsd {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
const TopicPartition kP0{"news.raw", 0};

class OffsetCommitterTest : public ::testing::Test {
 protected:
  FakeOffsetStore store_;
  FakeAcknowledgingProducer producer_;
  Metrics metrics_;
  MessageMetrics message_metrics_{&metrics_, {}, {"news.raw"}, "news.events"};
  OffsetCommitter committer_{&store_, &producer_, &metrics_, &message_metrics_,
                             absl::Seconds(5)};
};

TEST_F(OffsetCommitterTest, CommitsAcknowledgedOffsetsEveryInterval) {
  int asked = 0;
  CommitOffsets acked = {{kP0, 42}};
  auto acknowledged = [&] {
    ++asked;
    return acked;
  };
  EXPECT_EQ(committer_.Tick(kT0, true, acknowledged), acked);  // the first turn commits
  acked = {{kP0, 50}};
  EXPECT_TRUE(committer_.Tick(kT0 + absl::Seconds(4), true, acknowledged).empty());  // not due
  EXPECT_EQ(asked, 1);  // asked only when due
  EXPECT_EQ(committer_.Tick(kT0 + absl::Seconds(5), false, acknowledged), acked);
  ASSERT_EQ(store_.commits.size(), 2u);
  EXPECT_EQ(store_.syncs, (std::vector<bool>{false, false}));
  EXPECT_EQ(metrics_.Commits(true).Value(), 2);
}

TEST_F(OffsetCommitterTest, NothingAcknowledgedCommitsNothing) {
  auto none = [] { return CommitOffsets{}; };
  EXPECT_TRUE(committer_.Tick(kT0, true, none).empty());
  EXPECT_TRUE(committer_.CommitNow(none).empty());
  EXPECT_TRUE(store_.commits.empty());
}

TEST_F(OffsetCommitterTest, FailedCommitIsCountedAndNotReported) {
  store_.commit_results = {absl::UnavailableError("coordinator down")};
  auto acked = [] { return CommitOffsets{{kP0, 7}}; };
  EXPECT_TRUE(committer_.CommitNow(acked).empty());
  EXPECT_EQ(metrics_.Commits(false).Value(), 1);
  EXPECT_EQ(committer_.CommitNow(acked), (CommitOffsets{{kP0, 7}}));  // the next one covers it
  EXPECT_EQ(store_.syncs, (std::vector<bool>{true, true}));
}

TEST_F(OffsetCommitterTest, FinishFlushesTheProducerThenCommitsSynchronously) {
  CommitOffsets acked;
  auto acknowledged = [&] { return acked; };
  acked = {{kP0, 9}};  // acknowledged by the flush's delivery reports
  EXPECT_EQ(committer_.Finish(absl::Seconds(3), acknowledged), acked);
  EXPECT_EQ(producer_.calls, std::vector<std::string>{"flush 3s"});
  EXPECT_EQ(store_.syncs, std::vector<bool>{true});
  committer_.FlushAfterFatal();
  EXPECT_EQ(producer_.calls, (std::vector<std::string>{"flush 3s", "flush 5s"}));
  EXPECT_TRUE(committer_.StartProducer().ok());
  EXPECT_EQ(producer_.calls.back(), "check_connection");
}

TEST_F(OffsetCommitterTest, OutputsAreCountedAtOnceAndNothingIsTransactional) {
  EXPECT_TRUE(committer_.ReadyToProduce());
  committer_.CountPublished("news.events", /*released=*/true);
  committer_.CountDeadLetter("parse", "invalid_argument");
  committer_.CountSkipped("parse", "tombstone");
  committer_.CountChangelog();
  committer_.CountTombstone();
  EXPECT_EQ(metrics_.Published("news.events").Value(), 1);
  EXPECT_EQ(metrics_.held_events_released().Value(), 1);
  EXPECT_EQ(metrics_.DeadLetters("parse", "invalid_argument").Value(), 1);
  EXPECT_EQ(metrics_.InputsSkipped("parse", "tombstone").Value(), 1);
  EXPECT_EQ(metrics_.ChangelogRecords("produced").Value(), 1);
  EXPECT_EQ(metrics_.tombstones_published().Value(), 1);
  EXPECT_FALSE(committer_.RetriesByAbort());
  EXPECT_FALSE(committer_.CanReplaceProducer());
  EXPECT_FALSE(committer_.AbandonOpenTransaction());
  EXPECT_EQ(committer_.epoch(), 0u);
  EXPECT_STREQ(committer_.mode(), "at-least-once");
}

}  // namespace
}  // namespace newsd
