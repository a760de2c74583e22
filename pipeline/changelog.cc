#include "pipeline/changelog.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "pipeline/kafka_clients.h"
#include "pipeline/kafka_partition_list.h"
#include "pipeline/kafka_status.h"
#include "pipeline/log.h"

namespace newsd {

std::string ChangelogKey(absl::string_view store, absl::string_view key) {
  return absl::StrCat(store, "/", key);
}

// librdkafka's errors and logs of the reader's consumer, in newsd's log format.
class ChangelogReader::EventCb : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override { LogKafkaEvent("changelog reader", event); }
};

ChangelogReader::ChangelogReader(ChangelogReaderOptions options, std::vector<StateStore*> stores,
                                 Metrics* metrics)
    : options_(std::move(options)),
      stores_(std::move(stores)),
      metrics_(metrics),
      records_(metrics == nullptr
                   ? RecordCounters()
                   : RecordCounters{&metrics->ChangelogRecords("applied"),
                                    &metrics->ChangelogRecords("invalid"),
                                    &metrics->ChangelogRecords("unknown_store")}) {}

absl::StatusOr<std::unique_ptr<ChangelogReader>> ChangelogReader::Create(
    const ChangelogReaderOptions& options, std::vector<StateStore*> stores, Metrics* metrics) {
  std::unique_ptr<ChangelogReader> reader(
      new ChangelogReader(options, std::move(stores), metrics));
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [k, v] : ChangelogReaderProperties(options)) {  // kafka_clients.h
    if (absl::Status s = SetKafkaProperty(*conf, k, v); !s.ok()) return s;
  }
  std::string err;
  reader->event_cb_ = std::make_unique<EventCb>();
  if (conf->set("event_cb", reader->event_cb_.get(), err) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("changelog consumer event_cb: ", err));
  }
  reader->consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!reader->consumer_) {
    return absl::InvalidArgumentError(absl::StrCat("changelog consumer: ", err));
  }
  return reader;
}

ChangelogReader::~ChangelogReader() {
  stop_.store(true);
  if (follower_.joinable()) follower_.join();
  if (consumer_) consumer_->close();
}

absl::StatusOr<bool> ChangelogReader::AssignIfKnown(absl::Duration timeout) {
  if (assigned_) return true;
  std::string err;
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(consumer_.get(), options_.topic, nullptr, err));
  if (!topic) return absl::InternalError(absl::StrCat("changelog topic handle: ", err));
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode code = consumer_->metadata(
      false, topic.get(), &raw, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) {
    return KafkaStatus(code, absl::StrCat("changelog topic '", options_.topic, "' metadata"));
  }
  RdKafkaPartitionList partitions;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->topic() != options_.topic || t->err() != RdKafka::ERR_NO_ERROR) continue;
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      partitions.Add(options_.topic, p->id(), RdKafka::Topic::OFFSET_BEGINNING);
      at_end_[p->id()] = false;
    }
  }
  if (partitions.empty()) return false;
  code = consumer_->assign(partitions.get());
  if (code != RdKafka::ERR_NO_ERROR) {
    at_end_.clear();
    return KafkaStatus(code, "changelog assign");
  }
  assigned_ = true;
  Log(LogLevel::kInfo, absl::StrCat("changelog: reading ", at_end_.size(), " partition(s) of ",
                                    options_.topic));
  return true;
}

void ChangelogReader::TakeEndSnapshot(absl::Duration timeout) {
  snapshot_end_.clear();
  snapshot_reached_.clear();
  snapshot_time_ = absl::Now();
  for (const auto& [partition, end] : at_end_) {
    int64_t low = -1, high = -1;
    if (consumer_->get_watermark_offsets(options_.topic, partition, &low, &high) !=
            RdKafka::ERR_NO_ERROR ||
        high < 0) {
      if (consumer_->query_watermark_offsets(options_.topic, partition, &low, &high,
                                             static_cast<int>(absl::ToInt64Milliseconds(
                                                 timeout))) != RdKafka::ERR_NO_ERROR) {
        high = -1;
      }
    }
    snapshot_end_[partition] = high;
    snapshot_reached_[partition] = high == 0;  // empty partition
  }
}

