// Publisher: produces the planned records of in-flight messages (output_plan.h)
// through the producer and accounts their delivery reports.
//
// It owns:
//   - the delivery tag of every produced record (the producer's opaque: which input
//     it belongs to, what kind of output it is, its form, the committer's epoch);
//   - the acknowledgement of an input's offset once none of its outputs is
//     unacknowledged (InFlight::AckIfDone);
//   - the output counts, through the Committer's Count* calls (counted at once or
//     when the transaction commits: the committer decides);
//   - refusals of records too large, down the ladder of refused_outputs.h
//     (RefusedOutputs), with each topic's max.message.bytes looked up once
//     (FitsAlone) to tell a batch casualty from the oversized record itself;
//   - the rate-limited "dead letter" log lines.
// It works the same in both delivery modes without knowing which one: a failed
// output is retried by an abort when Committer::RetriesByAbort(), and delivery
// reports of another Committer::epoch() (an aborted transaction) are ignored.
//
// Threads: not thread-safe; used on the daemon's loop thread only (OnDelivery runs
// inside the producer's Poll/Flush/Produce calls on that thread).
#ifndef NEWSD_PIPELINE_PUBLISHER_H_
#define NEWSD_PIPELINE_PUBLISHER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/committer.h"
#include "pipeline/in_flight.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/log.h"
#include "pipeline/metrics.h"
#include "pipeline/output_plan.h"
#include "pipeline/refused_outputs.h"
#include "pipeline/topic_partition.h"

namespace newsd {

// The producer as the publisher sees it (KafkaSinkRecordProducer below; a fake in
// tests).
class RecordProducer {
 public:
  virtual ~RecordProducer() = default;
  // Hands `record` to the producer (copied). Its delivery report, later, carries
  // `tag` back as KafkaSink::DeliveryReport::opaque (Publisher::OnDelivery). On
  // error nothing was sent; statuses as KafkaSink::Produce (kInvalidArgument: too
  // large or unknown topic; see IsRecordTooLarge).
  virtual absl::Status Produce(const OutboundMessage& record, void* tag) = 0;
  // The topic's max.message.bytes as the brokers describe it (DescribeConfigs;
  // blocks up to `timeout`). Errors per KafkaStatus.
  virtual absl::StatusOr<std::string> TopicMaxMessageBytes(const std::string& topic,
                                                           absl::Duration timeout) = 0;
};

// A RecordProducer over the daemon's KafkaSink, looked up on every call (the
// daemon replaces its producer after a fatal error). `sink` must outlive it.
class KafkaSinkRecordProducer final : public RecordProducer {
 public:
  explicit KafkaSinkRecordProducer(const std::unique_ptr<KafkaSink>* sink) : sink_(sink) {}
  absl::Status Produce(const OutboundMessage& record, void* tag) override;
  absl::StatusOr<std::string> TopicMaxMessageBytes(const std::string& topic,
                                                   absl::Duration timeout) override;

 private:
  const std::unique_ptr<KafkaSink>* const sink_;
};

// What the publisher cannot decide on its own: the daemon's reactions.
struct PublisherHooks {
  // A produce call failed and no smaller form or abort helps (a fatal producer
  // error): the daemon replaces its producer or fails (Daemon::OnProducerFatal).
  std::function<void(absl::Status)> producer_failed;
  // The broker refused an output for good (AT_LEAST_ONCE): the daemon fails with
  // this status (the input's offset is not committed).
  std::function<void(absl::Status)> fail;
  // Whether the daemon has failed: producing a message's records stops.
  std::function<bool()> failed;
};

class Publisher {
 public:
  // An in-flight input message; null for records that belong to no input.
  using Message = std::shared_ptr<InFlightMessage>;
  // What a produced record is: its delivery report is accounted by kind
  // (label `output` of newsd_outputs_refused_total: event, dead_letter,
  // changelog, tombstone, released_event).
  enum class Output { kEvent, kDeadLetter, kChangelog, kTombstone, kReleased };

  // `options`: the topics (output_topic, dead_letter_topic) and the dead-letter
  // plan options. `committer`, `in_flight` and `metrics` must outlive the publisher.
  Publisher(OutputPlanOptions options, std::unique_ptr<RecordProducer> producer,
            Committer* committer, InFlight* in_flight, Metrics* metrics,
            PublisherHooks hooks);

