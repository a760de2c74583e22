// Publisher with a fake producer, a real InFlight and both committers (over the
// committers' fakes): no broker.
#include "pipeline/publisher.h"

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "pipeline/kafka_status.h"
#include "pipeline/message_metrics.h"
#include "pipeline/offset_committer.h"
#include "pipeline/transaction_committer.h"
#include "pipeline/worker_pool.h"
#include "tests/pipeline/committer_fakes.h"

namespace newsd {
namespace {

const TopicPartition kIn{"news.raw", 0};

// Records what is produced (with its tag) and answers with scripted statuses.
class FakeRecordProducer : public RecordProducer {
 public:
  struct Produced {
    OutboundMessage record;
    void* tag;
  };
  absl::Status Produce(const OutboundMessage& record, void* tag) override {
    absl::Status status = Next(*produce_results);
    if (status.ok()) produced->push_back({record, tag});
    return status;
  }
  absl::StatusOr<std::string> TopicMaxMessageBytes(const std::string& topic,
                                                   absl::Duration) override {
    asked->push_back(topic);
    return *max_message_bytes;
  }
  // Shared with the test (the publisher owns the fake).
  std::shared_ptr<std::vector<Produced>> produced = std::make_shared<std::vector<Produced>>();
  std::shared_ptr<std::deque<absl::Status>> produce_results =
      std::make_shared<std::deque<absl::Status>>();
  std::shared_ptr<std::vector<std::string>> asked = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<absl::StatusOr<std::string>> max_message_bytes =
      std::make_shared<absl::StatusOr<std::string>>("1000000");
};

OutputPlanOptions Options() {
  OutputPlanOptions options;
  options.output_topic = "news.events";
  options.dead_letter_topic = "news.dlq";
  options.changelog_topic = "news.changelog";
  options.instance_id = "test";
  options.max_output_bytes = 1 << 20;
  return options;
}

OutboundMessage Record(const std::string& topic, size_t value_bytes = 10) {
  OutboundMessage record;
  record.topic = topic;
  record.key = "k";
  record.value = std::string(value_bytes, 'x');
  return record;
}

KafkaSink::DeliveryReport Report(void* tag, absl::Status status = absl::OkStatus(),
                                 std::optional<OutboundMessage> record = std::nullopt) {
  KafkaSink::DeliveryReport report;
  report.opaque = tag;
  report.status = std::move(status);
  report.partition = 0;
  report.offset = 1;
  report.record = std::move(record);
  return report;
}

CommitOffsets NoAcks() { return {}; }

absl::Status TooLarge() {
  return KafkaStatus(RdKafka::ERR_MSG_SIZE_TOO_LARGE, "deliver to news.events");
}

class PublisherTest : public ::testing::Test {
 protected:
  PublisherTest() { in_flight_.Assign(kIn); }
  ~PublisherTest() override {
    // Tags of records never reported are the producer's: report them to free them.
    for (size_t i = reported_; i < produced_->size(); ++i) {
      publisher_->OnDelivery(Report((*produced_)[i].tag));
    }
  }

  // A publisher over `committer` (the delivery mode under test).
  void Start(Committer* committer) {
    auto producer = std::make_unique<FakeRecordProducer>();
    produced_ = producer->produced;
    produce_results_ = producer->produce_results;
    asked_ = producer->asked;
    max_message_bytes_ = producer->max_message_bytes;
    PublisherHooks hooks;
    hooks.producer_failed = [this](absl::Status s) { producer_failures_.push_back(s); };
    hooks.fail = [this](absl::Status s) { failures_.push_back(s); };
    hooks.failed = [this] { return !failures_.empty(); };
    publisher_ = std::make_unique<Publisher>(Options(), std::move(producer), committer,
                                             &in_flight_, &metrics_, std::move(hooks));
  }
  void StartAtLeastOnce() { Start(&offsets_); }

  // A consumed message at `offset` of kIn, processed (its result ready).
  std::shared_ptr<InFlightMessage> Processed(int64_t offset) {
    RawMessage raw;
    raw.topic = kIn.topic;
    raw.partition = kIn.partition;
    raw.offset = offset;
    raw.key = "key";
    raw.value = "value";
    std::shared_ptr<InFlightMessage> message = in_flight_.Add(std::move(raw));
    pool_.Submit(message);
    const absl::Time end = absl::Now() + absl::Seconds(10);
    while (!message->ready() && absl::Now() < end) absl::SleepFor(absl::Milliseconds(1));
    EXPECT_TRUE(message->ready());
    return message;
  }
  // Delivers the report of the next produced record not yet reported.
  void Deliver(absl::Status status = absl::OkStatus(), bool with_record = false) {
    ASSERT_LT(reported_, produced_->size());
    const FakeRecordProducer::Produced& p = (*produced_)[reported_++];
    publisher_->OnDelivery(Report(p.tag, std::move(status),
                                  with_record ? std::optional<OutboundMessage>(p.record)
                                              : std::nullopt));
  }
  const OutboundMessage& Last() const { return produced_->back().record; }

