#include "pipeline/kafka_sink.h"


#include "absl/strings/str_cat.h"
#include "pipeline/kafka_clients.h"
#include "pipeline/kafka_partition_list.h"
#include "pipeline/kafka_status.h"
#include "pipeline/log.h"

namespace newsd {
namespace {

// RdKafka::Error (owned, may be null) → Status with the transaction retry policy.
absl::Status TxnStatus(RdKafka::Error* raw, absl::string_view what) {
  std::unique_ptr<RdKafka::Error> error(raw);
  if (!error) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", error->str());
  absl::Status status;
  if (error->is_fatal()) {
    status = absl::FailedPreconditionError(message);
  } else if (error->txn_requires_abort()) {
    status = absl::AbortedError(message);
  } else if (error->is_retriable()) {
    status = absl::UnavailableError(message);
  } else {
    status = absl::Status(KafkaStatusCode(error->code()) == absl::StatusCode::kOk
                              ? absl::StatusCode::kUnknown
                              : KafkaStatusCode(error->code()),
                          message);
  }
  return WithKafkaErrorCode(std::move(status), error->code());
}

}  // namespace

class KafkaSink::DeliveryCb : public RdKafka::DeliveryReportCb {
 public:
  DeliveryCb(DeliveryCallback callback, std::atomic<bool>* connected)
      : callback_(std::move(callback)), connected_(connected) {}
  void dr_cb(RdKafka::Message& message) override {
    absl::Status status = KafkaStatus(
        message.err(), absl::StrCat("deliver to ", message.topic_name()));
    if (status.ok()) connected_->store(true);
    DeliveryReport report{message.msg_opaque(), std::move(status), message.partition(),
                          message.offset(), std::nullopt};
    if (!report.status.ok()) {
      OutboundMessage& record = report.record.emplace();
      record.topic = message.topic_name();
      if (message.key_pointer() != nullptr) {
        record.key.emplace(static_cast<const char*>(message.key_pointer()), message.key_len());
      }
      if (message.payload() != nullptr) {
        record.value.emplace(static_cast<const char*>(message.payload()), message.len());
      }
      if (RdKafka::Headers* headers = message.headers()) {
        for (const RdKafka::Headers::Header& h : headers->get_all()) {
          record.headers.emplace_back(
              h.key(), h.value() == nullptr
                           ? std::string()
                           : std::string(static_cast<const char*>(h.value()), h.value_size()));
        }
      }
    }
    callback_(std::move(report));
  }

 private:
  DeliveryCallback callback_;
  std::atomic<bool>* connected_;
};

class KafkaSink::EventCb : public RdKafka::EventCb {
 public:
  EventCb(std::atomic<bool>* connected, std::atomic<bool>* fatal)
      : connected_(connected), fatal_(fatal) {}
  void event_cb(RdKafka::Event& event) override {
    if (event.type() == RdKafka::Event::EVENT_ERROR) {
      if (event.err() == RdKafka::ERR__ALL_BROKERS_DOWN) connected_->store(false);
      if (event.fatal()) fatal_->store(true);
    }
    LogKafkaEvent("producer", event);
  }

 private:
  std::atomic<bool>* connected_;
  std::atomic<bool>* fatal_;
};

absl::StatusOr<std::unique_ptr<KafkaSink>> KafkaSink::Create(const KafkaSinkOptions& options,
                                                             DeliveryCallback on_delivery) {
  std::unique_ptr<KafkaSink> sink(new KafkaSink());
  sink->delivery_cb_ = std::make_unique<DeliveryCb>(std::move(on_delivery), &sink->connected_);
  sink->event_cb_ = std::make_unique<EventCb>(&sink->connected_, &sink->fatal_);
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  sink->transactional_ = !options.transactional_id.empty();
  const KafkaProperties props = ProducerProperties(options);  // kafka_clients.h
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property '", k, "': ", err));
    }
  }
  if (conf->set("dr_cb", sink->delivery_cb_.get(), err) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", sink->event_cb_.get(), err) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("producer callbacks: ", err));
  }
  sink->producer_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!sink->producer_) return absl::InvalidArgumentError(absl::StrCat("producer: ", err));
  return sink;
}

KafkaSink::~KafkaSink() = default;

