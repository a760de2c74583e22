// LagMonitor: lag, topic, state and health gauges over a fake consumer, without Kafka.
#include "pipeline/lag_monitor.h"

#include <map>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace newsd {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
const TopicPartition kP0{"news.raw", 0};
const TopicPartition kP1{"news.raw", 1};

class FakeConsumerQueries : public ConsumerQueries {
 public:
  std::map<TopicPartition, Watermarks> cached;   // fetch responses
  std::map<TopicPartition, Watermarks> leaders;  // ListOffsets answers
  std::map<TopicPartition, int64_t> group;       // the group's committed offsets
  absl::Status committed_status;
  absl::StatusOr<std::vector<std::string>> topics = std::vector<std::string>{};
  bool earliest = true;
  absl::Duration refresh = absl::Seconds(30);
  absl::Duration query_delay;  // how long each QueryWatermarks takes

  std::vector<std::vector<TopicPartition>> committed_asked;
  std::vector<TopicPartition> watermarks_asked;
  int topics_asked = 0;

  Watermarks CachedWatermarks(const TopicPartition& tp) override {
    auto it = cached.find(tp);
    return it == cached.end() ? Watermarks() : it->second;
  }
  absl::StatusOr<Watermarks> QueryWatermarks(const TopicPartition& tp, absl::Duration) override {
    watermarks_asked.push_back(tp);
    absl::SleepFor(query_delay);
    auto it = leaders.find(tp);
    if (it == leaders.end()) return absl::UnavailableError("no leader");
    return it->second;
  }
  absl::StatusOr<std::vector<std::pair<TopicPartition, int64_t>>> CommittedOffsets(
      const std::vector<TopicPartition>& partitions, absl::Duration) override {
    committed_asked.push_back(partitions);
    if (!committed_status.ok()) return committed_status;
    std::vector<std::pair<TopicPartition, int64_t>> out;
    for (const TopicPartition& tp : partitions) {
      auto it = group.find(tp);
      out.emplace_back(tp, it == group.end() ? -1 : it->second);
    }
    return out;
  }
  absl::StatusOr<std::vector<std::string>> ClusterTopics(absl::Duration) override {
    ++topics_asked;
    return topics;
  }
  bool starts_at_earliest() const override { return earliest; }
  absl::Duration metadata_refresh_interval() const override { return refresh; }
};

// Whether `metrics` has a newsd_consumer_lag_messages series for `tp`.
bool HasLagSeries(const Metrics& metrics, const TopicPartition& tp) {
  for (const prometheus::MetricFamily& family : metrics.registry()->Collect()) {
    if (family.name != "newsd_consumer_lag_messages") continue;
    for (const prometheus::ClientMetric& m : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : m.label) labels[l.name] = l.value;
      if (labels["topic"] == tp.topic && labels["partition"] == std::to_string(tp.partition)) {
        return true;
      }
    }
  }
  return false;
}

class LagMonitorTest : public ::testing::Test {
 protected:
  LagMonitor::Snapshot Running() {
    LagMonitor::Snapshot s;
    s.running = true;
    s.connected = true;
    return s;
  }
  LagMonitor& monitor(LagMonitor::Options options = {}) {
    if (!monitor_) {
      monitor_ = std::make_unique<LagMonitor>(
          std::move(options), &consumer_, [this] { ++state_gauge_updates_; }, &metrics_,
          &health_);
    }
    return *monitor_;
  }
  double Lag(const TopicPartition& tp) { return metrics_.ConsumerLag(tp.topic, tp.partition).Value(); }

  FakeConsumerQueries consumer_;
  int state_gauge_updates_ = 0;
  Metrics metrics_;
  Health health_;
  std::unique_ptr<LagMonitor> monitor_;
};

TEST_F(LagMonitorTest, LagIsEndOffsetMinusTheGroupsCommittedOffset) {
  consumer_.group[kP0] = 40;
  consumer_.cached[kP0] = {10, 100};
  monitor().Assigned({kP0});
  monitor().Update(Running(), kT0);
  ASSERT_EQ(consumer_.committed_asked.size(), 1u);
  EXPECT_EQ(consumer_.committed_asked[0], (std::vector<TopicPartition>{kP0}));
  EXPECT_EQ(monitor().committed(kP0), 40);
  EXPECT_EQ(Lag(kP0), 60);
  EXPECT_TRUE(consumer_.watermarks_asked.empty());  // fetched: the cached ones do
}

