// LagMonitor: the daemon's gauges of the consumer and of the loop, and its health.
//
// It owns, per assigned input partition, the consumer group's committed offset
// (fetched from the group coordinator once after the assignment, then taken from
// this instance's own commits) and the watermarks asked from the partition leaders,
// and from them sets newsd_consumer_lag_messages{topic,partition}. It also sets
// newsd_input_topics_missing / _subscribed (cluster metadata, every
// topic.metadata.refresh.interval.ms), newsd_state_store_records and
// newsd_held_events, newsd_consumer_lag_seconds, the loop gauges (newsd_inflight_
// messages, newsd_producer_queue_messages, newsd_kafka_connected, newsd_assigned_
// partitions) and the Health that /healthz and /readyz serve.
//
// The daemon tells it about assignments, revocations and commits, and hands it a
// Snapshot of the loop at every turn (Update). Broker questions go through
// ConsumerQueries (KafkaSource; a fake in tests), only while the producer reaches a
// broker and within bounded time: an Update blocks up to about 2 s in lag queries
// and up to 2 s in a metadata request.
//
// Threads: used on the daemon's loop thread only (not thread-safe). The Health it
// writes is read by the HTTP threads (atomic fields); the state stores' Sizes() may
// be called while the changelog reader thread writes them (they lock).
#ifndef NEWSD_PIPELINE_LAG_MONITOR_H_
#define NEWSD_PIPELINE_LAG_MONITOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "pipeline/consumer_queries.h"
#include "pipeline/held_events.h"
#include "pipeline/metrics.h"
#include "pipeline/state_store.h"
#include "pipeline/topic_partition.h"

namespace newsd {

class LagMonitor {
 public:
  struct Options {
    // kafka.input_topics and kafka.input_topic_pattern ("^" + POSIX extended regex;
    // "" for none): what newsd_input_topics_missing / _subscribed look for.
    std::vector<std::string> input_topics;
    std::string input_topic_pattern;
    // How often committed offsets and watermarks are asked from the brokers.
    absl::Duration lag_query_interval = absl::Seconds(5);
  };

  // The loop's state at one turn.
  struct Snapshot {
    bool running = false;    // Daemon::State::kRunning (not starting, draining, failed)
    bool connected = false;  // the producer reaches a broker
    // Why the committer is not ready (Committer::NotReadyReason), null when it is.
    const char* committer_not_ready = nullptr;
    size_t inflight_messages = 0;  // consumed, not yet acknowledged
    int producer_queue = 0;        // messages in the producer's local queue (outq_len)
    // Timestamp of the oldest consumed, uncommitted message (InFlight); nullopt: none.
    std::optional<absl::Time> oldest_queued;
    bool paused = false;  // consumption paused by backpressure (watermarks go stale)
  };

  // `consumer`, `metrics` and `health` must outlive the monitor. `state_gauges`
  // refreshes the state-store gauges (StateBootstrap::UpdateGauges, which owns the
  // stores); may be empty.
  LagMonitor(Options options, ConsumerQueries* consumer, std::function<void()> state_gauges,
             Metrics* metrics, Health* health);

  // The consumer was assigned `partitions` (partitions already assigned keep what is
  // known of them).
  void Assigned(const std::vector<TopicPartition>& partitions);
  // `partitions` were revoked: forgets them and removes their lag gauges.
  void Revoked(const std::vector<TopicPartition>& partitions);
  // This instance committed `offset` (next offset to read) for `tp`; ignored if `tp`
  // is not assigned.
  void Committed(const TopicPartition& tp, int64_t offset);
  // The group's committed offset of `tp` as the monitor knows it: nullopt when not
  // known yet (or not assigned), -1 when the group has none.
  std::optional<int64_t> committed(const TopicPartition& tp) const;
  // The assigned partitions, ordered.
  std::vector<TopicPartition> Assigned() const;

  // Whether the daemon should probe the producer's connection now (it is not
  // connected): true at most every 5 s.
  bool ConnectionCheckDue(absl::Time now);

  // One turn of the loop: the loop gauges and Health every call; at most every
  // second also the state-store gauges (`state_gauges`), the lag gauges (broker queries at most every
  // lag_query_interval) and the input-topic gauges.
  void Update(const Snapshot& snapshot, absl::Time now);

 private:
  // What is known of an assigned partition.
  struct Partition {
    // The group's committed offset: nullopt until known, -1 none.
    std::optional<int64_t> committed;
    // Watermarks last asked from the leader (-1: never asked or unknown).
    ConsumerQueries::Watermarks queried;
  };

  // newsd_consumer_lag_messages of every assigned partition: end offset (high
  // watermark) minus the group's committed offset, or minus the partition's start
  // (auto.offset.reset: the low watermark for earliest) where the group has none.
  // Watermarks come from fetch responses; the committed offsets of newly assigned
  // partitions and the watermarks of partitions not fetched (not yet, or paused)
  // are asked from the brokers at most every lag_query_interval, within a bounded
  // time.
  void UpdateLag(absl::Time now, bool connected, bool paused);
  // newsd_input_topics_missing / _subscribed from the cluster metadata, every
  // topic.metadata.refresh.interval.ms.
  void UpdateTopicGauges(absl::Time now, bool connected);

  const Options options_;
  ConsumerQueries* const consumer_;
  const std::function<void()> state_gauges_;
  Metrics* const metrics_;
  Health* const health_;

  std::map<TopicPartition, Partition> partitions_;  // the assigned ones
  absl::Time last_gauges_ = absl::InfinitePast();
  absl::Time last_connection_check_ = absl::InfinitePast();
  absl::Time last_lag_query_ = absl::InfinitePast();
  size_t lag_query_turn_ = 0;  // where the next round of watermark queries starts
  absl::Time last_topics_check_ = absl::InfinitePast();
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_LAG_MONITOR_H_