bool ChangelogReader::SnapshotReached() {
  if (!assigned_) return false;
  RdKafkaPartitionList positions;
  for (const auto& [partition, end] : snapshot_end_) {
    if (!snapshot_reached_[partition] && end >= 0) positions.Add(options_.topic, partition);
  }
  if (!positions.empty() && consumer_->position(positions.get()) == RdKafka::ERR_NO_ERROR) {
    for (const RdKafka::TopicPartition* tp : positions) {
      // (The position is past control records too, such as commit markers.)
      if (tp->offset() >= 0 && tp->offset() >= snapshot_end_[tp->partition()]) {
        snapshot_reached_[tp->partition()] = true;
      }
    }
  }
  for (const auto& [partition, reached] : snapshot_reached_) {
    if (!reached) return false;
  }
  return true;
}

void ChangelogReader::Apply(RdKafka::Message& message) {
  if (!options_.own_instance.empty()) {
    if (RdKafka::Headers* headers = message.headers()) {
      RdKafka::Headers::Header h = headers->get_last(kChangelogInstanceHeader);
      if (h.err() == RdKafka::ERR_NO_ERROR && h.value() != nullptr &&
          absl::string_view(static_cast<const char*>(h.value()), h.value_size()) ==
              options_.own_instance) {
        return;  // written (and applied) by this process
      }
    }
  }
  absl::string_view key;
  if (message.key_pointer() != nullptr) {
    key = absl::string_view(static_cast<const char*>(message.key_pointer()), message.key_len());
  }
  const size_t slash = key.find('/');
  StateStore* store = nullptr;
  if (slash != absl::string_view::npos) {
    for (StateStore* s : stores_) {
      if (s->name() == key.substr(0, slash)) store = s;
    }
  }
  if (store == nullptr) {
    // A store this chain does not have (another configuration or program wrote it).
    if (records_.unknown_store) records_.unknown_store->Increment();
    if (++unknown_logged_ <= 10) {
      Log(LogLevel::kWarning,
          absl::StrCat("changelog ", options_.topic, "[", message.partition(), "]@",
                       message.offset(), ": record skipped: key \"",
                       absl::CHexEscape(key.substr(0, 80)),
                       "\" names no state store of this chain (\"<store>/<key>\")",
                       unknown_logged_ == 10 ? "; further ones are only counted" : ""));
    }
    return;
  }
  std::optional<absl::string_view> value;
  if (message.payload() != nullptr) {
    value = absl::string_view(static_cast<const char*>(message.payload()), message.len());
  }
  absl::Status status = store->Restore(key.substr(slash + 1), value);
  if (!status.ok()) {
    if (records_.invalid) records_.invalid->Increment();
    Log(LogLevel::kWarning,
        absl::StrCat("changelog ", options_.topic, "[", message.partition(), "]@",
                     message.offset(), ": record skipped: ", status.message()));
    return;
  }
  applied_.fetch_add(1);
  if (records_.applied) records_.applied->Increment();
}

void ChangelogReader::ConsumeOnce(absl::Duration timeout) {
  int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  for (int n = 0; n < 1000; ++n) {
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
    timeout_ms = 0;
    if (!message) break;
    if (message->err() == RdKafka::ERR__TIMED_OUT) break;
    if (message->err() == RdKafka::ERR__PARTITION_EOF) {
      at_end_[message->partition()] = true;
      snapshot_reached_[message->partition()] = true;
      continue;
    }
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      Log(LogLevel::kWarning, absl::StrCat("changelog consume: ", message->errstr()));
      break;
    }
    at_end_[message->partition()] = false;
    Apply(*message);
  }
  if (assigned_ && snapshot_time_ == absl::InfinitePast()) {
    TakeEndSnapshot(absl::Seconds(1));  // assigned by the follower: the first snapshot
  } else if (SnapshotReached()) {
    {
      absl::MutexLock lock(&mu_);
      caught_up_at_ = std::max(caught_up_at_, snapshot_time_);
    }
    TakeEndSnapshot(absl::Seconds(1));  // the next one to catch up to
  }
  // Caught up: the last snapshot reached was taken in the last 10 seconds.
  if (metrics_) {
    metrics_->changelog_caught_up().Set(absl::Now() - caught_up_at() < absl::Seconds(10) ? 1 : 0);
  }
}