TEST_F(LagMonitorTest, OwnCommitsReplaceTheFetchedOffsetWithoutAsking) {
  consumer_.group[kP0] = 40;
  consumer_.cached[kP0] = {10, 100};
  monitor().Assigned({kP0});
  monitor().Update(Running(), kT0);
  monitor().Committed(kP0, 90);
  monitor().Update(Running(), kT0 + absl::Seconds(5));
  EXPECT_EQ(consumer_.committed_asked.size(), 1u);  // known: not asked again
  EXPECT_EQ(Lag(kP0), 10);
  // A commit of a partition not assigned is ignored.
  monitor().Committed(kP1, 7);
  EXPECT_EQ(monitor().committed(kP1), std::nullopt);
}

TEST_F(LagMonitorTest, WithoutAGroupOffsetLagCountsFromTheStart) {
  consumer_.cached[kP0] = {10, 100};
  monitor().Assigned({kP0});
  monitor().Update(Running(), kT0);
  EXPECT_EQ(monitor().committed(kP0), -1);
  EXPECT_EQ(Lag(kP0), 90);  // earliest: from the low watermark
}

TEST_F(LagMonitorTest, WithoutAGroupOffsetAndLatestResetLagIsZero) {
  consumer_.earliest = false;
  consumer_.cached[kP0] = {10, 100};
  monitor().Assigned({kP0});
  monitor().Update(Running(), kT0);
  EXPECT_EQ(Lag(kP0), 0);
}

TEST_F(LagMonitorTest, PartitionsNotFetchedAreAskedFromTheirLeader) {
  consumer_.group[kP0] = 5;
  consumer_.leaders[kP0] = {0, 25};
  monitor().Assigned({kP0});
  monitor().Update(Running(), kT0);
  EXPECT_EQ(consumer_.watermarks_asked, (std::vector<TopicPartition>{kP0}));
  EXPECT_EQ(Lag(kP0), 20);
  // Watermarks only grow: a stale cached high watermark does not lower the lag.
  consumer_.cached[kP0] = {0, 15};
  monitor().Update(Running(), kT0 + absl::Seconds(1));
  EXPECT_EQ(Lag(kP0), 20);
}

TEST_F(LagMonitorTest, PausedPartitionsAreAskedEvenWithCachedWatermarks) {
  consumer_.group[kP0] = 5;
  consumer_.cached[kP0] = {0, 10};
  consumer_.leaders[kP0] = {0, 30};
  monitor().Assigned({kP0});
  LagMonitor::Snapshot paused = Running();
  paused.paused = true;
  monitor().Update(paused, kT0);
  EXPECT_EQ(consumer_.watermarks_asked.size(), 1u);
  EXPECT_EQ(Lag(kP0), 25);
}

TEST_F(LagMonitorTest, BrokersAreAskedAtMostEveryQueryIntervalAndOnlyWhenConnected) {
  monitor().Assigned({kP0});
  LagMonitor::Snapshot disconnected = Running();
  disconnected.connected = false;
  monitor().Update(disconnected, kT0);
  EXPECT_TRUE(consumer_.committed_asked.empty());
  EXPECT_TRUE(consumer_.watermarks_asked.empty());
  EXPECT_EQ(consumer_.topics_asked, 0);
  consumer_.committed_status = absl::UnavailableError("coordinator down");
  monitor().Update(Running(), kT0 + absl::Seconds(1));
  EXPECT_EQ(consumer_.committed_asked.size(), 1u);
  EXPECT_EQ(consumer_.watermarks_asked.size(), 1u);
  consumer_.committed_status = absl::OkStatus();
  monitor().Update(Running(), kT0 + absl::Seconds(5));  // 4 s later: not due
  EXPECT_EQ(consumer_.committed_asked.size(), 1u);
  EXPECT_EQ(consumer_.watermarks_asked.size(), 1u);
  EXPECT_EQ(monitor().committed(kP0), std::nullopt);
  monitor().Update(Running(), kT0 + absl::Seconds(6));
  EXPECT_EQ(consumer_.committed_asked.size(), 2u);
  EXPECT_EQ(monitor().committed(kP0), -1);
}