  // Produces `records` of `message` in order, each accounted as its PlannedKind
  // (state changes, held records and deletions as changelog records). Stops before
  // a record when the daemon failed, the committer needs an abort, or `message`
  // fell back to a dead letter (a record was refused at once as too large); returns
  // false if so, also when that happened after the last record.
  bool ProduceAll(const Message& message, const std::vector<PlannedRecord>& records);
  // Produces one record of kind `kind` (not a dead letter) for `message` (null: a
  // released event or its changelog deletion, no input offset to acknowledge).
  void Produce(const Message& message, const OutboundMessage& record, Output kind);
  // Produces `message`'s planned dead letter (output_plan.h); for form kNothing,
  // produces nothing and acknowledges the input (it stays in its topic).
  void ProduceDeadLetter(const Message& message, const PlannedDeadLetter& dead_letter);
  // Acknowledges `message`'s offset once none of its outputs is unacknowledged.
  void AckIfDone(InFlightMessage& message);

  // The producer's delivery report of a record produced here (report.opaque is its
  // tag, which this call deletes).
  void OnDelivery(KafkaSink::DeliveryReport report);

  // Whether `record` fits its topic's max.message.bytes on its own (looked up once
  // per topic; nullopt while unknown, asked again after a minute).
  std::optional<bool> FitsAlone(const OutboundMessage& record);

  // The refusals recorded for the input at `tp`/`offset` (form kNormal if none):
  // its next attempt is planned in that form.
  RefusedOutputs::Entry Refused(const TopicPartition& tp, int64_t offset) const {
    return refused_.Get(tp, offset);
  }
  // `tp` was committed up to `next_offset`: its refusals below are forgotten.
  void Committed(const TopicPartition& tp, int64_t next_offset) {
    refused_.Committed(tp, next_offset);
  }
  // `tp` was revoked or lost: its refusals are forgotten.
  void Forget(const TopicPartition& tp) { refused_.Forget(tp); }

 private:
  struct DeliveryTag;
  struct TopicLimit {
    int64_t bytes = -1;  // max.message.bytes; -1 unknown
    absl::Time asked_at = absl::InfinitePast();
  };

  // Produces one output of `message` (a dead letter of form `form` when `failure`
  // is set). A record refused as too large goes down the refusal ladder.
  void ProduceOne(const Message& message, const OutboundMessage& out,
                  const ChainFailure* failure, Output kind = Output::kEvent,
                  OutputForm form = OutputForm::kNormal);
  // The dead letter of `message` in `form` (kNothing: DropRefusedInput).
  void ProduceDeadLetter(const Message& message, const ChainFailure& failure, OutputForm form);
  // An output of kind `kind` and form `refused` was refused as too large
  // (`record`: the refused record when the broker refused it): records, counts and
  // logs it; returns the form of the input's next attempt (`refused` itself for a
  // batch casualty).
  OutputForm RecordRefusal(const InFlightMessage& message, Output kind, OutputForm refused,
                           const absl::Status& status,
                           const std::optional<OutboundMessage>& record);
  // Produces the dead letter of `message` in form `next`, unless another refused
  // output already moved it there (then acknowledges it if nothing else is pending).
  void ProduceNextForm(const Message& message, OutputForm next);
  // The broker refused even the headers-only dead letter: nothing is produced, the
  // offset is acknowledged (the input stays in its topic).
  void DropRefusedInput(const Message& message, const ChainFailure& failure);
  // Counts and logs an acknowledged output.
  void Acknowledged(const DeliveryTag& tag, const KafkaSink::DeliveryReport& report);
  bool Stopped(const InFlightMessage& message) const;

  const OutputPlanOptions options_;
  const std::unique_ptr<RecordProducer> producer_;
  Committer* const committer_;
  InFlight* const in_flight_;
  Metrics* const metrics_;
  const PublisherHooks hooks_;
  RefusedOutputs refused_;  // inputs whose outputs the broker refused as too large
  std::map<std::string, TopicLimit> topic_max_bytes_;  // per topic (FitsAlone)
  // "dead letter" info lines: at most 10 a second (newsd_dead_letters_total counts all).
  LogRateLimit dead_letter_log_{10};
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_PUBLISHER_H_
