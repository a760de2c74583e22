#include "pipeline/refused_outputs.h"

#include "gtest/gtest.h"
#include "pipeline/kafka_status.h"

namespace newsd {
namespace {

const TopicPartition kIn{"in", 2};

TEST(RefusedOutputsTest, EachRefusalMovesOneFormDownAndStopsAtNothing) {
  RefusedOutputs refused;
  EXPECT_EQ(refused.Get(kIn, 7).form, OutputForm::kNormal);
  const absl::Status too_large = KafkaStatus(RdKafka::ERR_MSG_SIZE_TOO_LARGE, "deliver to out");
  EXPECT_EQ(refused.Refuse(kIn, 7, OutputForm::kNormal, too_large, false), OutputForm::kDeadLetter);
  EXPECT_EQ(refused.Refuse(kIn, 7, OutputForm::kDeadLetter, absl::InternalError("2nd"), false),
            OutputForm::kDeadLetterWithoutValue);
  EXPECT_EQ(refused.Refuse(kIn, 7, OutputForm::kDeadLetterWithoutValue, too_large, false),
            OutputForm::kHeadersOnly);
  EXPECT_EQ(refused.Refuse(kIn, 7, OutputForm::kHeadersOnly, too_large, false),
            OutputForm::kNothing);
  EXPECT_EQ(refused.Refuse(kIn, 7, OutputForm::kNothing, too_large, false), OutputForm::kNothing);
  const RefusedOutputs::Entry entry = refused.Get(kIn, 7);
  EXPECT_EQ(entry.form, OutputForm::kNothing);
  EXPECT_EQ(entry.first_refusal, too_large);  // the reason given in the dead letter
  EXPECT_FALSE(entry.changelog_refused);
  EXPECT_EQ(refused.Get(kIn, 8).form, OutputForm::kNormal);
  EXPECT_EQ(refused.Get({"in", 1}, 7).form, OutputForm::kNormal);
}

TEST(RefusedOutputsTest, AStaleRefusalNeverMovesAnInputBackUp) {
  RefusedOutputs refused;
  const absl::Status s = absl::InvalidArgumentError("too large");
  refused.Refuse(kIn, 1, OutputForm::kDeadLetter, s, false);
  // A report of the event (refused earlier, reported later) of the same input.
  EXPECT_EQ(refused.Refuse(kIn, 1, OutputForm::kNormal, s, true),
            OutputForm::kDeadLetterWithoutValue);
  EXPECT_TRUE(refused.Get(kIn, 1).changelog_refused);
}

TEST(RefusedOutputsTest, CommittedAndRevokedEntriesAreDropped) {
  RefusedOutputs refused;
  const absl::Status s = absl::InvalidArgumentError("too large");
  for (int64_t offset : {3, 5, 9}) refused.Refuse(kIn, offset, OutputForm::kNormal, s, false);
  refused.Refuse({"other", 0}, 4, OutputForm::kNormal, s, false);
  refused.Committed(kIn, 6);  // next offset to read: 3 and 5 are done
  EXPECT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused.Get(kIn, 5).form, OutputForm::kNormal);
  EXPECT_EQ(refused.Get(kIn, 9).form, OutputForm::kDeadLetter);
  refused.Forget(kIn);
  EXPECT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused.Get({"other", 0}, 4).form, OutputForm::kDeadLetter);
}

TEST(RefusedOutputsTest, TooLargeIsToldByTheKafkaErrorCodeNotTheMessage) {
  EXPECT_TRUE(IsRecordTooLarge(KafkaStatus(RdKafka::ERR_MSG_SIZE_TOO_LARGE, "produce to x")));
  EXPECT_TRUE(IsRecordTooLarge(KafkaStatus(RdKafka::ERR_RECORD_LIST_TOO_LARGE, "deliver")));
  EXPECT_FALSE(IsRecordTooLarge(KafkaStatus(RdKafka::ERR__UNKNOWN_TOPIC, "produce to x")));
  EXPECT_FALSE(IsRecordTooLarge(absl::InvalidArgumentError("Message size too large")));
  EXPECT_EQ(OutputFormName(OutputForm::kDeadLetterWithoutValue), "dead_letter_without_value");
}

TEST(KafkaStatusTest, FencingErrorsAreToldApart) {
  EXPECT_TRUE(IsProducerFenced(KafkaStatus(RdKafka::ERR__FENCED, "commit")));
  EXPECT_TRUE(IsProducerFenced(KafkaStatus(RdKafka::ERR_PRODUCER_FENCED, "commit")));
  EXPECT_TRUE(IsProducerFenced(KafkaStatus(RdKafka::ERR_INVALID_PRODUCER_EPOCH, "commit")));
  EXPECT_FALSE(IsProducerFenced(KafkaStatus(RdKafka::ERR_INVALID_TXN_STATE, "end txn")));
  EXPECT_FALSE(IsProducerFenced(absl::FailedPreconditionError("producer fenced")));
  absl::Status tagged =
      WithKafkaErrorCode(absl::FailedPreconditionError("fatal"), RdKafka::ERR__FENCED);
  EXPECT_EQ(KafkaErrorCode(tagged), RdKafka::ERR__FENCED);
  EXPECT_FALSE(KafkaErrorCode(absl::OkStatus()).has_value());
}

}  // namespace
}  // namespace newsd