TEST_F(LagMonitorTest, SlowGaugesAreUpdatedAtMostEverySecond) {
  consumer_.group[kP0] = 0;
  consumer_.cached[kP0] = {0, 10};
  monitor().Assigned({kP0});
  monitor().Update(Running(), kT0);
  EXPECT_EQ(Lag(kP0), 10);
  consumer_.cached[kP0] = {0, 20};
  monitor().Update(Running(), kT0 + absl::Milliseconds(500));
  EXPECT_EQ(Lag(kP0), 10);
  monitor().Update(Running(), kT0 + absl::Seconds(1));
  EXPECT_EQ(Lag(kP0), 20);
}

TEST_F(LagMonitorTest, RevokedPartitionsLoseTheirLagSeriesAndOffsets) {
  consumer_.group[kP0] = 0;
  consumer_.group[kP1] = 0;
  consumer_.cached[kP0] = {0, 10};
  consumer_.cached[kP1] = {0, 10};
  monitor().Assigned({kP0, kP1});
  monitor().Update(Running(), kT0);
  ASSERT_TRUE(HasLagSeries(metrics_, kP0));
  monitor().Revoked({kP0});
  EXPECT_FALSE(HasLagSeries(metrics_, kP0));
  EXPECT_TRUE(HasLagSeries(metrics_, kP1));
  EXPECT_EQ(monitor().committed(kP0), std::nullopt);
  EXPECT_EQ(monitor().Assigned(), (std::vector<TopicPartition>{kP1}));
  monitor().Update(Running(), kT0 + absl::Seconds(1));
  EXPECT_FALSE(HasLagSeries(metrics_, kP0));
  // Assigned again: its offset is asked again.
  monitor().Assigned({kP0});
  monitor().Update(Running(), kT0 + absl::Seconds(5));
  ASSERT_EQ(consumer_.committed_asked.size(), 2u);
  EXPECT_EQ(consumer_.committed_asked[1], (std::vector<TopicPartition>{kP0}));
}

TEST_F(LagMonitorTest, WatermarkQueriesTakeTurnsWhenARoundRunsOutOfTime) {
  // Each query takes 600 ms: a round (about 1 s) asks two of the three unfetched
  // partitions, and the next round starts with the one left out.
  const TopicPartition p2{"news.raw", 2};
  consumer_.query_delay = absl::Milliseconds(600);
  monitor().Assigned({kP0, kP1, p2});
  monitor().Update(Running(), kT0);
  EXPECT_EQ(consumer_.watermarks_asked, (std::vector<TopicPartition>{kP0, kP1}));
  consumer_.watermarks_asked.clear();
  monitor().Update(Running(), kT0 + absl::Seconds(5));
  EXPECT_EQ(consumer_.watermarks_asked, (std::vector<TopicPartition>{p2, kP0}));
}

TEST_F(LagMonitorTest, TopicGaugesCountMissingAndSubscribedTopics) {
  LagMonitor::Options options;
  options.input_topics = {"news.raw", "news.missing"};
  options.input_topic_pattern = "^feed\\.[a-z]+$";
  consumer_.topics = std::vector<std::string>{"news.raw", "feed.ap", "feed.afp", "feed.1", "other"};
  monitor(options).Update(Running(), kT0);
  EXPECT_EQ(metrics_.input_topics_missing().Value(), 1);
  EXPECT_EQ(metrics_.input_topics_subscribed().Value(), 3);  // news.raw, feed.ap, feed.afp
  // Asked again only after topic.metadata.refresh.interval.ms.
  consumer_.topics = std::vector<std::string>{"news.raw", "news.missing"};
  monitor().Update(Running(), kT0 + absl::Seconds(29));
  EXPECT_EQ(consumer_.topics_asked, 1);
  monitor().Update(Running(), kT0 + absl::Seconds(30));
  EXPECT_EQ(consumer_.topics_asked, 2);
  EXPECT_EQ(metrics_.input_topics_missing().Value(), 0);
  EXPECT_EQ(metrics_.input_topics_subscribed().Value(), 2);
}

