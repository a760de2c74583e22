#include "pipeline/kafka_source.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/kafka_clients.h"
#include "pipeline/kafka_status.h"
#include "pipeline/log.h"

namespace newsd {
namespace {

std::vector<TopicPartition> FromRdKafka(const std::vector<RdKafka::TopicPartition*>& in) {
  std::vector<TopicPartition> out;
  out.reserve(in.size());
  for (const RdKafka::TopicPartition* p : in) out.push_back({p->topic(), p->partition()});
  return out;
}

std::string Describe(const std::vector<TopicPartition>& partitions) {
  return absl::StrJoin(partitions, ", ", [](std::string* out, const TopicPartition& tp) {
    absl::StrAppend(out, tp.topic, "[", tp.partition, "]");
  });
}

}  // namespace

RdKafkaPartitionList ToRdKafka(const std::vector<TopicPartition>& partitions) {
  RdKafkaPartitionList out;
  out.get().reserve(partitions.size());
  for (const auto& tp : partitions) out.Add(tp.topic, tp.partition);
  return out;
}

class KafkaSource::RebalanceCb : public RdKafka::RebalanceCb {
 public:
  explicit RebalanceCb(RebalanceListener* listener) : listener_(listener) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    std::vector<TopicPartition> tps = FromRdKafka(partitions);
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      Log(LogLevel::kInfo, absl::StrCat("assigned: ", Describe(tps)));
      if (cooperative) {
        std::unique_ptr<RdKafka::Error> e(consumer->incremental_assign(partitions));
        if (e) Log(LogLevel::kError, absl::StrCat("incremental_assign: ", e->str()));
      } else {
        consumer->assign(partitions);
      }
      listener_->OnAssigned(tps);
    } else if (err == RdKafka::ERR__REVOKE_PARTITIONS) {
      const bool lost = consumer->assignment_lost();
      Log(LogLevel::kInfo, absl::StrCat(lost ? "lost: " : "revoked: ", Describe(tps)));
      listener_->OnRevoked(tps, lost);
      if (cooperative) {
        std::unique_ptr<RdKafka::Error> e(consumer->incremental_unassign(partitions));
        if (e) Log(LogLevel::kError, absl::StrCat("incremental_unassign: ", e->str()));
      } else {
        consumer->unassign();
      }
    } else {
      Log(LogLevel::kError, absl::StrCat("rebalance error: ", RdKafka::err2str(err)));
      listener_->OnRevoked(tps, /*lost=*/true);
      consumer->unassign();
    }
  }

 private:
  RebalanceListener* listener_;
};

class KafkaSource::EventCb : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    LogKafkaEvent("consumer", event);
  }
};

absl::StatusOr<std::unique_ptr<KafkaSource>> KafkaSource::Create(
    const KafkaSourceOptions& options, RebalanceListener* listener) {
  std::unique_ptr<KafkaSource> source(new KafkaSource());
  source->topics_ = options.topics;
  source->rebalance_cb_ = std::make_unique<RebalanceCb>(listener);
  source->event_cb_ = std::make_unique<EventCb>();
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : ConsumerProperties(options)) {  // kafka_clients.h
    if (absl::Status s = SetKafkaProperty(*conf, k, v); !s.ok()) return s;
  }
  for (const auto& [k, v] : options.properties) {
    if (k == "auto.offset.reset") {
      source->starts_at_earliest_ = v == "earliest" || v == "smallest" || v == "beginning";
    } else if (int64_t ms = 0; k == "topic.metadata.refresh.interval.ms" &&
                               absl::SimpleAtoi(v, &ms) && ms > 0) {
      source->metadata_refresh_interval_ = absl::Milliseconds(ms);
    }
  }
  if (conf->set("rebalance_cb", source->rebalance_cb_.get(), err) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", source->event_cb_.get(), err) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("consumer callbacks: ", err));
  }
  source->consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!source->consumer_) return absl::InvalidArgumentError(absl::StrCat("consumer: ", err));
  return source;
}

KafkaSource::~KafkaSource() {
  if (consumer_ && !closed_) consumer_->close();
}

absl::Status KafkaSource::Subscribe() {
  return KafkaStatus(consumer_->subscribe(topics_), "subscribe");
}

absl::Status KafkaSource::Poll(absl::Duration timeout, size_t max, std::vector<RawMessage>* out) {
  int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));

  for (size_t n = 0; n < max; ++n) {
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(timeout_ms));
    timeout_ms = 0;
    if (!msg) return absl::OkStatus();
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        return absl::OkStatus();
      case RdKafka::ERR__FATAL:
        return absl::FailedPreconditionError(absl::StrCat("consumer fatal error: ", msg->errstr()));
      default:
        Log(LogLevel::kWarning, absl::StrCat("consume: ", msg->topic_name(), ": ", msg->errstr()));
        continue;
    }
    RawMessage& m = out->emplace_back();
    m.topic = msg->topic_name();
    m.partition = msg->partition();
    m.offset = msg->offset();
    RdKafka::MessageTimestamp ts = msg->timestamp();
    if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE && ts.timestamp >= 0) {
      m.timestamp = absl::FromUnixMillis(ts.timestamp);
    }
    if (msg->key_pointer()) {
      m.key.assign(static_cast<const char*>(msg->key_pointer()), msg->key_len());
    }
    if (msg->payload()) {
      m.value.assign(static_cast<const char*>(msg->payload()), msg->len());
    } else {
      m.value_is_null = true;
    }
    if (RdKafka::Headers* headers = msg->headers()) {
      for (const RdKafka::Headers::Header& h : headers->get_all()) {
        m.headers.emplace_back(h.key(), h.value() ? std::string(static_cast<const char*>(h.value()),
                                                                h.value_size())
                                                  : std::string());
      }
    }
  }
  return absl::OkStatus();
}

