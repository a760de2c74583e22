// StateBootstrap with a fake topic admin and a fake changelog follower (no broker).
#include "pipeline/state_bootstrap.h"

#include <unistd.h>

#include <atomic>
#include <deque>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

class FakeAdmin : public ChangelogTopicAdmin {
 public:
  absl::StatusOr<bool> TopicExists(const std::string& topic, absl::Duration) override {
    calls.push_back("exists " + topic);
    return exists;
  }
  absl::Status CreateTopic(const std::string& topic, int partitions, int replication_factor,
                           const std::vector<std::pair<std::string, std::string>>& configs,
                           absl::Duration) override {
    std::string call = absl::StrCat("create ", topic, " ", partitions, " ", replication_factor);
    for (const auto& [name, value] : configs) absl::StrAppend(&call, " ", name, "=", value);
    calls.push_back(call);
    return create;
  }
  absl::StatusOr<std::string> TopicConfig(const std::string& topic, const std::string& name,
                                          absl::Duration) override {
    calls.push_back(absl::StrCat("config ", topic, " ", name));
    return policy;
  }

  absl::StatusOr<bool> exists = true;
  absl::Status create;
  absl::StatusOr<std::string> policy = std::string("compact");
  std::vector<std::string> calls;
};

class FakeFollower : public ChangelogFollower {
 public:
  // The stores the fake restores into (a record for `store` on Restore).
  FakeFollower(std::vector<std::string>* calls, StateStore* store) : calls_(calls), store_(store) {}
  absl::Status Restore(absl::Duration timeout, const std::atomic<bool>&) override {
    calls_->push_back(absl::StrCat("restore ", absl::FormatDuration(timeout)));
    if (restore_record) {
      v1::HeldEvent held;
      held.mutable_event()->mutable_article()->set_id("a1");
      held.mutable_release_at()->set_seconds(2000000000);
      held.set_input_topic("news.raw");
      store_->Restore("a1", held.SerializeAsString()).IgnoreError();
    }
    return restored;
  }
  void StartFollowing() override { calls_->push_back("follow"); }
  absl::Time caught_up_at() const override { return caught_up; }

  absl::Status restored;
  bool restore_record = true;
  absl::Time caught_up = absl::InfinitePast();

 private:
  std::vector<std::string>* const calls_;
  StateStore* const store_;
};

class StateBootstrapTest : public ::testing::Test {
 protected:
  std::unique_ptr<StateBootstrap> Make(StateBootstrapOptions options) {
    auto follower = std::make_unique<FakeFollower>(&admin_.calls, &held_);
    follower_ = follower.get();
    return std::make_unique<StateBootstrap>(std::move(options), std::vector<StateStore*>{&held_},
                                            &held_, std::move(follower), &metrics_);
  }
  static StateBootstrapOptions Options() {
    StateBootstrapOptions options;
    options.topic = "newsd.changelog";
    return options;
  }

  Metrics metrics_;
  HeldEvents held_;
  FakeAdmin admin_;
  FakeFollower* follower_ = nullptr;
  std::atomic<bool> stop_{false};
};

TEST_F(StateBootstrapTest, OptionsFromConfigKeepTheDefaults) {
  v1::PipelineConfig config;
  StateBootstrapOptions options = StateBootstrapOptions::FromConfig(config, "t");
  EXPECT_EQ(options.topic, "t");
  EXPECT_EQ(options.partitions, 6);
  EXPECT_EQ(options.replication_factor, -1);
  EXPECT_EQ(options.restore_timeout, absl::Seconds(120));

  config.mutable_kafka()->set_changelog_partitions(12);
  config.mutable_kafka()->set_changelog_replication_factor(3);
  config.set_changelog_restore_timeout_ms(2500);
  options = StateBootstrapOptions::FromConfig(config, "t");
  EXPECT_EQ(options.partitions, 12);
  EXPECT_EQ(options.replication_factor, 3);
  EXPECT_EQ(options.restore_timeout, absl::Milliseconds(2500));
}

TEST_F(StateBootstrapTest, CreatesAMissingTopicCompactedThenRestoresAndFollows) {
  admin_.exists = false;
  StateBootstrapOptions options = Options();
  options.partitions = 3;
  options.replication_factor = 2;
  options.restore_timeout = absl::Seconds(7);
  std::unique_ptr<StateBootstrap> bootstrap = Make(options);
  EXPECT_TRUE(bootstrap->Restore(admin_, stop_));
  EXPECT_EQ(admin_.calls, (std::vector<std::string>{
                              "exists newsd.changelog",
                              "create newsd.changelog 3 2 cleanup.policy=compact",
                              "config newsd.changelog cleanup.policy", "restore 7s", "follow"}));
  EXPECT_EQ(metrics_.changelog_misconfigured().Value(), 0);
  // The gauges are set after the restore.
  EXPECT_EQ(metrics_.held_events().Value(), 1);
  EXPECT_EQ(metrics_.StateStoreRecords("held", "events").Value(), 1);
}