TEST_F(LagMonitorTest, FailedMetadataRequestKeepsTheGauges) {
  LagMonitor::Options options;
  options.input_topics = {"news.raw"};
  consumer_.topics = std::vector<std::string>{};
  monitor(options).Update(Running(), kT0);
  EXPECT_EQ(metrics_.input_topics_missing().Value(), 1);
  consumer_.topics = absl::UnavailableError("brokers down");
  monitor().Update(Running(), kT0 + absl::Seconds(30));
  EXPECT_EQ(consumer_.topics_asked, 2);
  EXPECT_EQ(metrics_.input_topics_missing().Value(), 1);
}

TEST_F(LagMonitorTest, HealthFollowsTheLoop) {
  monitor().Assigned({kP0, kP1});
  LagMonitor::Snapshot s = Running();
  s.inflight_messages = 7;
  s.producer_queue = 3;
  monitor().Update(s, kT0);
  EXPECT_TRUE(health_.ready);
  EXPECT_EQ(health_.assigned_partitions, 2);
  EXPECT_EQ(health_.ready_unix_ns, absl::ToUnixNanos(kT0));
  EXPECT_EQ(health_.heartbeat_unix_ns, absl::ToUnixNanos(kT0));
  EXPECT_EQ(metrics_.assigned_partitions().Value(), 2);
  EXPECT_EQ(metrics_.inflight().Value(), 7);
  EXPECT_EQ(metrics_.producer_queue_messages().Value(), 3);
  EXPECT_EQ(metrics_.connected().Value(), 1);

  s.connected = false;
  monitor().Update(s, kT0 + absl::Seconds(1));
  EXPECT_FALSE(health_.ready);
  EXPECT_STREQ(health_.not_ready_reason.load(), "producer not connected to a broker");
  EXPECT_EQ(metrics_.connected().Value(), 0);
  EXPECT_EQ(health_.ready_unix_ns, absl::ToUnixNanos(kT0));  // last time it was ready
  EXPECT_EQ(health_.heartbeat_unix_ns, absl::ToUnixNanos(kT0 + absl::Seconds(1)));

  s.connected = true;
  s.committer_not_ready = "aborting a transaction (its work is re-consumed)";
  monitor().Update(s, kT0 + absl::Seconds(2));
  EXPECT_FALSE(health_.ready);
  EXPECT_STREQ(health_.not_ready_reason.load(), s.committer_not_ready);

  s.running = false;  // draining
  monitor().Update(s, kT0 + absl::Seconds(3));
  EXPECT_STREQ(health_.not_ready_reason.load(), "shutting down");

  // Owning no partition does not make an instance unready.
  monitor().Revoked({kP0, kP1});
  monitor().Update(Running(), kT0 + absl::Seconds(4));
  EXPECT_TRUE(health_.ready);
  EXPECT_EQ(health_.assigned_partitions, 0);
}

TEST_F(LagMonitorTest, LagSecondsIsTheAgeOfTheOldestUncommittedMessage) {
  LagMonitor::Snapshot s = Running();
  s.oldest_queued = kT0 - absl::Seconds(12);
  monitor().Update(s, kT0);
  EXPECT_EQ(metrics_.consumer_lag_seconds().Value(), 12);
  s.oldest_queued = std::nullopt;
  monitor().Update(s, kT0 + absl::Seconds(1));
  EXPECT_EQ(metrics_.consumer_lag_seconds().Value(), 0);
  s.oldest_queued = kT0 + absl::Seconds(60);  // a timestamp in the future counts as 0
  monitor().Update(s, kT0 + absl::Seconds(2));
  EXPECT_EQ(metrics_.consumer_lag_seconds().Value(), 0);
}

TEST_F(LagMonitorTest, StateGaugesAreRefreshedAtMostOnceASecond) {
  monitor().Update(Running(), kT0);
  EXPECT_EQ(state_gauge_updates_, 1);
  monitor().Update(Running(), kT0 + absl::Milliseconds(500));
  EXPECT_EQ(state_gauge_updates_, 1);
  monitor().Update(Running(), kT0 + absl::Seconds(1));
  EXPECT_EQ(state_gauge_updates_, 2);
}

TEST_F(LagMonitorTest, ConnectionChecksAreSpacedByFiveSeconds) {
  EXPECT_TRUE(monitor().ConnectionCheckDue(kT0));
  EXPECT_FALSE(monitor().ConnectionCheckDue(kT0 + absl::Seconds(5)));
  EXPECT_TRUE(monitor().ConnectionCheckDue(kT0 + absl::Seconds(6)));
}

}  // namespace
}  // namespace newsd
