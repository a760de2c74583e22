// ProducerLifecycle with a fake producer and a scripted committer (no broker), and
// with the real TransactionCommitter for the replacement limit.
#include "pipeline/producer_lifecycle.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "pipeline/kafka_status.h"
#include "pipeline/transaction_committer.h"
#include "tests/pipeline/committer_fakes.h"

namespace newsd {
namespace {

class FakeManagedProducer : public ManagedProducer {
 public:
  void Poll(absl::Duration timeout) override {
    polls.fetch_add(1);
    absl::SleepFor(std::min(timeout, absl::Milliseconds(5)));
  }
  absl::Status Recreate() override {
    ++recreated;
    return Next(recreate_results);
  }

  std::atomic<int> polls{0};
  int recreated = 0;
  std::deque<absl::Status> recreate_results;
};

// A committer whose producer-related answers are scripted; the rest is unused here.
class ScriptedCommitter : public Committer {
 public:
  const char* mode() const override { return "scripted"; }
  absl::Status StartProducer() override {
    calls.push_back("start");
    if (stop_after_start != nullptr) *stop_after_start = true;
    return Next(start_results);
  }
  void CountPublished(const std::string&, bool) override {}
  void CountDeadLetter(const std::string&, const std::string&) override {}
  void CountSkipped(const std::string&, const std::string&) override {}
  void CountChangelog() override {}
  void CountTombstone() override {}
  bool ReadyToProduce() override { return true; }
  void Produced(const TopicPartition&, int64_t) override {}
  CommitOffsets Tick(absl::Time, bool, AcknowledgedOffsets) override { return {}; }
  CommitOffsets CommitNow(AcknowledgedOffsets) override { return {}; }
  CommitOffsets Finish(absl::Duration, AcknowledgedOffsets) override { return {}; }
  bool FencedByAnotherInstance(const absl::Status&, absl::Time) const override { return fenced; }
  bool CanReplaceProducer() const override { return can_replace; }
  bool AllowReplacement(absl::Time) override {
    calls.push_back("allow");
    return allow;
  }
  void ProducerFailed() override { calls.push_back("failed"); }
  void ProducerReplaced() override { calls.push_back("replaced"); }

  std::deque<absl::Status> start_results;
  std::atomic<bool>* stop_after_start = nullptr;  // set after each StartProducer
  bool fenced = false;
  bool can_replace = true;
  bool allow = true;
  std::vector<std::string> calls;
};

class ProducerLifecycleTest : public ::testing::Test {
 protected:
  ProducerLifecycle Make(Committer* committer) {
    auto producer = std::make_unique<FakeManagedProducer>();
    producer_ = producer.get();
    return ProducerLifecycle("newsd-a", std::move(producer), committer, &metrics_,
                             [this](absl::Status s) { failures_.push_back(std::move(s)); });
  }

  Metrics metrics_;
  FakeManagedProducer* producer_ = nullptr;
  std::vector<absl::Status> failures_;
  std::atomic<bool> stop_{false};
};

TEST_F(ProducerLifecycleTest, WaitRetriesUntilTheProducerStartsAndPollsMeanwhile) {
  ScriptedCommitter committer;
  committer.start_results = {absl::UnavailableError("all brokers down")};
  ProducerLifecycle lifecycle = Make(&committer);
  metrics_.connected().Set(1);
  EXPECT_TRUE(lifecycle.WaitForBrokers(stop_));
  EXPECT_EQ(committer.calls, (std::vector<std::string>{"start", "start"}));
  EXPECT_EQ(metrics_.connected().Value(), 0);  // set while waiting
  // 0.5 s of backoff with polls of at most 5 ms each in between.
  EXPECT_GT(producer_->polls.load(), 5);
  EXPECT_TRUE(failures_.empty());
}

TEST_F(ProducerLifecycleTest, WaitFailsTheDaemonOnAFatalStartError) {
  ScriptedCommitter committer;
  committer.start_results = {absl::FailedPreconditionError("fenced at init")};
  ProducerLifecycle lifecycle = Make(&committer);
  EXPECT_FALSE(lifecycle.WaitForBrokers(stop_));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], absl::FailedPreconditionError("fenced at init"));
  EXPECT_EQ(committer.calls.size(), 1u);
}

TEST_F(ProducerLifecycleTest, WaitReturnsWhenStoppedWithoutFailing) {
  ScriptedCommitter committer;
  committer.start_results = {absl::UnavailableError("down")};
  committer.stop_after_start = &stop_;
  ProducerLifecycle lifecycle = Make(&committer);
  EXPECT_FALSE(lifecycle.WaitForBrokers(stop_));
  EXPECT_EQ(committer.calls.size(), 1u);
  EXPECT_TRUE(failures_.empty());
}

TEST_F(ProducerLifecycleTest, FencedByAnotherInstanceFailsAndCounts) {
  ScriptedCommitter committer;
  committer.fenced = true;
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(absl::FailedPreconditionError("fenced"), /*running=*/true, /*failed=*/false);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].message(), "fenced");
  EXPECT_EQ(metrics_.Transactions("fenced").Value(), 1);
  EXPECT_FALSE(lifecycle.replacement_pending());
  EXPECT_TRUE(committer.calls.empty());
}

TEST_F(ProducerLifecycleTest, FencedAfterTheDaemonFailedIsNotCountedAgain) {
  ScriptedCommitter committer;
  committer.fenced = true;
  committer.can_replace = false;
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(absl::FailedPreconditionError("fenced"), true, /*failed=*/true);
  EXPECT_EQ(metrics_.Transactions("fenced").Value(), 0);
  EXPECT_EQ(failures_.size(), 1u);  // Daemon::Fail ignores it: the first failure stays
}

