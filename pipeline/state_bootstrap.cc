#include "pipeline/state_bootstrap.h"

#include <unistd.h>

#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/log.h"

namespace newsd {

namespace {

// ChangelogFollower over the daemon's ChangelogReader.
class ReaderFollower final : public ChangelogFollower {
 public:
  explicit ReaderFollower(std::unique_ptr<ChangelogReader> reader) : reader_(std::move(reader)) {}
  absl::Status Restore(absl::Duration timeout, const std::atomic<bool>& stop) override {
    return reader_->Restore(timeout, stop);
  }
  void StartFollowing() override { reader_->StartFollowing(); }
  absl::Time caught_up_at() const override { return reader_->caught_up_at(); }

 private:
  const std::unique_ptr<ChangelogReader> reader_;
};

}  // namespace

StateBootstrapOptions StateBootstrapOptions::FromConfig(const v1::PipelineConfig& config,
                                                        std::string topic) {
  const v1::KafkaConfig& kafka = config.kafka();
  StateBootstrapOptions options;
  options.topic = std::move(topic);
  if (kafka.changelog_replication_factor() > 0) {
    options.replication_factor = static_cast<int>(kafka.changelog_replication_factor());
  }
  if (kafka.changelog_partitions() > 0) {
    options.partitions = static_cast<int>(kafka.changelog_partitions());
  }
  if (config.changelog_restore_timeout_ms() > 0) {
    options.restore_timeout = absl::Milliseconds(config.changelog_restore_timeout_ms());
  }
  return options;
}

std::string NewChangelogInstanceId() {
  std::random_device random;
  return absl::StrCat(absl::Hex(random(), absl::kZeroPad8), absl::Hex(random(), absl::kZeroPad8),
                      "-", getpid());
}

absl::StatusOr<std::unique_ptr<StateBootstrap>> StateBootstrap::Create(
    StateBootstrapOptions options, const ChangelogReaderOptions& reader,
    std::vector<StateStore*> chain_stores, HeldEvents* held, Metrics* metrics) {
  std::vector<StateStore*> stores = std::move(chain_stores);
  stores.push_back(held);
  absl::StatusOr<std::unique_ptr<ChangelogReader>> changelog =
      ChangelogReader::Create(reader, stores, metrics);
  if (!changelog.ok()) return changelog.status();
  return std::make_unique<StateBootstrap>(
      std::move(options), std::move(stores), held,
      std::make_unique<ReaderFollower>(*std::move(changelog)), metrics);
}

StateBootstrap::StateBootstrap(StateBootstrapOptions options, std::vector<StateStore*> stores,
                               HeldEvents* held, std::unique_ptr<ChangelogFollower> follower,
                               Metrics* metrics)
    : options_(std::move(options)),
      stores_(std::move(stores)),
      held_(held),
      metrics_(metrics),
      follower_(std::move(follower)) {}

void StateBootstrap::EnsureTopic(ChangelogTopicAdmin& admin) {
  const std::string& topic = options_.topic;
  // Compaction keeps the latest record per key; deleted keys' tombstones stay for
  // delete.retention.ms (Kafka's default, one day) so that readers see them.
  absl::StatusOr<bool> exists = admin.TopicExists(topic, absl::Seconds(10));
  absl::Status s = exists.status();
  if (s.ok() && !*exists) {
    s = admin.CreateTopic(topic, options_.partitions, options_.replication_factor,
                          {{"cleanup.policy", "compact"}}, absl::Seconds(10));
    if (s.ok()) {
      Log(LogLevel::kInfo, absl::StrCat("created the changelog topic ", topic, " (",
                                        options_.partitions, " partitions, cleanup.policy=compact)"));
    }
  }
  if (!s.ok()) {
    Log(LogLevel::kWarning,
        absl::StrCat("changelog topic ", topic, ": ", s.message(),
                     " (create it with cleanup.policy=compact, or the state grows without bound)"));
  } else if (absl::StatusOr<std::string> policy =
                 admin.TopicConfig(topic, "cleanup.policy", absl::Seconds(10));
             policy.ok() && !absl::StrContains(*policy, "compact")) {
    // Time- or size-based deletion would silently drop state (held embargoed
    // events included) that no newer record replaces.
    Log(LogLevel::kError,
        absl::StrCat("changelog topic ", topic, " has cleanup.policy=", *policy,
                     ": records the broker deletes are lost state (held embargoed events "
                     "included); set cleanup.policy=compact on it"));
    metrics_->changelog_misconfigured().Set(1);
  }
}

bool StateBootstrap::Restore(ChangelogTopicAdmin& admin, const std::atomic<bool>& stop) {
  EnsureTopic(admin);
  absl::Status restored = follower_->Restore(options_.restore_timeout, stop);
  if (restored.code() == absl::StatusCode::kCancelled) return false;
  if (!restored.ok()) {
    Log(LogLevel::kWarning, absl::StrCat(restored.message(),
                                         "; starting anyway, the rest is applied as it is read"));
  }
  UpdateGauges();
  follower_->StartFollowing();
  return true;
}

void StateBootstrap::UpdateGauges() {
  for (const StateStore* store : stores_) {
    for (const auto& [kind, n] : store->Sizes()) {
      metrics_->StateStoreRecords(std::string(store->name()), kind).Set(n);
    }
  }
  metrics_->held_events().Set(static_cast<double>(held_->size()));
}

}  // namespace newsd