  Metrics metrics_;
  MessageMetrics message_metrics_{&metrics_, {}, {"news.raw"}, "news.events"};
  FakeOffsetStore store_;
  FakeAcknowledgingProducer acks_;
  OffsetCommitter offsets_{&store_, &acks_, &metrics_, &message_metrics_, absl::Seconds(5)};
  InFlight in_flight_;
  WorkerPool pool_{[](const RawMessage&, absl::Time) { return ChainResult(); },
                   WorkerPoolOptions()};
  std::unique_ptr<Publisher> publisher_;
  std::shared_ptr<std::vector<FakeRecordProducer::Produced>> produced_;
  std::shared_ptr<std::deque<absl::Status>> produce_results_;
  std::shared_ptr<std::vector<std::string>> asked_;
  std::shared_ptr<absl::StatusOr<std::string>> max_message_bytes_;
  size_t reported_ = 0;
  std::vector<absl::Status> producer_failures_;
  std::vector<absl::Status> failures_;
};

TEST_F(PublisherTest, AcknowledgedEventAcknowledgesTheOffset) {
  StartAtLeastOnce();
  auto m = Processed(5);
  EXPECT_TRUE(publisher_->ProduceAll(
      m, {{PlannedKind::kStateChange, Record("news.changelog")},
          {PlannedKind::kEvent, Record("news.events")}}));
  ASSERT_EQ(produced_->size(), 2u);
  EXPECT_EQ(m->unacknowledged, 2);
  Deliver();  // the changelog record
  EXPECT_FALSE(m->acknowledged);
  EXPECT_EQ(metrics_.ChangelogRecords("produced").Value(), 1);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 0);
  Deliver();  // the event
  EXPECT_TRUE(m->acknowledged);
  EXPECT_EQ(m->unacknowledged, 0);
  EXPECT_EQ(in_flight_.PendingCommits(),
            (std::vector<std::pair<TopicPartition, int64_t>>{{kIn, 6}}));
  EXPECT_EQ(metrics_.Published("news.events").Value(), 1);
  EXPECT_EQ(metrics_.held_events_released().Value(), 0);
}

TEST_F(PublisherTest, DeadLetterIsCountedWithStageAndReason) {
  StartAtLeastOnce();
  auto m = Processed(7);
  const ChainFailure failure{"parse", absl::InvalidArgumentError("not XML")};
  publisher_->ProduceDeadLetter(
      m, PlanDeadLetter(m->message, failure, OutputForm::kDeadLetter, Options()));
  ASSERT_EQ(produced_->size(), 1u);
  EXPECT_EQ(Last().topic, "news.dlq");
  EXPECT_EQ(m->form, OutputForm::kDeadLetter);
  Deliver();
  EXPECT_EQ(metrics_.DeadLetters("parse", "invalid_argument").Value(), 1);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 0);
  EXPECT_TRUE(m->acknowledged);
}

TEST_F(PublisherTest, NothingLeftOfARefusedInputAcknowledgesIt) {
  StartAtLeastOnce();
  auto m = Processed(8);
  PlannedDeadLetter nothing;
  nothing.failure = {"publish", TooLarge()};
  nothing.form = OutputForm::kNothing;
  publisher_->ProduceDeadLetter(m, nothing);
  EXPECT_TRUE(produced_->empty());
  EXPECT_TRUE(m->acknowledged);
  EXPECT_EQ(m->form, OutputForm::kNothing);
}

TEST_F(PublisherTest, RecordTooLargeForTheProducerTakesTheNextFormAtOnce) {
  StartAtLeastOnce();
  auto m = Processed(3);
  *produce_results_ = {TooLarge()};  // the event; then the dead letter goes through
  EXPECT_FALSE(publisher_->ProduceAll(m, {{PlannedKind::kEvent, Record("news.events")},
                                          {PlannedKind::kTombstone, Record("news.events")}}));
  ASSERT_EQ(produced_->size(), 1u);  // the dead letter only: the tombstone is not produced
  EXPECT_EQ(Last().topic, "news.dlq");
  EXPECT_EQ(m->form, OutputForm::kDeadLetter);
  EXPECT_EQ(metrics_.OutputsRefused("event", "dead_letter").Value(), 1);
  EXPECT_EQ(publisher_->Refused(kIn, 3).form, OutputForm::kDeadLetter);
  Deliver();
  EXPECT_EQ(metrics_.DeadLetters("publish", "invalid_argument").Value(), 1);
  EXPECT_TRUE(m->acknowledged);
}

