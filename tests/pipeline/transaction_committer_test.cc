// TransactionCommitter (EXACTLY_ONCE) with a fake transactional producer.
#include "pipeline/transaction_committer.h"

#include <set>

#include "gtest/gtest.h"
#include "pipeline/kafka_status.h"
#include "tests/pipeline/committer_fakes.h"

namespace newsd {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
const TopicPartition kP0{"news.raw", 0};
const TopicPartition kP1{"news.raw", 1};
// Acknowledged offsets are not what a transaction commits.
CommitOffsets NoAcks() { return {{TopicPartition{"unused", 9}, 99}}; }
const AcknowledgedOffsets kNoAcks(NoAcks);

class TransactionCommitterTest : public ::testing::Test {
 protected:
  TransactionCommitterTest() : committer_(Options(), &producer_, &metrics_, Assigned()) {}

  static TransactionOptions Options() {
    TransactionOptions options;
    options.max_messages = 3;
    options.interval = absl::Seconds(10);
    options.transaction_timeout = absl::Seconds(60);
    return options;
  }
  std::function<bool(const TopicPartition&)> Assigned() {
    return [this](const TopicPartition& tp) { return assigned_.count(tp) > 0; };
  }
  // Opens a transaction and produces the inputs at kP0 `from`..`to`.
  void ProduceRange(int64_t from, int64_t to) {
    for (int64_t o = from; o <= to; ++o) {
      ASSERT_TRUE(committer_.ReadyToProduce());
      committer_.Produced(kP0, o);
    }
  }

  std::set<TopicPartition> assigned_{kP0, kP1};
  FakeProducer producer_;
  Metrics metrics_;
  TransactionCommitter committer_;
};

TEST_F(TransactionCommitterTest, CommitsEveryMaxMessagesWithTheNextOffsets) {
  committer_.Tick(kT0, true, kNoAcks);  // nothing open: nothing to commit, the interval restarts
  ProduceRange(10, 11);
  committer_.Produced(kP1, 4);
  EXPECT_EQ(committer_.state(), TxnState::kOpen);
  const uint64_t epoch = committer_.epoch();
  // 3 inputs: due although the interval has not passed.
  EXPECT_EQ(committer_.Tick(kT0 + absl::Seconds(1), /*connected=*/true, kNoAcks),
            (CommitOffsets{{kP0, 12}, {kP1, 5}}));
  EXPECT_EQ(producer_.calls,
            (std::vector<std::string>{"begin", "send_offsets", "commit"}));
  EXPECT_EQ(committer_.state(), TxnState::kNone);
  EXPECT_NE(committer_.epoch(), epoch);
  EXPECT_EQ(metrics_.Transactions("committed").Value(), 1);
}

TEST_F(TransactionCommitterTest, CommitsEveryIntervalAndOnlyWhileConnected) {
  ProduceRange(10, 10);
  EXPECT_TRUE(committer_.Tick(kT0, /*connected=*/false, kNoAcks).empty());
  EXPECT_EQ(committer_.state(), TxnState::kOpen);
  EXPECT_EQ(committer_.Tick(kT0, /*connected=*/true, kNoAcks), (CommitOffsets{{kP0, 11}}));
  ProduceRange(11, 11);
  EXPECT_TRUE(committer_.Tick(kT0 + absl::Seconds(9), true, kNoAcks).empty());  // not due
  EXPECT_EQ(committer_.Tick(kT0 + absl::Seconds(10), true, kNoAcks), (CommitOffsets{{kP0, 12}}));
}

TEST_F(TransactionCommitterTest, RevokedPartitionsOffsetsAreNotSent) {
  ProduceRange(10, 10);
  committer_.Produced(kP1, 3);
  assigned_.erase(kP1);
  EXPECT_EQ(committer_.Finish(absl::Seconds(1), kNoAcks), (CommitOffsets{{kP0, 11}}));
  ASSERT_EQ(producer_.sent.size(), 1u);
  EXPECT_EQ(producer_.sent[0], (CommitOffsets{{kP0, 11}}));
}

TEST_F(TransactionCommitterTest, CountsArePublishedOnlyAtCommit) {
  ProduceRange(10, 10);
  committer_.CountPublished("news.events", /*released=*/true);
  committer_.CountDeadLetter("parse", "invalid_argument");
  committer_.CountSkipped("parse", "tombstone");
  committer_.CountChangelog();
  committer_.CountTombstone();
  EXPECT_EQ(metrics_.Published("news.events").Value(), 0);
  EXPECT_EQ(metrics_.DeadLetters("parse", "invalid_argument").Value(), 0);
  EXPECT_EQ(metrics_.tombstones_published().Value(), 0);
  committer_.Finish(absl::Seconds(1), kNoAcks);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 1);
  EXPECT_EQ(metrics_.held_events_released().Value(), 1);
  EXPECT_EQ(metrics_.DeadLetters("parse", "invalid_argument").Value(), 1);
  EXPECT_EQ(metrics_.InputsSkipped("parse", "tombstone").Value(), 1);
  EXPECT_EQ(metrics_.ChangelogRecords("produced").Value(), 1);
  EXPECT_EQ(metrics_.tombstones_published().Value(), 1);
}