absl::Status KafkaSink::Produce(const OutboundMessage& message, void* opaque,
                                absl::Duration queue_full_wait) {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + queue_full_wait;
  bool waited = false;
  while (true) {
    std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
    for (const auto& [k, v] : message.headers) headers->add(k, v.data(), v.size());
    RdKafka::ErrorCode err = producer_->produce(
        message.topic, message.partition >= 0 ? message.partition : RdKafka::Topic::PARTITION_UA,
        RdKafka::Producer::RK_MSG_COPY,
        message.value ? const_cast<char*>(message.value->data()) : nullptr,
        message.value ? message.value->size() : 0,
        message.key ? message.key->data() : nullptr, message.key ? message.key->size() : 0,
        /*timestamp=*/0, headers.get(), opaque);
    if (err == RdKafka::ERR_NO_ERROR) headers.release();  // owned by librdkafka now
    if (waited && (err != RdKafka::ERR__QUEUE_FULL || absl::Now() >= deadline)) {
      ++queue_full_waits_.waits;
      queue_full_waits_.waited += absl::Now() - start;
    }
    if (err == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
    if (err != RdKafka::ERR__QUEUE_FULL || absl::Now() >= deadline) {
      return KafkaStatus(err, absl::StrCat("produce to ", message.topic));
    }
    waited = true;
    producer_->poll(50);  // backpressure: serve delivery reports, then retry
  }
}

int KafkaSink::Poll(absl::Duration timeout) {
  return producer_->poll(static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

absl::Status KafkaSink::Flush(absl::Duration timeout) {
  RdKafka::ErrorCode err =
      producer_->flush(static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err == RdKafka::ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(
        absl::StrCat("flush: ", producer_->outq_len(), " messages still queued"));
  }
  return KafkaStatus(err, "flush");
}

void KafkaSink::PurgeAll() {
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT |
                   RdKafka::Producer::PURGE_NON_BLOCKING);
  // Purged messages' reports come through the next polls.
  for (int i = 0; i < 10 && producer_->outq_len() > 0; ++i) producer_->poll(100);
  producer_->poll(0);
}

absl::Status KafkaSink::CheckConnection(absl::Duration timeout) {
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode err = producer_->metadata(
      /*all_topics=*/false, nullptr, &raw, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  connected_ = (err == RdKafka::ERR_NO_ERROR && metadata && !metadata->brokers()->empty());
  return KafkaStatus(err, "producer metadata");
}

std::optional<absl::Status> KafkaSink::fatal_error() const {
  // Asked of the producer too, not only flagged by the error event: a produce call
  // can fail with ERR__FATAL before that event has been served by a poll.
  std::string reason;
  RdKafka::ErrorCode code = producer_->fatal_error(reason);
  if (code == RdKafka::ERR_NO_ERROR && !fatal_.load()) return std::nullopt;
  return KafkaStatus(code == RdKafka::ERR_NO_ERROR ? RdKafka::ERR__FATAL : code,
                     absl::StrCat("producer fatal error: ", reason));
}

absl::Status KafkaSink::InitTransactions(absl::Duration timeout) {
  return TxnStatus(
      producer_->init_transactions(static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      "init_transactions");
}

absl::Status KafkaSink::BeginTransaction() {
  return TxnStatus(producer_->begin_transaction(), "begin_transaction");
}

absl::Status KafkaSink::SendOffsetsToTransaction(
    const std::vector<std::pair<std::string, std::pair<int32_t, int64_t>>>& offsets,
    const RdKafka::ConsumerGroupMetadata* group_metadata, absl::Duration timeout) {
  RdKafkaPartitionList list;
  for (const auto& [topic, po] : offsets) list.Add(topic, po.first, po.second);
  return TxnStatus(
      producer_->send_offsets_to_transaction(
          list.get(), group_metadata, static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      "send_offsets_to_transaction");
}

absl::Status KafkaSink::CommitTransaction(absl::Duration timeout) {
  return TxnStatus(
      producer_->commit_transaction(static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      "commit_transaction");
}

absl::Status KafkaSink::AbortTransaction(absl::Duration timeout) {
  return TxnStatus(
      producer_->abort_transaction(static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      "abort_transaction");
}

}  // namespace newsd