TEST_F(PublisherTest, EventTheProducerRejectsIsDeadLetteredInstead) {
  StartAtLeastOnce();
  auto m = Processed(2);
  *produce_results_ = {absl::InvalidArgumentError("unknown topic")};
  publisher_->Produce(m, Record("news.events"), Publisher::Output::kEvent);
  ASSERT_EQ(produced_->size(), 1u);
  EXPECT_EQ(Last().topic, "news.dlq");
  EXPECT_TRUE(producer_failures_.empty());
  Deliver();
  EXPECT_EQ(metrics_.DeadLetters("publish", "invalid_argument").Value(), 1);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 0);
  EXPECT_TRUE(m->acknowledged);
}

TEST_F(PublisherTest, RecordRefusedByTheBrokerTakesTheNextForm) {
  StartAtLeastOnce();
  auto m = Processed(4);
  *max_message_bytes_ = "100";  // the record does not fit on its own
  publisher_->Produce(m, Record("news.events", 500), Publisher::Output::kEvent);
  Deliver(TooLarge(), /*with_record=*/true);
  ASSERT_EQ(produced_->size(), 2u);
  EXPECT_EQ(Last().topic, "news.dlq");
  EXPECT_EQ(metrics_.OutputsRefused("event", "dead_letter").Value(), 1);
  EXPECT_EQ(*asked_, std::vector<std::string>{"news.events"});
  EXPECT_FALSE(m->acknowledged);  // its dead letter is pending
  EXPECT_EQ(m->unacknowledged, 1);
  Deliver();
  EXPECT_TRUE(m->acknowledged);
  EXPECT_TRUE(failures_.empty());
}

TEST_F(PublisherTest, BatchCasualtyIsProducedAgainAsIsUpToThreeTimes) {
  StartAtLeastOnce();
  auto m = Processed(9);
  const OutboundMessage event = Record("news.events", 50);  // fits max.message.bytes
  publisher_->Produce(m, event, Publisher::Output::kEvent);
  for (int retry = 1; retry <= RefusedOutputs::kMaxCasualtyRetries; ++retry) {
    Deliver(TooLarge(), /*with_record=*/true);
    ASSERT_EQ(produced_->size(), static_cast<size_t>(retry + 1));
    EXPECT_EQ(Last().topic, "news.events");
    EXPECT_EQ(Last().value, event.value);
    EXPECT_EQ(metrics_.OutputsRefused("event", "retry").Value(), retry);
    EXPECT_EQ(m->form, OutputForm::kNormal);
  }
  EXPECT_EQ(asked_->size(), 1u);  // the topic's limit is asked once
  Deliver(TooLarge(), /*with_record=*/true);  // the fourth refusal moves it down
  EXPECT_EQ(Last().topic, "news.dlq");
  EXPECT_EQ(m->form, OutputForm::kDeadLetter);
  EXPECT_EQ(metrics_.OutputsRefused("event", "dead_letter").Value(), 1);
  publisher_->Committed(kIn, 10);
  EXPECT_EQ(publisher_->Refused(kIn, 9).form, OutputForm::kNormal);
}

TEST_F(PublisherTest, UnknownTopicLimitIsNotACasualtyAndIsAskedAgainLater) {
  StartAtLeastOnce();
  *max_message_bytes_ = absl::PermissionDeniedError("no DescribeConfigs");
  EXPECT_EQ(publisher_->FitsAlone(Record("news.events")), std::nullopt);
  EXPECT_EQ(publisher_->FitsAlone(Record("news.events")), std::nullopt);
  EXPECT_EQ(asked_->size(), 1u);  // not on every call
  *max_message_bytes_ = "200";
  EXPECT_EQ(publisher_->FitsAlone(Record("news.other", 10)), true);
  EXPECT_EQ(publisher_->FitsAlone(Record("news.other", 100)), false);  // with the overhead
  EXPECT_EQ(asked_->size(), 2u);
}

TEST_F(PublisherTest, OtherDeliveryFailureFailsTheDaemonAtLeastOnce) {
  StartAtLeastOnce();
  auto m = Processed(11);
  publisher_->Produce(m, Record("news.events"), Publisher::Output::kEvent);
  Deliver(absl::PermissionDeniedError("topic authorization failed"));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(failures_[0].message().find("news.raw[0]@11 not committed"), std::string::npos);
  EXPECT_EQ(metrics_.delivery_failures().Value(), 1);
  EXPECT_FALSE(m->acknowledged);
  // Once failed, nothing more of a message is produced.
  EXPECT_FALSE(publisher_->ProduceAll(Processed(12), {{PlannedKind::kEvent, Record("x")}}));
  EXPECT_EQ(produced_->size(), 1u);
}