absl::Status KafkaSource::Commit(const std::vector<std::pair<TopicPartition, int64_t>>& offsets,
                                 bool sync) {
  if (offsets.empty()) return absl::OkStatus();
  RdKafkaPartitionList list;
  for (const auto& [tp, offset] : offsets) list.Add(tp.topic, tp.partition, offset);
  RdKafka::ErrorCode err =
      sync ? consumer_->commitSync(list.get()) : consumer_->commitAsync(list.get());
  absl::Status status = KafkaStatus(err, "commit");
  if (status.ok() && sync) {
    for (const RdKafka::TopicPartition* p : list) {
      if (p->err() != RdKafka::ERR_NO_ERROR) {
        status = KafkaStatus(p->err(), absl::StrCat("commit ", p->topic(), "[", p->partition(), "]"));
        break;
      }
    }
  }
  return status;
}

absl::Status KafkaSource::Pause(const std::vector<TopicPartition>& partitions) {
  RdKafkaPartitionList list = ToRdKafka(partitions);
  return KafkaStatus(consumer_->pause(list.get()), "pause");
}

absl::Status KafkaSource::Resume(const std::vector<TopicPartition>& partitions) {
  RdKafkaPartitionList list = ToRdKafka(partitions);
  return KafkaStatus(consumer_->resume(list.get()), "resume");
}

std::vector<TopicPartition> KafkaSource::Assignment() {
  RdKafkaPartitionList list;
  consumer_->assignment(list.get());
  return FromRdKafka(list.get());
}

std::unique_ptr<RdKafka::ConsumerGroupMetadata> KafkaSource::GroupMetadata() {
  return std::unique_ptr<RdKafka::ConsumerGroupMetadata>(consumer_->groupMetadata());
}

absl::Status KafkaSource::SeekToCommitted(const std::vector<TopicPartition>& partitions,
                                          absl::Duration timeout) {
  if (partitions.empty()) return absl::OkStatus();
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  RdKafkaPartitionList list = ToRdKafka(partitions);
  absl::Status status =
      KafkaStatus(consumer_->committed(list.get(), timeout_ms), "committed offsets");
  for (RdKafka::TopicPartition* p : list) {
    if (!status.ok()) break;
    if (p->offset() < 0) p->set_offset(RdKafka::Topic::OFFSET_BEGINNING);  // no commit yet
    status = KafkaStatus(consumer_->seek(*p, timeout_ms),
                         absl::StrCat("seek ", p->topic(), "[", p->partition(), "]"));
  }
  return status;
}

KafkaSource::Watermarks KafkaSource::CachedWatermarks(const TopicPartition& tp) {
  Watermarks w;
  if (consumer_->get_watermark_offsets(tp.topic, tp.partition, &w.low, &w.high) !=
      RdKafka::ERR_NO_ERROR) {
    return Watermarks();
  }
  if (w.low < 0) w.low = -1;
  if (w.high < 0) w.high = -1;
  return w;
}

absl::StatusOr<KafkaSource::Watermarks> KafkaSource::QueryWatermarks(const TopicPartition& tp,
                                                                     absl::Duration timeout) {
  Watermarks w;
  absl::Status status = KafkaStatus(
      consumer_->query_watermark_offsets(tp.topic, tp.partition, &w.low, &w.high,
                                         static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      absl::StrCat("watermarks of ", tp.topic, "[", tp.partition, "]"));
  if (!status.ok()) return status;
  return w;
}

absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>> KafkaSource::CommittedOffsets(
    const std::vector<TopicPartition>& partitions, absl::Duration timeout) {
  std::vector<std::pair<TopicPartition, int64_t>> out;
  if (partitions.empty()) return out;
  RdKafkaPartitionList list = ToRdKafka(partitions);
  absl::Status status = KafkaStatus(
      consumer_->committed(list.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      "committed offsets");
  if (status.ok()) {
    for (const RdKafka::TopicPartition* p : list) {
      if (p->err() != RdKafka::ERR_NO_ERROR) continue;  // unknown for this one
      out.push_back({{p->topic(), p->partition()}, p->offset() >= 0 ? p->offset() : -1});
    }
  }
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<std::string>> KafkaSource::ClusterTopics(absl::Duration timeout) {
  RdKafka::Metadata* raw = nullptr;
  absl::Status status = KafkaStatus(
      consumer_->metadata(/*all_topics=*/true, nullptr, &raw,
                          static_cast<int>(absl::ToInt64Milliseconds(timeout))),
      "metadata");
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (!status.ok()) return status;
  std::vector<std::string> topics;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->err() == RdKafka::ERR_NO_ERROR) topics.push_back(t->topic());
  }
  return topics;
}

absl::Status KafkaSource::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  return KafkaStatus(consumer_->close(), "consumer close");
}

}  // namespace newsd