TEST_F(StateBootstrapTest, AnExistingTopicIsNotCreated) {
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  EXPECT_TRUE(bootstrap->Restore(admin_, stop_));
  EXPECT_EQ(admin_.calls, (std::vector<std::string>{"exists newsd.changelog",
                                                    "config newsd.changelog cleanup.policy",
                                                    "restore 2m", "follow"}));
}

TEST_F(StateBootstrapTest, ATopicWithoutCompactionIsFlagged) {
  admin_.policy = std::string("delete");
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  EXPECT_TRUE(bootstrap->Restore(admin_, stop_));
  EXPECT_EQ(metrics_.changelog_misconfigured().Value(), 1);
}

TEST_F(StateBootstrapTest, CompactAndDeleteIsCompacted) {
  admin_.policy = std::string("compact,delete");
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  EXPECT_TRUE(bootstrap->Restore(admin_, stop_));
  EXPECT_EQ(metrics_.changelog_misconfigured().Value(), 0);
}

TEST_F(StateBootstrapTest, AdminErrorsOnlyWarnAndTheRestoreGoesOn) {
  admin_.exists = absl::UnavailableError("no broker");
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  EXPECT_TRUE(bootstrap->Restore(admin_, stop_));
  // No config check after a failed lookup.
  EXPECT_EQ(admin_.calls,
            (std::vector<std::string>{"exists newsd.changelog", "restore 2m", "follow"}));

  admin_.calls.clear();
  admin_.exists = false;
  admin_.create = absl::PermissionDeniedError("not authorized");
  std::unique_ptr<StateBootstrap> second = Make(Options());
  EXPECT_TRUE(second->Restore(admin_, stop_));
  EXPECT_EQ(admin_.calls, (std::vector<std::string>{
                              "exists newsd.changelog",
                              "create newsd.changelog 6 -1 cleanup.policy=compact",
                              "restore 2m", "follow"}));
  EXPECT_EQ(metrics_.changelog_misconfigured().Value(), 0);
}

TEST_F(StateBootstrapTest, ARestoreThatTimesOutStartsAnyway) {
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  follower_->restored = absl::DeadlineExceededError("restore timed out");
  EXPECT_TRUE(bootstrap->Restore(admin_, stop_));
  EXPECT_EQ(admin_.calls.back(), "follow");
  EXPECT_EQ(metrics_.held_events().Value(), 1);
}

TEST_F(StateBootstrapTest, AStoppedRestoreNeitherFollowsNorSetsGauges) {
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  follower_->restored = absl::CancelledError("stopped");
  metrics_.held_events().Set(-1);
  EXPECT_FALSE(bootstrap->Restore(admin_, stop_));
  EXPECT_EQ(admin_.calls.back(), "restore 2m");
  EXPECT_EQ(metrics_.held_events().Value(), -1);
}

TEST_F(StateBootstrapTest, UpdateGaugesCountsEveryStoreAndTheHeldEvents) {
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  v1::HeldEvent held;
  held.mutable_event()->mutable_article()->set_id("b2");
  held_.Hold(held);
  bootstrap->UpdateGauges();
  EXPECT_EQ(metrics_.held_events().Value(), 1);
  EXPECT_EQ(metrics_.StateStoreRecords("held", "events").Value(), 1);
  EXPECT_EQ(bootstrap->stores(), (std::vector<StateStore*>{&held_}));
}

TEST_F(StateBootstrapTest, CaughtUpAtIsTheFollowers) {
  std::unique_ptr<StateBootstrap> bootstrap = Make(Options());
  EXPECT_EQ(bootstrap->caught_up_at(), absl::InfinitePast());
  follower_->caught_up = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(bootstrap->caught_up_at(), absl::FromUnixSeconds(1700000000));
}

TEST(NewChangelogInstanceIdTest, RandomHexThenThePid) {
  const std::string a = NewChangelogInstanceId();
  const std::string b = NewChangelogInstanceId();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.find('-'), 16u);
  EXPECT_EQ(a.substr(17), std::to_string(getpid()));
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), 16u);
}

}  // namespace
}  // namespace newsd
