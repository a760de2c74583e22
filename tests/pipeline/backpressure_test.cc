// Backpressure: pause/resume decisions and their metrics, without Kafka.
#include "pipeline/backpressure.h"

#include "gtest/gtest.h"

namespace newsd {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
using Action = Backpressure::Action;

class BackpressureTest : public ::testing::Test {
 protected:
  Metrics metrics_;
  // 100 messages, 1000 bytes, 10 queued in the producer.
  Backpressure backpressure_{{100, 1000, 10}, &metrics_};
};

TEST_F(BackpressureTest, BelowEveryLimitNothingHappens) {
  EXPECT_EQ(backpressure_.Check({99, 999, 9}, true, 3, kT0), Action::kNone);
  EXPECT_FALSE(backpressure_.paused());
  EXPECT_EQ(backpressure_.reason(), "");
  EXPECT_EQ(metrics_.paused().Value(), 0);
}

TEST_F(BackpressureTest, EachLimitPausesWithItsReason) {
  struct Case {
    Backpressure::Load load;
    const char* reason;
  };
  for (const Case& c : {Case{{100, 0, 0}, "inflight_messages"}, Case{{0, 1000, 0}, "inflight_bytes"},
                        Case{{0, 0, 10}, "producer_queue"},
                        // The first limit reached names the reason.
                        Case{{150, 5000, 50}, "inflight_messages"},
                        Case{{1, 5000, 50}, "inflight_bytes"}}) {
    Metrics metrics;
    Backpressure backpressure({100, 1000, 10}, &metrics);
    EXPECT_EQ(backpressure.Check(c.load, true, 4, kT0), Action::kPause) << c.reason;
    EXPECT_TRUE(backpressure.paused());
    EXPECT_EQ(backpressure.reason(), c.reason);
    EXPECT_EQ(metrics.BackpressureWaits(c.reason).Value(), 1);
    EXPECT_EQ(metrics.paused().Value(), 4);  // every assigned partition
  }
}

TEST_F(BackpressureTest, ResumesOnlyAtHalfOfEveryLimitAndWhenAllowed) {
  ASSERT_EQ(backpressure_.Check({100, 0, 0}, true, 2, kT0), Action::kPause);
  // Still paused while the check is repeated above half (no second pause).
  EXPECT_EQ(backpressure_.Check({51, 0, 0}, true, 2, kT0), Action::kNone);
  EXPECT_EQ(backpressure_.Check({50, 501, 0}, true, 2, kT0), Action::kNone);
  EXPECT_EQ(backpressure_.Check({50, 500, 6}, true, 2, kT0), Action::kNone);
  // At half of every limit, but resuming is not allowed (draining, abort pending).
  EXPECT_EQ(backpressure_.Check({50, 500, 5}, false, 2, kT0), Action::kNone);
  EXPECT_TRUE(backpressure_.paused());
  EXPECT_EQ(metrics_.BackpressureWaits("inflight_messages").Value(), 1);
  EXPECT_EQ(backpressure_.Check({50, 500, 5}, true, 2, kT0), Action::kResume);
  EXPECT_FALSE(backpressure_.paused());
  EXPECT_EQ(backpressure_.reason(), "");
  EXPECT_EQ(metrics_.paused().Value(), 0);
}

TEST_F(BackpressureTest, PausedTimeIsCountedToItsReason) {
  ASSERT_EQ(backpressure_.Check({0, 0, 10}, true, 1, kT0), Action::kPause);
  backpressure_.Check({0, 0, 10}, true, 1, kT0 + absl::Milliseconds(1500));
  EXPECT_DOUBLE_EQ(metrics_.BackpressureWaitSeconds("producer_queue").Value(), 1.5);
  // The check that resumes still counts the time up to it.
  EXPECT_EQ(backpressure_.Check({0, 0, 0}, true, 1, kT0 + absl::Seconds(2)), Action::kResume);
  EXPECT_DOUBLE_EQ(metrics_.BackpressureWaitSeconds("producer_queue").Value(), 2.0);
  // Not paused: nothing more is counted.
  backpressure_.Check({0, 0, 0}, true, 1, kT0 + absl::Seconds(10));
  EXPECT_DOUBLE_EQ(metrics_.BackpressureWaitSeconds("producer_queue").Value(), 2.0);
  // A new pause starts counting from its own check.
  ASSERT_EQ(backpressure_.Check({0, 1000, 0}, true, 1, kT0 + absl::Seconds(20)), Action::kPause);
  backpressure_.Check({0, 1000, 0}, true, 1, kT0 + absl::Seconds(21));
  EXPECT_DOUBLE_EQ(metrics_.BackpressureWaitSeconds("inflight_bytes").Value(), 1.0);
  EXPECT_DOUBLE_EQ(metrics_.BackpressureWaitSeconds("producer_queue").Value(), 2.0);
}

TEST_F(BackpressureTest, PausedGaugeFollowsTheAssignment) {
  backpressure_.Check({100, 0, 0}, true, 2, kT0);
  EXPECT_EQ(metrics_.paused().Value(), 2);
  backpressure_.Check({100, 0, 0}, true, 5, kT0);  // more partitions assigned while paused
  EXPECT_EQ(metrics_.paused().Value(), 5);
}

TEST_F(BackpressureTest, QueueFullWaitsAreCountedWhenThereAreAny) {
  backpressure_.CountQueueFullWaits(0, absl::ZeroDuration());
  EXPECT_EQ(metrics_.BackpressureWaits("producer_queue_full").Value(), 0);
  backpressure_.CountQueueFullWaits(3, absl::Milliseconds(250));
  backpressure_.CountQueueFullWaits(1, absl::Milliseconds(250));
  EXPECT_EQ(metrics_.BackpressureWaits("producer_queue_full").Value(), 4);
  EXPECT_DOUBLE_EQ(metrics_.BackpressureWaitSeconds("producer_queue_full").Value(), 0.5);
  EXPECT_FALSE(backpressure_.paused());  // waits in the producer do not pause consumption
}

}  // namespace
}  // namespace newsd
