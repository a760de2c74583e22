#include "pipeline/publisher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/wire_format.h"

namespace newsd {

// Carried through the producer as the opaque of each produced record.
struct Publisher::DeliveryTag {
  Message message;  // null for released events and their changelog records
  Output kind = Output::kEvent;
  uint64_t txn_epoch = 0;      // Committer::epoch() when it was produced
  bool dead_letter = false;    // kind == kDeadLetter
  OutputForm form = OutputForm::kNormal;  // dead letters: kDeadLetter or smaller
  std::string stage;           // dead letters: failing stage
  std::string reason;          // dead letters: snake_case status code
};

absl::Status KafkaSinkRecordProducer::Produce(const OutboundMessage& record, void* tag) {
  return (*sink_)->Produce(record, tag);
}

absl::StatusOr<std::string> KafkaSinkRecordProducer::TopicMaxMessageBytes(
    const std::string& topic, absl::Duration timeout) {
  return KafkaAdmin((*sink_)->handle()).TopicConfig(topic, "max.message.bytes", timeout);
}

namespace {

constexpr const char* kOutputNames[] = {"event", "dead_letter", "changelog", "tombstone",
                                        "released_event"};

const char* OutputName(Publisher::Output kind) { return kOutputNames[static_cast<int>(kind)]; }

std::string CodeName(absl::StatusCode code) {
  return absl::AsciiStrToLower(absl::StatusCodeToString(code));
}

// How the delivery reports of a planned record are accounted.
Publisher::Output OutputOf(PlannedKind kind) {
  switch (kind) {
    case PlannedKind::kEvent:
      return Publisher::Output::kEvent;
    case PlannedKind::kTombstone:
      return Publisher::Output::kTombstone;
    case PlannedKind::kReleased:
      return Publisher::Output::kReleased;
    case PlannedKind::kDeadLetter:
      return Publisher::Output::kDeadLetter;
    case PlannedKind::kStateChange:
    case PlannedKind::kHeld:
    case PlannedKind::kHeldDeletion:
      break;
  }
  return Publisher::Output::kChangelog;
}

}  // namespace

Publisher::Publisher(OutputPlanOptions options, std::unique_ptr<RecordProducer> producer,
                     Committer* committer, InFlight* in_flight, Metrics* metrics,
                     PublisherHooks hooks)
    : options_(std::move(options)),
      producer_(std::move(producer)),
      committer_(committer),
      in_flight_(in_flight),
      metrics_(metrics),
      hooks_(std::move(hooks)) {}

bool Publisher::Stopped(const InFlightMessage& message) const {
  // (A form other than kNormal: an output was refused and replaced by a dead letter.)
  return hooks_.failed() || committer_->NeedsAbort() || message.form != OutputForm::kNormal;
}

bool Publisher::ProduceAll(const Message& message, const std::vector<PlannedRecord>& records) {
  for (const PlannedRecord& planned : records) {
    if (Stopped(*message)) return false;
    ProduceOne(message, planned.record, nullptr, OutputOf(planned.kind));
  }
  return !Stopped(*message);
}

void Publisher::Produce(const Message& message, const OutboundMessage& record, Output kind) {
  ProduceOne(message, record, nullptr, kind);
}

void Publisher::ProduceDeadLetter(const Message& message, const ChainFailure& failure,
                                  OutputForm form) {
  ProduceDeadLetter(message, PlanDeadLetter(message->message, failure, form, options_));
}

void Publisher::ProduceDeadLetter(const Message& message, const PlannedDeadLetter& dead_letter) {
  message->form = std::max(message->form, dead_letter.form);
  if (!dead_letter.record) {  // kNothing
    DropRefusedInput(message, dead_letter.failure);
    return;
  }
  ProduceOne(message, *dead_letter.record, &dead_letter.failure, Output::kDeadLetter,
             dead_letter.form);
}

void Publisher::DropRefusedInput(const Message& message, const ChainFailure& failure) {
  MessageLogContext context = LogContextOf(message->message, &message->result());
  context.fields = {{"stage", failure.stage}, {"code", CodeName(failure.status.code())}};
  Log(LogLevel::kError,
      "the dead-letter topic refused even the headers-only dead letter: nothing is "
      "published for this input, its offset is committed; it stays in its topic at this "
      "offset",
      context);
  AckIfDone(*message);
}

void Publisher::AckIfDone(InFlightMessage& message) { in_flight_->AckIfDone(message); }

std::optional<bool> Publisher::FitsAlone(const OutboundMessage& record) {
  TopicLimit& limit = topic_max_bytes_[record.topic];
  if (limit.bytes < 0 && absl::Now() - limit.asked_at >= absl::Minutes(1)) {
    // Asked once per topic; a failure (no DescribeConfigs permission, brokers
    // down) is asked again after a minute, not on every call.
    limit.asked_at = absl::Now();
    absl::StatusOr<std::string> value =
        producer_->TopicMaxMessageBytes(record.topic, absl::Seconds(5));
    int64_t bytes = -1;
    if (value.ok() && absl::SimpleAtoi(*value, &bytes) && bytes > 0) {
      limit.bytes = bytes;
    } else {
      Log(LogLevel::kWarning,
          absl::StrCat("max.message.bytes of ", record.topic, " unknown: ",
                       value.ok() ? absl::StrCat("'", *value, "'") : value.status().message()));
    }
  }
  if (limit.bytes < 0) return std::nullopt;
  // Record batch and record overhead, plus the worst case of lz4 on incompressible
  // data, with a margin.
  size_t bytes = 128 + (record.key ? record.key->size() : 0) +
                 (record.value ? record.value->size() : 0);
  for (const auto& [name, value] : record.headers) bytes += 8 + name.size() + value.size();
  bytes += bytes / 100;
  return static_cast<int64_t>(bytes) <= limit.bytes;
}

OutputForm Publisher::RecordRefusal(const InFlightMessage& message, Output kind,
                                    OutputForm refused, const absl::Status& status,
                                    const std::optional<OutboundMessage>& record) {
  // (Unknown: not a casualty, the input moves down.)
  const bool casualty = record.has_value() && FitsAlone(*record).value_or(false);
  const OutputForm next = refused_.Refuse(message.tp, message.message.offset, refused, status,
                                          kind == Output::kChangelog, casualty);
  const std::string fallback = next == refused ? "retry" : std::string(OutputFormName(next));
  metrics_->OutputsRefused(OutputName(kind), fallback).Increment();
  MessageLogContext context = LogContextOf(message.message, &message.result());
  context.fields = {{"output", OutputName(kind)},
                    {"next", fallback},
                    {"error", std::string(status.message())}};
  Log(LogLevel::kWarning,
      next == refused ? "output refused with an oversized record of its batch: produced again"
                      : "output refused as too large: the input's outputs take a smaller form",
      context);
  return next;
}

void Publisher::ProduceNextForm(const Message& message, OutputForm next) {
  // Another refused output of the same input may have moved it to this form already.
  if (next <= message->form) {
    AckIfDone(*message);
    return;
  }
  const ChainResult& result = message->result();
  ProduceDeadLetter(
      message,
      result.failure ? *result.failure
                     : ChainFailure{"publish",
                                    refused_.Get(message->tp, message->message.offset)
                                        .first_refusal},
      next);
}

void Publisher::ProduceOne(const Message& message, const OutboundMessage& out,
                           const ChainFailure* failure, Output kind, OutputForm form) {
  auto tag = std::make_unique<DeliveryTag>();
  tag->message = message;
  tag->kind = failure ? Output::kDeadLetter : kind;
  tag->txn_epoch = committer_->epoch();
  tag->form = failure ? form : OutputForm::kNormal;
  if (failure) {
    tag->dead_letter = true;
    tag->stage = failure->stage;
    tag->reason = CodeName(failure->status.code());
  }
  if (message) ++message->unacknowledged;
  absl::Status status = producer_->Produce(out, tag.get());
  if (status.ok()) {
    tag.release();  // owned by the producer until the delivery report
    return;
  }
  if (message && IsRecordTooLarge(status)) {
    // Larger than the producer's message.max.bytes: nothing was sent, so the next
    // form is produced at once, in either mode.
    --message->unacknowledged;
    ProduceNextForm(message, RecordRefusal(*message, tag->kind, tag->form, status, std::nullopt));
    AckIfDone(*message);
    return;
  }
  if (message && tag->kind == Output::kEvent &&
      status.code() == absl::StatusCode::kInvalidArgument) {
    // The event itself cannot be published (e.g. larger than message.max.bytes):
    // the input goes to the dead-letter topic instead of being lost.
    ChainFailure publish_failure{"publish", status};
    tag->kind = Output::kDeadLetter;
    tag->dead_letter = true;
    tag->stage = publish_failure.stage;
    tag->reason = CodeName(status.code());
    status = producer_->Produce(
        MakeDeadLetter(message->message, publish_failure, options_.dead_letter_topic),
        tag.get());
    if (status.ok()) {
      tag.release();
      return;
    }
  }
  if (committer_->RetriesByAbort() && status.code() != absl::StatusCode::kFailedPrecondition) {
    // e.g. the transaction became abortable
    committer_->AbortAfterFailure("produce failed", status);
    return;
  }
  hooks_.producer_failed(status);
}

void Publisher::OnDelivery(KafkaSink::DeliveryReport report) {
  std::unique_ptr<DeliveryTag> tag(static_cast<DeliveryTag*>(report.opaque));
  absl::Status status = std::move(report.status);
  InFlightMessage* message = tag->message.get();  // null for released events
  if (tag->txn_epoch != committer_->epoch()) return;  // aborted transaction
  if (!status.ok() && committer_->RetriesByAbort()) {
    // Inside a transaction a failed output makes the transaction abortable: abort,
    // rewind, and process the input again (in a smaller form if it was too large).
    if (message && IsRecordTooLarge(status)) {
      // The abort reprocesses the input in the next form (or the same one, for a
      // record refused only because of the batch it was in).
      RecordRefusal(*message, tag->kind, tag->form, status, report.record);
    }
    committer_->AbortAfterFailure("delivery failed", status);
    return;
  }
  if (!status.ok()) {
    if (message && IsRecordTooLarge(status)) {
      // The broker refused the output's size: the input's outputs take the next,
      // smaller form (the original stays in the input topic at the recorded offset).
      OutputForm next = RecordRefusal(*message, tag->kind, tag->form, status, report.record);
      if (next == tag->form) {  // a batch casualty: produced again as it was
        if (report.record && producer_->Produce(*report.record, tag.get()).ok()) {
          tag.release();
          return;
        }
        next = RecordRefusal(*message, tag->kind, tag->form, status, std::nullopt);
      }
      --message->unacknowledged;
      ProduceNextForm(tag->message, next);
      AckIfDone(*message);
      return;
    }
    metrics_->delivery_failures().Increment();
    MessageLogContext context = message ? LogContextOf(message->message, &message->result()) : MessageLogContext{};
    context.fields = {{"output", OutputName(tag->kind)}, {"code", CodeName(status.code())}};
    Log(LogLevel::kError, "output refused by the broker", context);
    hooks_.fail(absl::Status(
        status.code(),
        message ? absl::StrCat(status.message(), " (input ", message->tp.topic, "[",
                               message->tp.partition, "]@", message->message.offset,
                               " not committed)")
                : absl::StrCat(status.message(), " (a released embargoed event)")));
    return;
  }
  if (message) {
    --message->unacknowledged;
    AckIfDone(*message);
  }
  Acknowledged(*tag, report);
}

void Publisher::Acknowledged(const DeliveryTag& tag, const KafkaSink::DeliveryReport& report) {
  const InFlightMessage* message = tag.message.get();
  switch (tag.kind) {
    case Output::kDeadLetter: {
      // (EXACTLY_ONCE counts outputs when their transaction commits.)
      committer_->CountDeadLetter(tag.stage, tag.reason);
      // Info: stage and code only; the stage's message may quote the content (debug).
      MessageLogContext context = LogContextOf(message->message, &message->result());
      context.fields = {{"stage", tag.stage}, {"code", tag.reason}};
      if (tag.form != OutputForm::kDeadLetter) {
        context.fields.emplace_back("form", std::string(OutputFormName(tag.form)));
      }
      uint64_t not_logged = 0;
      if (dead_letter_log_.Allow(absl::Now(), &not_logged)) {
        if (not_logged > 0) {
          context.fields.emplace_back("dead_letters_not_logged", absl::StrCat(not_logged));
        }
        Log(LogLevel::kInfo, "dead letter", context);
      }
      if (LogEnabled(LogLevel::kDebug) && message->result().failure) {
        context.fields.emplace_back("error",
                                    std::string(message->result().failure->status.message()));
        Log(LogLevel::kDebug, "dead letter reason", context);
      }
      break;
    }
    case Output::kEvent:
    case Output::kReleased:
      committer_->CountPublished(options_.output_topic, tag.kind == Output::kReleased);
      if (message && LogEnabled(LogLevel::kDebug)) {
        MessageLogContext context = LogContextOf(message->message, &message->result());
        context.fields = {{"output_topic", options_.output_topic},
                          {"output_partition", absl::StrCat(report.partition)},
                          {"output_offset", absl::StrCat(report.offset)}};
        Log(LogLevel::kDebug, "event published", context);
      }
      break;
    case Output::kChangelog:
      committer_->CountChangelog();
      break;
    case Output::kTombstone:
      committer_->CountTombstone();
      break;
  }
  if (message && tag.kind == Output::kEvent && message->message.timestamp) {
    metrics_->end_to_end_latency().Observe(
        absl::ToDoubleSeconds(absl::Now() - *message->message.timestamp));
  }
}

}  // namespace newsd