TEST_F(PublisherTest, ProduceErrorGoesToTheDaemonAtLeastOnce) {
  StartAtLeastOnce();
  auto m = Processed(13);
  *produce_results_ = {absl::FailedPreconditionError("fenced")};
  publisher_->Produce(m, Record("news.events"), Publisher::Output::kTombstone);
  ASSERT_EQ(producer_failures_.size(), 1u);
  EXPECT_EQ(producer_failures_[0].message(), "fenced");
}

TEST_F(PublisherTest, ReleasedEventsBelongToNoInput) {
  StartAtLeastOnce();
  publisher_->Produce(nullptr, Record("news.events"), Publisher::Output::kReleased);
  publisher_->Produce(nullptr, Record("news.changelog"), Publisher::Output::kChangelog);
  Deliver();
  Deliver();
  EXPECT_EQ(metrics_.Published("news.events").Value(), 1);
  EXPECT_EQ(metrics_.held_events_released().Value(), 1);
  EXPECT_EQ(metrics_.ChangelogRecords("produced").Value(), 1);
  EXPECT_TRUE(in_flight_.PendingCommits().empty());
  publisher_->Produce(nullptr, Record("news.events"), Publisher::Output::kReleased);
  Deliver(absl::UnavailableError("timed out in queue"));
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_NE(failures_[0].message().find("(a released embargoed event)"), std::string::npos);
}

class TransactionalPublisherTest : public PublisherTest {
 protected:
  TransactionalPublisherTest() {
    Start(&transactions_);
    EXPECT_TRUE(transactions_.ReadyToProduce());  // begins a transaction
  }
  FakeProducer txn_producer_;
  TransactionCommitter transactions_{TransactionOptions(), &txn_producer_, &metrics_,
                                     [](const TopicPartition&) { return true; }};
};

TEST_F(TransactionalPublisherTest, ReportOfAnAbortedEpochIsIgnored) {
  auto m = Processed(20);
  auto other = Processed(21);
  publisher_->Produce(m, Record("news.events"), Publisher::Output::kEvent);
  publisher_->Produce(other, Record("news.events"), Publisher::Output::kEvent);
  transactions_.Reset();  // aborted and rewound: a new epoch
  Deliver();
  EXPECT_EQ(m->unacknowledged, 1);
  EXPECT_FALSE(m->acknowledged);
  Deliver(absl::UnavailableError("stale failure"));  // not this epoch's either
  EXPECT_FALSE(transactions_.NeedsAbort());
  EXPECT_TRUE(failures_.empty());
  // This epoch's failure: the transaction must be aborted.
  ASSERT_TRUE(transactions_.ReadyToProduce());
  auto again = Processed(22);
  publisher_->Produce(again, Record("news.events"), Publisher::Output::kEvent);
  Deliver(absl::UnavailableError("timed out in queue"));
  EXPECT_TRUE(transactions_.NeedsAbort());
  EXPECT_TRUE(failures_.empty());  // retried by the abort, the daemon goes on
}

TEST_F(TransactionalPublisherTest, FailedOutputAbortsAndRecordsTheRefusal) {
  auto m = Processed(30);
  *max_message_bytes_ = "100";
  publisher_->Produce(m, Record("news.events", 500), Publisher::Output::kEvent);
  Deliver(TooLarge(), /*with_record=*/true);
  EXPECT_TRUE(transactions_.NeedsAbort());
  EXPECT_EQ(produced_->size(), 1u);  // nothing produced: the abort reprocesses the input
  EXPECT_EQ(publisher_->Refused(kIn, 30).form, OutputForm::kDeadLetter);
  EXPECT_TRUE(failures_.empty());
  EXPECT_FALSE(m->acknowledged);
  // Produced while an abort is needed: nothing more of a message.
  EXPECT_FALSE(publisher_->ProduceAll(Processed(31), {{PlannedKind::kEvent, Record("x")}}));
  EXPECT_EQ(produced_->size(), 1u);
}

TEST_F(TransactionalPublisherTest, OutputsAreCountedWhenTheTransactionCommits) {
  auto m = Processed(40);
  publisher_->Produce(m, Record("news.events"), Publisher::Output::kEvent);
  Deliver();
  EXPECT_TRUE(m->acknowledged);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 0);  // not committed yet
  transactions_.Produced(kIn, 40);
  transactions_.CommitNow(NoAcks);
  EXPECT_EQ(metrics_.Published("news.events").Value(), 1);
}

}  // namespace
}  // namespace newsd
