#include "pipeline/lag_monitor.h"

#include <regex.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/log.h"

namespace newsd {

LagMonitor::LagMonitor(Options options, ConsumerQueries* consumer,
                       std::function<void()> state_gauges, Metrics* metrics, Health* health)
    : options_(std::move(options)),
      consumer_(consumer),
      state_gauges_(std::move(state_gauges)),
      metrics_(metrics),
      health_(health) {}

void LagMonitor::Assigned(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) partitions_.try_emplace(tp);
}

void LagMonitor::Revoked(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) {
    metrics_->RemoveConsumerLag(tp.topic, tp.partition);
    partitions_.erase(tp);
  }
}

void LagMonitor::Committed(const TopicPartition& tp, int64_t offset) {
  if (auto it = partitions_.find(tp); it != partitions_.end()) it->second.committed = offset;
}

std::optional<int64_t> LagMonitor::committed(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? std::nullopt : it->second.committed;
}

std::vector<TopicPartition> LagMonitor::Assigned() const {
  std::vector<TopicPartition> assigned;
  assigned.reserve(partitions_.size());
  for (const auto& [tp, partition] : partitions_) assigned.push_back(tp);
  return assigned;
}

bool LagMonitor::ConnectionCheckDue(absl::Time now) {
  if (now - last_connection_check_ <= absl::Seconds(5)) return false;
  last_connection_check_ = now;
  return true;
}

void LagMonitor::Update(const Snapshot& snapshot, absl::Time now) {
  metrics_->inflight().Set(static_cast<double>(snapshot.inflight_messages));
  metrics_->producer_queue_messages().Set(static_cast<double>(snapshot.producer_queue));
  metrics_->connected().Set(snapshot.connected ? 1 : 0);
  const char* reason = nullptr;
  if (!snapshot.running) {
    reason = "shutting down";
  } else if (!snapshot.connected) {
    reason = "producer not connected to a broker";
  } else {
    reason = snapshot.committer_not_ready;
  }
  // Owning no partition does not make an instance unready: an idle member takes
  // partitions over in the next rebalance (and would block rollouts otherwise).
  health_->assigned_partitions = static_cast<int>(partitions_.size());
  metrics_->assigned_partitions().Set(static_cast<double>(partitions_.size()));
  if (reason != nullptr) health_->not_ready_reason = reason;
  health_->ready = reason == nullptr;
  if (reason == nullptr) health_->ready_unix_ns = absl::ToUnixNanos(now);
  health_->heartbeat_unix_ns = absl::ToUnixNanos(now);
  metrics_->SetHealth(*health_, now);
  if (now - last_gauges_ < absl::Seconds(1)) return;
  last_gauges_ = now;
  if (state_gauges_) state_gauges_();
  UpdateLag(now, snapshot.connected, snapshot.paused);
  UpdateTopicGauges(now, snapshot.connected);
  // Lag in seconds: age of the oldest message consumed and not yet committed.
  metrics_->consumer_lag_seconds().Set(
      !snapshot.oldest_queued
          ? 0
          : std::max(0.0, absl::ToDoubleSeconds(now - *snapshot.oldest_queued)));
}

void LagMonitor::UpdateLag(absl::Time now, bool connected, bool paused) {
  // Broker calls only when due and while the brokers answer, within about 2 s.
  const bool query = now - last_lag_query_ >= options_.lag_query_interval && connected;
  if (query) {
    last_lag_query_ = now;
    std::vector<TopicPartition> unknown;
    for (const auto& [tp, partition] : partitions_) {
      if (!partition.committed) unknown.push_back(tp);
    }
    if (!unknown.empty()) {
      auto committed = consumer_->CommittedOffsets(unknown, absl::Seconds(1));
      if (committed.ok()) {
        for (const auto& [tp, offset] : *committed) {
          auto it = partitions_.find(tp);
          if (it != partitions_.end() && !it->second.committed) it->second.committed = offset;
        }
      } else {
        Log(LogLevel::kDebug, absl::StrCat("lag: ", committed.status().message()));
      }
    }
  }
  std::map<TopicPartition, ConsumerQueries::Watermarks> cached;
  std::vector<TopicPartition> to_query;
  for (const auto& [tp, partition] : partitions_) {
    // Cached from fetch responses; a partition not fetched yet has none, a paused one
    // a stale one: ask its leader.
    // The low watermark matters only while the group has no committed offset.
    const ConsumerQueries::Watermarks w = consumer_->CachedWatermarks(tp);
    cached[tp] = w;
    const bool needs_low = (!partition.committed || *partition.committed < 0) && w.low < 0 &&
                           partition.queried.low < 0;
    if (query && (w.high < 0 || paused || needs_low)) to_query.push_back(tp);
  }
  // At most about 1 s of queries per round, taking turns when that is not enough.
  const absl::Time query_deadline = absl::Now() + absl::Seconds(1);
  size_t queried = 0;
  for (; queried < to_query.size() && absl::Now() < query_deadline; ++queried) {
    const TopicPartition& tp = to_query[(lag_query_turn_ + queried) % to_query.size()];
    auto q = consumer_->QueryWatermarks(tp, absl::Milliseconds(500));
    if (q.ok()) partitions_[tp].queried = *q;
  }
  lag_query_turn_ += queried;
  for (const auto& [tp, partition] : partitions_) {
    ConsumerQueries::Watermarks w = cached[tp];
    // Watermarks only grow: take the newer of the cached and the queried ones.
    w.low = std::max(w.low, partition.queried.low);
    w.high = std::max(w.high, partition.queried.high);
    if (!partition.committed || w.high < 0) continue;  // not known yet
    int64_t start = *partition.committed;
    if (start < 0) start = consumer_->starts_at_earliest() ? w.low : w.high;  // none committed
    if (start < 0) continue;
    metrics_->ConsumerLag(tp.topic, tp.partition)
        .Set(static_cast<double>(std::max<int64_t>(0, w.high - start)));
  }
}

void LagMonitor::UpdateTopicGauges(absl::Time now, bool connected) {
  if (now - last_topics_check_ < consumer_->metadata_refresh_interval() || !connected) return;
  last_topics_check_ = now;
  absl::StatusOr<std::vector<std::string>> topics = consumer_->ClusterTopics(absl::Seconds(2));
  if (!topics.ok()) {
    Log(LogLevel::kDebug, absl::StrCat("topic gauges: ", topics.status().message()));
    return;
  }
  const std::set<std::string> existing(topics->begin(), topics->end());
  std::set<std::string> subscribed;
  int missing = 0;
  for (const std::string& topic : options_.input_topics) {
    if (existing.count(topic)) {
      subscribed.insert(topic);
    } else {
      ++missing;
    }
  }
  const std::string& pattern = options_.input_topic_pattern;
  regex_t re;
  if (!pattern.empty() && regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) == 0) {
    for (const std::string& topic : existing) {
      if (regexec(&re, topic.c_str(), 0, nullptr, 0) == 0) subscribed.insert(topic);
    }
    regfree(&re);
  }
  metrics_->input_topics_missing().Set(missing);
  metrics_->input_topics_subscribed().Set(static_cast<double>(subscribed.size()));
}

}  // namespace newsd
