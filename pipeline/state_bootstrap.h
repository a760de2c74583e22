// StateBootstrap: the daemon's state stores from start-up on (state_store.h,
// changelog.h).
//
// It owns the list of stores (the chain's, then the engine's held events) and the
// changelog follower that applies the changelog topic to them. At start-up, after
// the brokers answer and before the daemon joins its group, Restore():
//   1. creates the changelog topic if missing (changelog_partitions, default 6;
//      changelog_replication_factor, default the broker's; cleanup.policy=compact),
//      or warns when that fails; sets newsd_changelog_misconfigured to 1 when the
//      topic exists without cleanup.policy=compact (deletion would drop state);
//   2. restores every store from the topic (changelog_restore_timeout_ms, default
//      120 s; past it, the daemon starts anyway and the rest is applied as read);
//   3. starts following the topic on the follower's own thread.
// The readiness condition for releasing held events is caught_up_at(): an event
// held under an input partition may be released once the changelog has been read
// past that partition's assignment (a release by the previous owner is then known).
//
// Threading: Restore, UpdateGauges and caught_up_at on the daemon's loop thread;
// the follower applies records on its own thread (the stores synchronise that).
#ifndef NEWSD_PIPELINE_STATE_BOOTSTRAP_H_
#define NEWSD_PIPELINE_STATE_BOOTSTRAP_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "newsd/v1/config.pb.h"
#include "pipeline/changelog.h"
#include "pipeline/held_events.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/metrics.h"
#include "pipeline/state_store.h"

namespace newsd {

// The topic administration StateBootstrap needs (KafkaAdmin's calls; tests: a fake).
// Errors per kafka_status.h.
class ChangelogTopicAdmin {
 public:
  virtual ~ChangelogTopicAdmin() = default;
  virtual absl::StatusOr<bool> TopicExists(const std::string& topic, absl::Duration timeout) = 0;
  virtual absl::Status CreateTopic(const std::string& topic, int partitions,
                                   int replication_factor,
                                   const std::vector<std::pair<std::string, std::string>>& configs,
                                   absl::Duration timeout) = 0;
  virtual absl::StatusOr<std::string> TopicConfig(const std::string& topic,
                                                  const std::string& name,
                                                  absl::Duration timeout) = 0;
};

// ChangelogTopicAdmin through a KafkaAdmin (which must outlive it).
class KafkaChangelogTopicAdmin final : public ChangelogTopicAdmin {
 public:
  explicit KafkaChangelogTopicAdmin(const KafkaAdmin* admin) : admin_(admin) {}
  absl::StatusOr<bool> TopicExists(const std::string& topic, absl::Duration timeout) override {
    return admin_->TopicExists(topic, timeout);
  }
  absl::Status CreateTopic(const std::string& topic, int partitions, int replication_factor,
                           const std::vector<std::pair<std::string, std::string>>& configs,
                           absl::Duration timeout) override {
    return admin_->CreateTopic(topic, partitions, replication_factor, configs, timeout);
  }
  absl::StatusOr<std::string> TopicConfig(const std::string& topic, const std::string& name,
                                          absl::Duration timeout) override {
    return admin_->TopicConfig(topic, name, timeout);
  }

 private:
  const KafkaAdmin* const admin_;
};

// What StateBootstrap needs of the changelog reader (ChangelogReader's calls, with
// its contract; tests: a fake).
class ChangelogFollower {
 public:
  virtual ~ChangelogFollower() = default;
  // Reads the topic up to its end at the start. OK, kDeadlineExceeded after
  // `timeout`, kCancelled when `stop` turned true, kUnavailable without metadata.
  virtual absl::Status Restore(absl::Duration timeout, const std::atomic<bool>& stop) = 0;
  // Follows the topic on a thread of its own from where Restore stopped.
  virtual void StartFollowing() = 0;
  // The latest time T such that the topic has been read to its end offsets at T.
  virtual absl::Time caught_up_at() const = 0;
};

// Where the changelog lives and how to create and restore it.
struct StateBootstrapOptions {
  std::string topic;
  int partitions = 6;             // when the topic is created
  int replication_factor = -1;    // when created; -1: the broker's default
  absl::Duration restore_timeout = absl::Seconds(120);

  // From config.kafka().changelog_* and config.changelog_restore_timeout_ms()
  // (0 means the default); `topic` is the resolved changelog topic.
  static StateBootstrapOptions FromConfig(const v1::PipelineConfig& config, std::string topic);
};

// A random id per process start ("<16 hex digits>-<pid>"): the header of this
// process's changelog records, whose own records the follower does not re-apply.
std::string NewChangelogInstanceId();

class StateBootstrap {
 public:
  // The daemon's bootstrap: a ChangelogReader with `reader` options (topic and
  // own_instance set) over `chain_stores` then `held`. `held` and the stores (not
  // owned) must outlive it; `metrics` too (not null). Errors: ChangelogReader's.
  static absl::StatusOr<std::unique_ptr<StateBootstrap>> Create(
      StateBootstrapOptions options, const ChangelogReaderOptions& reader,
      std::vector<StateStore*> chain_stores, HeldEvents* held, Metrics* metrics);

  // Over any follower (tests). `stores` are those the follower restores, `held`
  // among them.
  StateBootstrap(StateBootstrapOptions options, std::vector<StateStore*> stores, HeldEvents* held,
                 std::unique_ptr<ChangelogFollower> follower, Metrics* metrics);

  // Steps 1-3 of the header comment; `admin` is used during the call only. False
  // if `stop` turned true during the restore (nothing is followed then).
  bool Restore(ChangelogTopicAdmin& admin, const std::atomic<bool>& stop);

  // Sets newsd_state_store_records{store,kind} of every store and newsd_held_events.
  void UpdateGauges();

  // The follower's caught_up_at() (ChangelogReader::caught_up_at).
  absl::Time caught_up_at() const { return follower_->caught_up_at(); }

  const std::vector<StateStore*>& stores() const { return stores_; }

 private:
  // Step 1: creates the topic if missing, checks its cleanup.policy.
  void EnsureTopic(ChangelogTopicAdmin& admin);

  const StateBootstrapOptions options_;
  const std::vector<StateStore*> stores_;
  HeldEvents* const held_;
  Metrics* const metrics_;
  // Last: its thread applies records to the stores above until it is destroyed.
  const std::unique_ptr<ChangelogFollower> follower_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STATE_BOOTSTRAP_H_