TEST_F(ProducerLifecycleTest, FatalErrorFailsWhenTheCommitterDoesNotReplace) {
  ScriptedCommitter committer;
  committer.can_replace = false;
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(absl::FailedPreconditionError("invalid txn state"), true, false);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_FALSE(lifecycle.replacement_pending());
}

TEST_F(ProducerLifecycleTest, FatalErrorFailsWhenNotRunning) {
  ScriptedCommitter committer;
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(absl::FailedPreconditionError("invalid txn state"), /*running=*/false, false);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_FALSE(lifecycle.replacement_pending());
}

TEST_F(ProducerLifecycleTest, FatalErrorWhileRunningIsReplacedFromTheLoop) {
  ScriptedCommitter committer;
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(absl::FailedPreconditionError("first"), true, false);
  lifecycle.OnFatal(absl::FailedPreconditionError("second"), true, false);
  EXPECT_TRUE(failures_.empty());
  EXPECT_TRUE(lifecycle.replacement_pending());
  EXPECT_EQ(producer_->recreated, 0);  // not inside the callback
  EXPECT_EQ(committer.calls, (std::vector<std::string>{"failed", "failed"}));

  committer.calls.clear();
  EXPECT_TRUE(lifecycle.Replace(stop_));
  EXPECT_EQ(committer.calls, (std::vector<std::string>{"allow", "replaced", "start"}));
  EXPECT_EQ(producer_->recreated, 1);
  EXPECT_EQ(metrics_.Transactions("producer_replaced").Value(), 1);
  EXPECT_FALSE(lifecycle.replacement_pending());
  EXPECT_TRUE(failures_.empty());
}

TEST_F(ProducerLifecycleTest, ReplacementOverTheLimitFailsWithTheFirstCause) {
  ScriptedCommitter committer;
  committer.allow = false;
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(absl::FailedPreconditionError("first"), true, false);
  lifecycle.OnFatal(absl::FailedPreconditionError("second"), true, false);
  EXPECT_FALSE(lifecycle.Replace(stop_));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].message(), "first");
  EXPECT_EQ(producer_->recreated, 0);
  EXPECT_EQ(metrics_.Transactions("producer_replaced").Value(), 0);
}

TEST_F(ProducerLifecycleTest, ReplacementFailsWhenTheNewProducerCannotBeCreated) {
  ScriptedCommitter committer;
  ProducerLifecycle lifecycle = Make(&committer);
  producer_->recreate_results = {absl::InvalidArgumentError("bad property")};
  lifecycle.OnFatal(absl::FailedPreconditionError("fatal"), true, false);
  EXPECT_FALSE(lifecycle.Replace(stop_));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], absl::InvalidArgumentError("bad property"));
  EXPECT_EQ(committer.calls, (std::vector<std::string>{"failed", "allow", "replaced"}));
}

TEST_F(ProducerLifecycleTest, StopWhileReplacingFailsAsCancelled) {
  ScriptedCommitter committer;
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(absl::FailedPreconditionError("fatal"), true, false);
  stop_ = true;
  EXPECT_FALSE(lifecycle.Replace(stop_));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(producer_->recreated, 1);
}

TEST_F(ProducerLifecycleTest, TransactionCommitterAllowsThreeReplacementsPerWindow) {
  FakeProducer transactional;
  TransactionCommitter committer(TransactionOptions(), &transactional, &metrics_,
                                 [](const TopicPartition&) { return true; });
  ProducerLifecycle lifecycle = Make(&committer);
  for (size_t i = 0; i < TransactionCommitter::kMaxProducerReplacements; ++i) {
    lifecycle.OnFatal(absl::FailedPreconditionError("fatal"), true, false);
    ASSERT_TRUE(lifecycle.replacement_pending());
    EXPECT_TRUE(lifecycle.Replace(stop_)) << i;
  }
  EXPECT_EQ(producer_->recreated, 3);
  EXPECT_EQ(std::count(transactional.calls.begin(), transactional.calls.end(), "init"), 3);
  lifecycle.OnFatal(absl::FailedPreconditionError("fourth"), true, false);
  EXPECT_FALSE(lifecycle.Replace(stop_));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].message(), "fourth");
  EXPECT_EQ(producer_->recreated, 3);
  EXPECT_EQ(metrics_.Transactions("producer_replaced").Value(), 3);
}

TEST_F(ProducerLifecycleTest, TransactionCommitterFencedByAnotherInstanceFailsWithoutReplacing) {
  FakeProducer transactional;
  TransactionCommitter committer(TransactionOptions(), &transactional, &metrics_,
                                 [](const TopicPartition&) { return true; });
  ProducerLifecycle lifecycle = Make(&committer);
  lifecycle.OnFatal(KafkaStatus(RdKafka::ERR__FENCED, "commit"), true, false);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_TRUE(IsProducerFenced(failures_[0]));
  EXPECT_FALSE(lifecycle.replacement_pending());
  EXPECT_EQ(metrics_.Transactions("fenced").Value(), 1);
  // Another fatal error is replaced instead.
  lifecycle.OnFatal(absl::FailedPreconditionError("invalid txn state"), true, false);
  EXPECT_TRUE(lifecycle.replacement_pending());
  EXPECT_EQ(failures_.size(), 1u);
}

}  // namespace
}  // namespace newsd