TEST_F(TransactionCommitterTest, AbortableErrorAbortsAndDropsTheCounts) {
  ProduceRange(10, 11);
  committer_.CountPublished("news.events", false);
  std::vector<int> undone;
  committer_.UndoOnAbort([&] { undone.push_back(1); });
  committer_.UndoOnAbort([&] { undone.push_back(2); });
  producer_.send_results = {absl::AbortedError("abortable")};
  EXPECT_TRUE(committer_.Finish(absl::Seconds(1), kNoAcks).empty());
  EXPECT_EQ(committer_.state(), TxnState::kNeedsAbort);
  EXPECT_FALSE(committer_.ReadyToProduce());  // nothing until the abort
  EXPECT_TRUE(committer_.AbortDue(kT0));
  const uint64_t epoch = committer_.epoch();
  EXPECT_TRUE(committer_.Abort());
  EXPECT_TRUE(undone.empty());
  committer_.Reset();  // after the daemon's rewind
  EXPECT_EQ(undone, (std::vector<int>{1, 2}));
  EXPECT_EQ(committer_.state(), TxnState::kNone);
  EXPECT_NE(committer_.epoch(), epoch);
  EXPECT_EQ(metrics_.Transactions("aborted").Value(), 1);
  // The next transaction carries none of the aborted one's offsets or counts.
  ProduceRange(10, 10);
  EXPECT_EQ(committer_.Finish(absl::Seconds(1), kNoAcks), (CommitOffsets{{kP0, 11}}));
  EXPECT_EQ(metrics_.Published("news.events").Value(), 0);
}

TEST_F(TransactionCommitterTest, FailedAbortIsRetriedAfterASecond) {
  ProduceRange(10, 10);
  committer_.AbortAfterFailure("delivery failed", absl::InternalError("x"));
  EXPECT_TRUE(committer_.NeedsAbort());
  EXPECT_STREQ(committer_.NotReadyReason(), "aborting a transaction (its work is re-consumed)");
  EXPECT_FALSE(committer_.Producing());
  producer_.abort_results = {absl::UnavailableError("brokers down")};
  EXPECT_FALSE(committer_.Abort());
  EXPECT_EQ(committer_.state(), TxnState::kNeedsAbort);
  EXPECT_FALSE(committer_.AbortDue(absl::Now()));
  EXPECT_TRUE(committer_.AbortDue(absl::Now() + absl::Seconds(1)));
  EXPECT_TRUE(committer_.Abort());
  EXPECT_FALSE(committer_.TakeFatal());
}

TEST_F(TransactionCommitterTest, CommitTimeoutIsResumedNeverAborted) {
  ProduceRange(10, 10);
  committer_.CountPublished("news.events", false);
  producer_.commit_results = {absl::UnavailableError("timed out"),
                              absl::UnavailableError("timed out")};
  EXPECT_TRUE(committer_.Finish(absl::Seconds(1), kNoAcks).empty());  // commit, then one resume: both time out
  EXPECT_EQ(committer_.state(), TxnState::kCommitting);
  EXPECT_FALSE(committer_.ReadyToProduce());
  EXPECT_EQ(metrics_.Transactions("commit_retried").Value(), 2);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 0);
  // Resumed by the loop at most every second, with the offsets sent at the start.
  const absl::Time now = absl::Now();
  EXPECT_TRUE(committer_.Tick(now, true, kNoAcks).empty());
  EXPECT_EQ(committer_.Tick(now + absl::Seconds(2), true, kNoAcks), (CommitOffsets{{kP0, 11}}));
  EXPECT_EQ(producer_.calls, (std::vector<std::string>{"begin", "send_offsets", "commit",
                                                       "commit", "commit"}));
  EXPECT_EQ(committer_.state(), TxnState::kNone);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 1);
}