absl::Status ChangelogReader::Restore(absl::Duration timeout, const std::atomic<bool>& stop) {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + timeout;
  absl::StatusOr<bool> assigned = AssignIfKnown(std::min(timeout, absl::Seconds(10)));
  if (!assigned.ok()) return assigned.status();
  if (!*assigned) {
    Log(LogLevel::kInfo, absl::StrCat("changelog: topic ", options_.topic,
                                      " does not exist yet; nothing to restore"));
    absl::MutexLock lock(&mu_);
    caught_up_at_ = absl::Now();
    return absl::OkStatus();
  }
  // The end offsets as of now: what was written before the start is restored;
  // what other instances write meanwhile is applied by the follower.
  TakeEndSnapshot(std::min(timeout, absl::Seconds(10)));
  const absl::Time snapshot = snapshot_time_;
  while (caught_up_at() < snapshot) {
    if (stop.load()) return absl::CancelledError("changelog restore: stopping");
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "changelog restore: not at the end of ", options_.topic, " after ",
          absl::FormatDuration(timeout), " (", applied(), " records applied)"));
    }
    ConsumeOnce(absl::Milliseconds(200));
  }
  Log(LogLevel::kInfo, absl::StrCat("changelog: restored ", applied(), " records from ",
                                    options_.topic, " in ",
                                    absl::FormatDuration(absl::Trunc(absl::Now() - start,
                                                                     absl::Milliseconds(1)))));
  return absl::OkStatus();
}

void ChangelogReader::RefreshPartitions() {
  std::string err;
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(consumer_.get(), options_.topic, nullptr, err));
  if (!topic) return;
  RdKafka::Metadata* raw = nullptr;
  if (consumer_->metadata(false, topic.get(), &raw, 2000) != RdKafka::ERR_NO_ERROR) return;
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<int32_t> added;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->topic() != options_.topic || t->err() != RdKafka::ERR_NO_ERROR) continue;
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      if (at_end_.count(p->id()) == 0) added.push_back(p->id());
    }
  }
  if (added.empty()) return;
  // Partitions added to the topic (kafka-topics --alter): read them from the
  // beginning, the others from where the reader is.
  RdKafkaPartitionList partitions;
  for (int32_t p : added) {
    partitions.Add(options_.topic, p, RdKafka::Topic::OFFSET_BEGINNING);
    at_end_[p] = false;
  }
  std::unique_ptr<RdKafka::Error> error(consumer_->incremental_assign(partitions.get()));
  if (error) {
    Log(LogLevel::kWarning, absl::StrCat("changelog: assigning new partitions: ", error->str()));
    for (int32_t p : added) at_end_.erase(p);
    return;
  }
  Log(LogLevel::kInfo, absl::StrCat("changelog: ", added.size(), " partition(s) added to ",
                                    options_.topic, "; reading them from the beginning"));
}

void ChangelogReader::StartFollowing() {
  follower_ = std::thread(&ChangelogReader::FollowLoop, this);
}

void ChangelogReader::FollowLoop() {
  absl::Time last_lookup = absl::InfinitePast();
  while (!stop_.load()) {
    if (!assigned_) {
      // The topic appears once the first record is produced (or newsd creates it).
      if (absl::Now() - last_lookup < absl::Seconds(2)) {
        absl::SleepFor(absl::Milliseconds(100));
        continue;
      }
      last_lookup = absl::Now();
      absl::StatusOr<bool> assigned = AssignIfKnown(absl::Seconds(2));
      if (!assigned.ok() || !*assigned) continue;
    }
    if (absl::Now() - last_lookup >= absl::Seconds(10)) {
      last_lookup = absl::Now();
      RefreshPartitions();
    }
    ConsumeOnce(absl::Milliseconds(100));
  }
}

absl::Time ChangelogReader::caught_up_at() const {
  absl::MutexLock lock(&mu_);
  return caught_up_at_;
}

}  // namespace newsd
