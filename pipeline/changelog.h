// ChangelogReader: replays the changelog topic into the state stores.
//
// The changelog topic (config KafkaConfig.changelog_topic) is a compacted Kafka
// topic whose records carry key "<store>/<key>" and, as value, the store's bytes
// for that key (a null value deletes it); see state_store.h. Every instance reads
// every partition of it, outside the consumer group (manual assignment, no
// committed offsets, isolation.level=read_committed so that records of aborted
// transactions are never applied): first from the beginning up to the end at
// start-up (Restore, before the daemon joins the group), then continuously on its
// own thread (StartFollowing), so that what one instance records is known to all.
#ifndef NEWSD_PIPELINE_CHANGELOG_H_
#define NEWSD_PIPELINE_CHANGELOG_H_

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/metrics.h"
#include "pipeline/state_store.h"

namespace newsd {

// Changelog key of `key` in `store`: "<store>/<key>".
std::string ChangelogKey(absl::string_view store, absl::string_view key);

struct ChangelogReaderOptions {
  std::string brokers;
  std::string topic;
  // client.id and the (never used for commits) group.id of the reader's consumer.
  std::string client_id = "newsd-changelog";
  // Extra librdkafka properties (kafka.properties, then kafka.consumer_properties).
  std::vector<std::pair<std::string, std::string>> properties;
  // Records whose header kChangelogInstanceHeader equals this are skipped: this
  // process wrote them and applied them to its stores already. Empty: apply all.
  std::string own_instance;
};

// Header naming the process that wrote a changelog record (a random id per start).
inline constexpr char kChangelogInstanceHeader[] = "newsd.instance";

class ChangelogReader {
 public:
  // `stores` (not owned) must outlive the reader; names must be unique.
  // `metrics` may be null. Errors: kInvalidArgument for a property librdkafka
  // rejects.
  static absl::StatusOr<std::unique_ptr<ChangelogReader>> Create(
      const ChangelogReaderOptions& options, std::vector<StateStore*> stores, Metrics* metrics);
  // Stops the follower thread and closes the consumer.
  ~ChangelogReader();

  // Reads every partition from the beginning until each has reached the end
  // offset (high watermark) it had when the restore started, or reported its end
  // (librdkafka partition EOF: the high watermark, or the last stable offset under
  // an open transaction), applying each record to its store. Records written
  // meanwhile (other instances keep writing while input flows) are applied by the
  // follower, so a new instance joins without waiting for the writers to pause.
  // Returns OK when there (also when the topic does not exist yet: nothing to read);
  // kDeadlineExceeded after `timeout` (what was read stays applied; following
  // continues from there); kCancelled when `stop` turned true; kUnavailable if
  // the topic's metadata cannot be fetched.
  absl::Status Restore(absl::Duration timeout, const std::atomic<bool>& stop);

  // Follows the topic on a thread of its own from where Restore stopped, until
  // the reader is destroyed. Call once, after Restore.
  void StartFollowing();

  // The latest time T such that every partition has been read up to the end
  // offset it had at T (InfinitePast if never): a record committed before T has
  // been applied when caught_up_at() > T + the transaction's commit latency. The
  // follower takes a new end-offset snapshot once the previous one is reached.
  absl::Time caught_up_at() const;

  // Records applied to a store since creation.
  uint64_t applied() const { return applied_.load(); }

 private:
  ChangelogReader(ChangelogReaderOptions options, std::vector<StateStore*> stores,
                  Metrics* metrics);

  // Looks up the topic's partitions and assigns them from the beginning (once).
  // False while the topic does not exist.
  absl::StatusOr<bool> AssignIfKnown(absl::Duration timeout);
  // Consumes for up to `timeout`; applies records, tracks partition ends and
  // whether the current end-offset snapshot has been reached (caught_up_at_).
  void ConsumeOnce(absl::Duration timeout);
  // Snapshot of every assigned partition's end offset, taken now: the high
  // watermark from the last fetch response, else asked of the broker (at most
  // `timeout` per partition). Partitions whose end is unknown get none (their EOF
  // counts instead).
  void TakeEndSnapshot(absl::Duration timeout);
  // True once every partition of the snapshot was read to its end offset or
  // reported EOF since the snapshot.
  bool SnapshotReached();
  void Apply(RdKafka::Message& message);
  void FollowLoop();
  // Starts reading partitions added to the topic since the assignment.
  void RefreshPartitions();

  const ChangelogReaderOptions options_;
  const std::vector<StateStore*> stores_;
  Metrics* const metrics_;
  // newsd_changelog_records_total{result} children, resolved once (null without
  // metrics): no lookup per record.
  struct RecordCounters {
    prometheus::Counter* applied = nullptr;
    prometheus::Counter* invalid = nullptr;
    prometheus::Counter* unknown_store = nullptr;
  };
  const RecordCounters records_;

  class EventCb;
  // Declared before consumer_ so that it outlives it (librdkafka calls it until close).
  std::unique_ptr<EventCb> event_cb_;
  // Consumer and partition state: the thread calling Restore, then the follower.
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool assigned_ = false;
  std::map<int32_t, bool> at_end_;  // partition → EOF reported since its last record
  // The end-offset snapshot being caught up to: partition → end offset (-1:
  // unknown, EOF needed), and the partitions that reached it.
  std::map<int32_t, int64_t> snapshot_end_;
  std::map<int32_t, bool> snapshot_reached_;
  absl::Time snapshot_time_ = absl::InfinitePast();
  int unknown_logged_ = 0;          // records of unknown stores logged so far

  std::atomic<uint64_t> applied_{0};
  mutable absl::Mutex mu_;
  absl::Time caught_up_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  std::atomic<bool> stop_{false};
  std::thread follower_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_CHANGELOG_H_