TEST_F(TransactionCommitterTest, FatalErrorsAreHandedToTheCaller) {
  producer_.begin_results = {absl::FailedPreconditionError("fenced")};
  EXPECT_FALSE(committer_.ReadyToProduce());
  std::optional<absl::Status> fatal = committer_.TakeFatal();
  ASSERT_TRUE(fatal);
  EXPECT_EQ(fatal->message(), "fenced");
  EXPECT_FALSE(committer_.TakeFatal());  // once

  ProduceRange(10, 10);
  producer_.commit_results = {absl::FailedPreconditionError("invalid state")};
  EXPECT_TRUE(committer_.Finish(absl::Seconds(1), kNoAcks).empty());
  EXPECT_TRUE(committer_.TakeFatal());
  EXPECT_EQ(metrics_.Transactions("fatal").Value(), 1);
}

TEST_F(TransactionCommitterTest, FencedByAnotherInstanceUnlessOurTransactionTimedOut) {
  const absl::Status fenced = KafkaStatus(RdKafka::ERR__FENCED, "commit");
  EXPECT_NE(committer_.FatalHint(absl::FailedPreconditionError("producer fenced")), "");
  EXPECT_EQ(committer_.FatalHint(absl::FailedPreconditionError("invalid state")), "");
  EXPECT_FALSE(committer_.FencedByAnotherInstance(absl::InternalError("x"), absl::Now()));
  EXPECT_TRUE(committer_.FencedByAnotherInstance(fenced, absl::Now()));  // nothing open
  ProduceRange(10, 10);
  EXPECT_TRUE(committer_.FencedByAnotherInstance(fenced, absl::Now()));
  // Open longer than transaction.timeout.ms: the coordinator aborted our own one.
  EXPECT_FALSE(committer_.FencedByAnotherInstance(fenced, absl::Now() + absl::Seconds(61)));
  // The producer's own fatal error counts too.
  producer_.fatal = fenced;
  EXPECT_TRUE(committer_.FencedByAnotherInstance(absl::InternalError("x"), absl::Now()));
}

TEST_F(TransactionCommitterTest, ProducerIsReplacedAtMostThreeTimesInTenMinutes) {
  EXPECT_TRUE(committer_.AllowReplacement(kT0));
  EXPECT_TRUE(committer_.AllowReplacement(kT0 + absl::Minutes(1)));
  EXPECT_TRUE(committer_.AllowReplacement(kT0 + absl::Minutes(2)));
  EXPECT_FALSE(committer_.AllowReplacement(kT0 + absl::Minutes(3)));
  // The first one leaves the window.
  EXPECT_TRUE(committer_.AllowReplacement(kT0 + absl::Minutes(10) + absl::Seconds(1)));
  EXPECT_FALSE(committer_.AllowReplacement(kT0 + absl::Minutes(10) + absl::Seconds(2)));
}

TEST_F(TransactionCommitterTest, ReplacedProducerStartsAFreshEpoch) {
  ProduceRange(10, 10);
  committer_.ProducerFailed();
  EXPECT_TRUE(committer_.NeedsAbort());
  const uint64_t epoch = committer_.epoch();
  committer_.ProducerReplaced();
  EXPECT_EQ(committer_.state(), TxnState::kNone);
  EXPECT_NE(committer_.epoch(), epoch);
  committer_.Reset();  // after the rewind: nothing of the old transaction is sent
  ProduceRange(12, 12);
  EXPECT_EQ(committer_.Finish(absl::Seconds(1), kNoAcks), (CommitOffsets{{kP0, 13}}));
}

}  // namespace
}  // namespace newsd
