// The daemon loop against librdkafka's in-process mock cluster (the real-broker
// version is tests/integration/). Uses test stages, not the NLP stages.
#include "pipeline/daemon.h"

#include <librdkafka/rdkafkacpp.h>

#include <functional>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/cli_tools.h"
#include "pipeline/config.h"
#include "pipeline/embedded_cluster.h"
#include "pipeline/stage_registry.h"

namespace newsd {
namespace {

using ::testing::Contains;
using ::testing::Pair;

class EchoStage : public Stage {
 public:
  absl::string_view name() const override { return "test_echo"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (ctx.payload_is_null) return absl::InvalidArgumentError("null value (tombstone)");
    if (absl::StartsWith(ctx.payload, "BAD")) return absl::InvalidArgumentError("bad payload");
    // "A|B" is a feed of two items: fan out.
    std::vector<std::string> parts = absl::StrSplit(ctx.payload, '|');
    article.set_text(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) {
      v1::Article& more = ctx.more_articles->emplace_back();
      *more.mutable_source() = article.source();
      more.set_id(absl::StrCat(article.id(), "#", i));
      more.set_text(parts[i]);
    }
    return absl::OkStatus();
  }
};
const StageRegistration kEcho("test_echo", [](const v1::StageConfig&) -> absl::StatusOr<StagePtr> {
  return StagePtr(new EchoStage());
});

// Inputs that are not articles: a null value (kind "tombstone") and "SKIP ..."
// (kind "test_kind") are skipped; "MIXED X" publishes its article and reports one
// skipped item (kind "test_item"); anything else is an article.
class SkipStage : public Stage {
 public:
  absl::string_view name() const override { return "test_skip"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (ctx.payload_is_null) return NotAnArticle("tombstone", "null value (tombstone)");
    if (absl::StartsWith(ctx.payload, "SKIP")) return NotAnArticle("test_kind", "not news");
    if (absl::StartsWith(ctx.payload, "MIXED") && ctx.skipped_items != nullptr) {
      ctx.skipped_items->push_back(NotAnArticle("test_item", "an item that is not news"));
    }
    article.set_text(std::string(ctx.payload));
    return absl::OkStatus();
  }
};
const StageRegistration kSkipStage("test_skip",
                                   [](const v1::StageConfig&) -> absl::StatusOr<StagePtr> {
                                     return StagePtr(new SkipStage());
                                   });

// A stateful test stage (store "test_seen") driven by the payload:
//   "remember X"  records X in the store (one state change);
//   "check X"     text "known X" if X is in the store, else "unknown X";
//   "hold MS X"   Story.hold_until = processing time + MS milliseconds;
//   "kill X"      story X, retracted.
class SeenStore : public StateStore {
 public:
  absl::string_view name() const override { return "test_seen"; }
  absl::Status Restore(absl::string_view key, std::optional<absl::string_view> value) override {
    absl::MutexLock lock(&mu_);
    if (value) {
      seen_.insert(std::string(key));
    } else {
      seen_.erase(std::string(key));
    }
    return absl::OkStatus();
  }
  std::vector<std::pair<std::string, double>> Sizes() const override {
    absl::MutexLock lock(&mu_);
    return {{"keys", static_cast<double>(seen_.size())}};
  }
  bool Contains(absl::string_view key) const {
    absl::MutexLock lock(&mu_);
    return seen_.count(std::string(key)) > 0;
  }

 private:
  mutable absl::Mutex mu_;
  std::set<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

class StateStage : public Stage {
 public:
  absl::string_view name() const override { return "test_state"; }
  bool reads_payload() const override { return true; }
  StateStore* state_store() const override { return &store_; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    std::vector<std::string> words = absl::StrSplit(ctx.payload, ' ');
    if (words.size() < 2) return absl::InvalidArgumentError("expected a command");
    article.set_text(std::string(ctx.payload));
    article.mutable_story()->set_story_id(words.back());
    if (words[0] == "remember") {
      store_.Restore(words[1], "1").IgnoreError();
      if (ctx.state_changes) ctx.state_changes->push_back({"test_seen", words[1], "1"});
    } else if (words[0] == "check") {
      article.set_text(absl::StrCat(store_.Contains(words[1]) ? "known " : "unknown ", words[1]));
    } else if (words[0] == "hold" && words.size() == 3) {
      int ms = 0;
      if (!absl::SimpleAtoi(words[1], &ms)) return absl::InvalidArgumentError("hold MS X");
      const absl::Time until = ctx.now + absl::Milliseconds(ms);
      article.mutable_story()->mutable_hold_until()->set_seconds(absl::ToUnixSeconds(until));
    } else if (words[0] == "kill") {
      article.mutable_story()->set_retracted(true);
    }
    return absl::OkStatus();
  }

 private:
  mutable SeenStore store_;
};
const StageRegistration kState("test_state",
                               [](const v1::StageConfig&) -> absl::StatusOr<StagePtr> {
                                 return StagePtr(new StateStage());
                               });

// "SLOW" sleeps 3 s inside the stage (a poison pill for the time budget).
class SlowStage : public Stage {
 public:
  absl::string_view name() const override { return "test_slow"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (ctx.payload == "SLOW") absl::SleepFor(absl::Seconds(3));
    article.set_text(std::string(ctx.payload));
    return absl::OkStatus();
  }
};
const StageRegistration kSlow("test_slow", [](const v1::StageConfig&) -> absl::StatusOr<StagePtr> {
  return StagePtr(new SlowStage());
});

// "WAIT" blocks inside the stage until the gate opens (at most 60 s): the message
// stays in flight and its partition's committed offset stuck behind it.
std::atomic<bool> gate_open{false};
class GateStage : public Stage {
 public:
  absl::string_view name() const override { return "test_gate"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    const absl::Time until = absl::Now() + absl::Seconds(60);
    while (ctx.payload == "WAIT" && !gate_open.load() && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    article.set_text(std::string(ctx.payload));
    return absl::OkStatus();
  }
};
const StageRegistration kGate("test_gate", [](const v1::StageConfig&) -> absl::StatusOr<StagePtr> {
  return StagePtr(new GateStage());
});

const std::string* Header(const ConsumedRecord& r, absl::string_view name) {
  return FindHeader(r.headers, name);
}

std::map<int32_t, int64_t> CommittedOffsets(const std::string& brokers, const std::string& group,
                                            const std::string& topic, int partitions) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", brokers, err);
  conf->set("group.id", group, err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> tps;
  for (int p = 0; p < partitions; ++p) tps.push_back(RdKafka::TopicPartition::create(topic, p));
  c->committed(tps, 10000);
  std::map<int32_t, int64_t> out;
  for (auto* tp : tps) out[tp->partition()] = tp->offset();
  RdKafka::TopicPartition::destroy(tps);
  c->close();
  return out;
}

// An embedded cluster with topics "in" (`partitions`), "out", "dlq" and "changelog"
// (the mock cluster does not implement CreateTopics).
std::unique_ptr<EmbeddedCluster> ClusterWithTopics(int partitions) {
  auto cluster = EmbeddedCluster::Start(1);
  if (!cluster.ok()) return nullptr;
  if (!(*cluster)->CreateTopic("in", partitions).ok() ||
      !(*cluster)->CreateTopic("out", 3).ok() || !(*cluster)->CreateTopic("dlq", 1).ok() ||
      !(*cluster)->CreateTopic("changelog", 2).ok()) {
    return nullptr;
  }
  return *std::move(cluster);
}

// "article i" messages to "in" for i in [first, first + count).
std::vector<OutboundMessage> Articles(int first, int count) {
  std::vector<OutboundMessage> input;
  for (int i = first; i < first + count; ++i) {
    OutboundMessage m;
    m.topic = "in";
    m.value = absl::StrCat("article ", i);
    input.push_back(std::move(m));
  }
  return input;
}

// in → out / dlq through the test_echo stage, for consumer group `group`.
v1::PipelineConfig TestConfig(const std::string& brokers, const std::string& group,
                              v1::DeliveryMode delivery) {
  v1::PipelineConfig config = DefaultConfig();
  config.mutable_kafka()->set_brokers(brokers);
  config.mutable_kafka()->set_group_id(group);
  config.mutable_kafka()->clear_input_topics();
  config.mutable_kafka()->add_input_topics("in");
  config.mutable_kafka()->set_output_topic("out");
  config.mutable_kafka()->set_dead_letter_topic("dlq");
  config.mutable_kafka()->set_changelog_topic("changelog");
  config.set_delivery(delivery);
  config.clear_stages();
  config.add_stages()->set_name("test_echo");
  return config;
}

// A daemon running `config` (its own chain, metrics and health) on a thread until
// Stop() or destruction. ok() is false if the chain or the daemon could not be
// created (error() says why).
class RunningDaemon {
 public:
  explicit RunningDaemon(const v1::PipelineConfig& config) {
    absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(config.stages());
    if (!chain.ok()) {
      error_ = chain.status();
      return;
    }
    chain_ = *std::move(chain);
    absl::StatusOr<std::unique_ptr<Daemon>> daemon =
        Daemon::Create(config, chain_.get(), &metrics, &health);
    if (!daemon.ok()) {
      error_ = daemon.status();
      return;
    }
    daemon_ = *std::move(daemon);
    loop_ = std::thread([this] { run_status_ = daemon_->Run(stop_); });
  }
  ~RunningDaemon() { Stop().IgnoreError(); }
  bool ok() const { return daemon_ != nullptr; }
  const absl::Status& error() const { return error_; }
  Daemon& daemon() { return *daemon_; }
  // Stops the loop and returns what Run returned.
  absl::Status Stop() {
    stop_ = true;
    if (loop_.joinable()) loop_.join();
    return run_status_;
  }
  // Waits up to `timeout` until `published` events were published to "out".
  void AwaitPublished(double published, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (metrics.Published("out").Value() < published && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  Metrics metrics;
  Health health;

 private:
  absl::Status error_;
  std::unique_ptr<Chain> chain_;
  std::unique_ptr<Daemon> daemon_;
  std::atomic<bool> stop_{false};
  absl::Status run_status_;
  std::thread loop_;
};

// Runs in both delivery modes. The mock cluster does not store offsets committed
// through transactions (TxnOffsetCommit), so the committed-offset checks run in
// AT_LEAST_ONCE only here; tests/integration checks them for EXACTLY_ONCE on a real
// broker.
class DaemonModeTest : public ::testing::TestWithParam<v1::DeliveryMode> {};

TEST_P(DaemonModeTest, PublishesEventsAndDeadLettersInOrderAndCommits) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(2);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();

  std::vector<OutboundMessage> input;
  int bad = 0, fanned = 0;
  for (int i = 0; i < 200; ++i) {
    OutboundMessage m;
    m.topic = "in";
    m.key = absl::StrCat("k", i % 7);
    if (i % 25 == 3) {
      m.value = absl::StrCat("BAD ", i);
      m.headers = {{"trace", absl::StrCat("t", i)}};
      ++bad;
    } else if (i == 100) {
      m.value.reset();  // tombstone
      ++bad;
    } else if (i % 50 == 7) {
      m.value = absl::StrCat("article ", i, "|article ", i, " second item");
      ++fanned;
    } else {
      m.value = absl::StrCat("article ", i);
    }
    input.push_back(std::move(m));
  }
  ASSERT_TRUE(ProduceAll(brokers, input).ok());

  v1::PipelineConfig config = TestConfig(brokers, "daemon-test", GetParam());
  config.set_worker_threads(4);
  config.set_commit_interval_ms(100);
  config.set_max_inflight_messages(16);  // exercises pause/resume and the bound
  config.set_transaction_max_messages(25);
  ASSERT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);

  RunningDaemon running(config);
  ASSERT_TRUE(running.ok()) << running.error();
  Metrics& metrics = running.metrics;
  Health& health = running.health;

  std::vector<ConsumedRecord> events, dead;
  double peak_inflight = 0;
  ASSERT_TRUE(ConsumeAll(brokers, {"out", "dlq"}, input.size() + fanned, absl::Seconds(30),
                         [&](const ConsumedRecord& r) {
                           (r.topic == "dlq" ? dead : events).push_back(r);
                           peak_inflight = std::max(peak_inflight, metrics.inflight().Value());
                         })
                  .ok());
  // Bounded by max_inflight_messages (+1: the one message a paused poll may return).
  EXPECT_LE(peak_inflight, 16 + 1);
  EXPECT_TRUE(health.ready.load());
  const absl::Status run_status = running.Stop();
  ASSERT_TRUE(run_status.ok()) << run_status;
  EXPECT_EQ(running.daemon().state(), Daemon::State::kStopped);

  // Exactly one output per input, two for the fanned-out ones.
  ASSERT_EQ(events.size() + dead.size(), input.size() + fanned);
  EXPECT_EQ(dead.size(), static_cast<size_t>(bad));

  // Events: parseable, keyed by article id, with provenance; per input partition the
  // source offsets appear in increasing order within each output partition.
  std::set<std::pair<int32_t, int64_t>> sources;
  std::map<std::pair<int32_t, int32_t>, int64_t> last_offset;  // (out p, in p) → offset
  for (const ConsumedRecord& r : events) {
    ASSERT_NE(Header(r, "schema"), nullptr);
    EXPECT_EQ(*Header(r, "schema"), "newsd.v1.ArticleEvent");
    EXPECT_EQ(*Header(r, "content-type"), "application/x-protobuf");
    v1::ArticleEvent e;
    ASSERT_TRUE(e.ParseFromString(*r.value));
    const v1::Source& s = e.article().source();
    EXPECT_EQ(s.topic(), "in");
    EXPECT_TRUE(absl::StartsWith(e.article().text(), "article "));
    EXPECT_EQ(*r.key, e.article().id());
    const bool second_item = absl::EndsWith(e.article().text(), "second item");
    EXPECT_EQ(second_item, absl::StrContains(e.article().id(), "#1"));
    if (second_item) continue;
    EXPECT_TRUE(sources.emplace(s.partition(), s.offset()).second) << "duplicate event";
    auto key = std::make_pair(r.partition, s.partition());
    if (last_offset.count(key)) {
      EXPECT_GT(s.offset(), last_offset[key]);
    }
    last_offset[key] = s.offset();
  }

  // Dead letters: original bytes and headers plus the error headers.
  bool saw_tombstone = false;
  for (const ConsumedRecord& r : dead) {
    ASSERT_NE(Header(r, "newsd.errors.stage"), nullptr);
    EXPECT_EQ(*Header(r, "newsd.errors.stage"), "test_echo");
    EXPECT_EQ(*Header(r, "newsd.errors.code"), "INVALID_ARGUMENT");
    EXPECT_EQ(*Header(r, "__connect.errors.topic"), "in");
    ASSERT_NE(Header(r, "__connect.errors.offset"), nullptr);
    ASSERT_NE(Header(r, "__connect.errors.partition"), nullptr);
    if (!r.value) {
      saw_tombstone = true;
      EXPECT_EQ(*Header(r, "__connect.errors.exception.message"), "null value (tombstone)");
    } else {
      EXPECT_TRUE(absl::StartsWith(*r.value, "BAD ")) << *r.value;
      ASSERT_NE(Header(r, "trace"), nullptr);  // original headers kept
      EXPECT_EQ(*Header(r, "trace"), "t" + r.value->substr(4));
      EXPECT_EQ(*Header(r, "__connect.errors.exception.message"), "bad payload");
    }
  }
  EXPECT_TRUE(saw_tombstone);

  // Committed offsets are at the end of every input partition.
  if (GetParam() == v1::AT_LEAST_ONCE) {
    std::map<int32_t, int64_t> committed = CommittedOffsets(brokers, "daemon-test", "in", 2);
    int64_t total = 0;
    for (const auto& [p, o] : committed) total += o;
    EXPECT_EQ(total, static_cast<int64_t>(input.size()));
  } else {
    EXPECT_GT(metrics.Transactions("committed").Value(), 0);
    EXPECT_EQ(metrics.Transactions("aborted").Value(), 0);
  }

  // Metrics agree: consumed = published + dead letters.
  EXPECT_EQ(metrics.Consumed("in").Value(), 200);
  EXPECT_EQ(sources.size() + fanned, events.size());
  EXPECT_EQ(metrics.Published("out").Value(), static_cast<double>(events.size()));
  EXPECT_EQ(metrics.DeadLetters("test_echo", "invalid_argument").Value(),
            static_cast<double>(dead.size()));
  EXPECT_FALSE(health.ready.load());  // stopped
}

INSTANTIATE_TEST_SUITE_P(Modes, DaemonModeTest,
                         ::testing::Values(v1::AT_LEAST_ONCE, v1::EXACTLY_ONCE),
                         [](const auto& info) { return v1::DeliveryMode_Name(info.param); });

// Inputs that are not articles produce nothing (no event, no dead letter), are
// counted by kind and committed in order with the others.
TEST_P(DaemonModeTest, InputsThatAreNotArticlesAreSkippedCountedAndCommitted) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(2);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  std::vector<OutboundMessage> input;
  int articles = 0, skipped = 0, tombstones = 0, mixed = 0;
  for (int i = 0; i < 60; ++i) {
    OutboundMessage m;
    m.topic = "in";
    m.key = absl::StrCat("k", i % 5);
    if (i % 10 == 3) {
      m.value = absl::StrCat("SKIP ", i);
      ++skipped;
    } else if (i % 10 == 6) {
      m.value.reset();  // a compaction tombstone
      ++tombstones;
    } else if (i % 10 == 8) {
      m.value = absl::StrCat("MIXED ", i);
      ++mixed;
      ++articles;
    } else {
      m.value = absl::StrCat("article ", i);
      ++articles;
    }
    input.push_back(std::move(m));
  }
  ASSERT_TRUE(ProduceAll(brokers, input).ok());

  v1::PipelineConfig config = TestConfig(brokers, "skip-test", GetParam());
  config.clear_stages();
  config.add_stages()->set_name("test_skip");
  config.set_worker_threads(4);
  config.set_commit_interval_ms(100);
  config.set_transaction_max_messages(10);
  ASSERT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
  RunningDaemon running(config);
  ASSERT_TRUE(running.ok()) << running.error();
  Metrics& metrics = running.metrics;

  std::vector<std::string> texts;
  ASSERT_TRUE(ConsumeAll(brokers, {"out"}, articles, absl::Seconds(30),
                         [&](const ConsumedRecord& r) {
                           v1::ArticleEvent e;
                           ASSERT_TRUE(e.ParseFromString(*r.value));
                           texts.push_back(e.article().text());
                         })
                  .ok());
  EXPECT_EQ(texts.size(), static_cast<size_t>(articles));
  for (const std::string& t : texts) {
    EXPECT_TRUE(absl::StartsWith(t, "article ") || absl::StartsWith(t, "MIXED ")) << t;
  }
  // Counted (exactly-once: when their transaction commits) and, at least once,
  // committed: the offsets pass the skipped inputs.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  auto done = [&] {
    if (metrics.InputsSkipped("test_skip", "tombstone").Value() < tombstones ||
        metrics.InputsSkipped("test_skip", "test_kind").Value() < skipped ||
        metrics.InputsSkipped("test_skip", "test_item").Value() < mixed ||
        metrics.inflight().Value() != 0) {  // every offset acknowledged
      return false;
    }
    if (GetParam() != v1::AT_LEAST_ONCE) return true;
    int64_t total = 0;
    for (const auto& [p, o] : CommittedOffsets(brokers, "skip-test", "in", 2)) total += o;
    return total == static_cast<int64_t>(input.size());
  };
  while (!done() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(100));
  EXPECT_TRUE(done());
  ASSERT_TRUE(running.Stop().ok());

  EXPECT_EQ(metrics.Consumed("in").Value(), 60);
  EXPECT_EQ(metrics.Published("out").Value(), articles);
  EXPECT_EQ(metrics.InputsSkipped("test_skip", "tombstone").Value(), tombstones);
  EXPECT_EQ(metrics.InputsSkipped("test_skip", "test_kind").Value(), skipped);
  EXPECT_EQ(metrics.InputsSkipped("test_skip", "test_item").Value(), mixed);
  EXPECT_EQ(metrics.DeadLetters("test_skip", "invalid_argument").Value(), 0);
  size_t dead_letters = 0;
  ASSERT_TRUE(ConsumeAll(brokers, {"dlq"}, 1, absl::Seconds(2),
                         [&](const ConsumedRecord&) { ++dead_letters; })
                  .ok());
  EXPECT_EQ(dead_letters, 0u);
  if (GetParam() == v1::EXACTLY_ONCE) {
    EXPECT_GT(metrics.Transactions("committed").Value(), 0);
    EXPECT_EQ(metrics.Transactions("aborted").Value(), 0);
  }
}

TEST(DaemonTest, RestartResumesFromCommittedOffsets) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  v1::PipelineConfig config = TestConfig(brokers, "restart-test", v1::AT_LEAST_ONCE);
  // The mock cluster does not shorten a rebalance when a member leaves: keep the
  // session short so the restarted member is assigned quickly.
  (*config.mutable_kafka()->mutable_consumer_properties())["session.timeout.ms"] = "6000";
  (*config.mutable_kafka()->mutable_consumer_properties())["heartbeat.interval.ms"] = "500";

  auto run_once = [&](int first, int count) {
    ASSERT_TRUE(ProduceAll(brokers, Articles(first, count)).ok());
    RunningDaemon running(config);
    ASSERT_TRUE(running.ok()) << running.error();
    running.AwaitPublished(count, absl::Seconds(30));
    EXPECT_TRUE(running.Stop().ok());
    // The second run consumes only the new messages: nothing is reprocessed.
    EXPECT_EQ(running.metrics.Consumed("in").Value(), count);
    EXPECT_EQ(running.metrics.Published("out").Value(), count);
  };
  run_once(0, 30);
  run_once(30, 20);
  EXPECT_THAT(CommittedOffsets(brokers, "restart-test", "in", 1), Contains(Pair(0, 50)));
}

// A commit_transaction that times out (here: the coordinator answers EndTxn after
// 2.5 s, the call gives up after 0.5 s) may only be resumed; librdkafka rejects any
// other transaction call (send_offsets_to_transaction, abort_transaction) as a
// conflict until it finishes. The daemon resumes it, then goes on: every input is
// published exactly once and nothing is aborted.
TEST(DaemonTest, CommitThatTimesOutIsResumed) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  ASSERT_TRUE(ProduceAll(brokers, Articles(0, 30)).ok());
  v1::PipelineConfig config = TestConfig(brokers, "commit-timeout", v1::EXACTLY_ONCE);
  config.set_transaction_call_timeout_ms(500);
  constexpr int16_t kEndTxn = 26;
  cluster->DelayRequests(kEndTxn, 1, absl::Milliseconds(2500));
  RunningDaemon running(config);
  ASSERT_TRUE(running.ok()) << running.error();

  std::set<std::string> texts;
  size_t records = 0;
  auto consume = [&](size_t expected) {
    texts.clear();
    records = 0;
    return ConsumeAll(brokers, {"out", "dlq"}, expected, absl::Seconds(20),
                      [&](const ConsumedRecord& r) {
                        ++records;
                        v1::ArticleEvent e;
                        if (r.value && e.ParseFromString(*r.value)) texts.insert(e.article().text());
                      });
  };
  ASSERT_TRUE(consume(30).ok());
  EXPECT_EQ(records, 30u);
  EXPECT_EQ(texts.size(), 30u);
  // The daemon keeps flowing after the resumed commit.
  ASSERT_TRUE(ProduceAll(brokers, Articles(30, 10)).ok());
  ASSERT_TRUE(consume(40).ok());
  const absl::Status run_status = running.Stop();
  ASSERT_TRUE(run_status.ok()) << run_status;
  EXPECT_EQ(records, 40u);
  EXPECT_EQ(texts.size(), 40u) << "lost or duplicated inputs";
  EXPECT_GE(running.metrics.Transactions("commit_retried").Value(), 1);
  EXPECT_EQ(running.metrics.Transactions("aborted").Value(), 0);
  EXPECT_EQ(running.metrics.Transactions("fatal").Value(), 0);
}

// A fatal producer error that is not another instance's doing (here the broker
// answers EndTxn with INVALID_TXN_STATE, as a restarted broker did in an outage
// test) replaces the producer instead of stopping the daemon.
TEST(DaemonTest, FatalProducerErrorReplacesTheProducer) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  ASSERT_TRUE(ProduceAll(brokers, Articles(0, 30)).ok());
  v1::PipelineConfig config = TestConfig(brokers, "producer-fatal", v1::EXACTLY_ONCE);
  constexpr int16_t kEndTxn = 26, kInvalidTxnState = 48;
  cluster->FailRequests(kEndTxn, 1, kInvalidTxnState);
  RunningDaemon running(config);
  ASSERT_TRUE(running.ok()) << running.error();
  ASSERT_TRUE(ProduceAll(brokers, Articles(30, 10)).ok());

  // Every input comes out. (The mock cluster does not hide the records of aborted
  // transactions from read_committed readers, so duplicates cannot be judged here:
  // the fault suite on a real broker does that.)
  std::set<std::string> texts;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (texts.size() < 40 && absl::Now() < deadline) {
    texts.clear();
    ASSERT_TRUE(ConsumeAll(brokers, {"out", "dlq"}, 1000, absl::Seconds(2),
                           [&](const ConsumedRecord& r) {
                             v1::ArticleEvent e;
                             if (r.value && e.ParseFromString(*r.value)) {
                               texts.insert(e.article().text());
                             }
                           })
                    .ok());
  }
  EXPECT_EQ(texts.size(), 40u) << "lost inputs";
  const absl::Status run_status = running.Stop();
  ASSERT_TRUE(run_status.ok()) << run_status;
  EXPECT_EQ(running.metrics.Transactions("producer_replaced").Value(), 1);
  EXPECT_EQ(running.metrics.fatal_errors().Value(), 0);
  EXPECT_GE(running.metrics.Transactions("committed").Value(), 1);
}

// Two members of one group on a one-partition topic: one owns the partition, the
// other owns nothing. Both are ready (connected, running): an idle member must not
// hold up a rollout; newsd_assigned_partitions tells them apart.
TEST(DaemonTest, AMemberWithoutPartitionsIsReady) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  v1::PipelineConfig config = TestConfig(brokers, "idle-member-test", v1::AT_LEAST_ONCE);
  // The mock cluster reassigns a departed member's partition only after its session
  // times out (45 s by default).
  (*config.mutable_kafka()->mutable_consumer_properties())["session.timeout.ms"] = "6000";
  RunningDaemon first(config);
  ASSERT_TRUE(first.ok()) << first.error();
  RunningDaemon second(config);
  ASSERT_TRUE(second.ok()) << second.error();

  // Wait until the group has settled: the partition owned by exactly one member,
  // for a few consecutive checks.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  int settled = 0;
  while (settled < 10 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
    const int a = first.health.assigned_partitions.load();
    const int b = second.health.assigned_partitions.load();
    settled = a + b == 1 ? settled + 1 : 0;
  }
  ASSERT_EQ(settled, 10) << "the group did not settle with one owner";
  RunningDaemon& idle = first.health.assigned_partitions.load() == 0 ? first : second;
  RunningDaemon& owner = &idle == &first ? second : first;
  EXPECT_EQ(idle.metrics.assigned_partitions().Value(), 0);
  EXPECT_EQ(owner.metrics.assigned_partitions().Value(), 1);
  for (RunningDaemon* d : {&idle, &owner}) {
    EXPECT_EQ(d->health.NotReadyReason(absl::Now()), "") << (d == &idle ? "idle" : "owner");
    EXPECT_EQ(d->metrics.ready().Value(), 1);
  }

  // The idle member still takes work: after the owner leaves, it gets the partition
  // and publishes what the owner left.
  ASSERT_TRUE(ProduceAll(brokers, Articles(0, 5)).ok());
  ASSERT_TRUE(owner.Stop().ok());
  auto published = [&] {
    return idle.metrics.Published("out").Value() + owner.metrics.Published("out").Value();
  };
  const absl::Time until = absl::Now() + absl::Seconds(60);
  while ((published() < 5 || idle.health.assigned_partitions.load() != 1) &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(published(), 5);
  EXPECT_EQ(idle.health.assigned_partitions.load(), 1);
  EXPECT_EQ(idle.metrics.assigned_partitions().Value(), 1);
  ASSERT_TRUE(idle.Stop().ok());
  EXPECT_EQ(idle.health.assigned_partitions.load(), 0);  // left the group
  EXPECT_NE(idle.health.NotReadyReason(absl::Now()), "");  // stopped
}

// A missing input topic must not stop the others.
TEST(DaemonTest, MissingInputTopicDoesNotStopTheOthers) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  ASSERT_TRUE(ProduceAll(brokers, Articles(0, 20)).ok());
  v1::PipelineConfig config = TestConfig(brokers, "missing-topic-test", v1::AT_LEAST_ONCE);
  config.mutable_kafka()->add_input_topics("no.such.topic");
  RunningDaemon running(config);
  ASSERT_TRUE(running.ok()) << running.error();
  running.AwaitPublished(20, absl::Seconds(30));
  const absl::Status run_status = running.Stop();
  EXPECT_TRUE(run_status.ok()) << run_status;
  EXPECT_EQ(running.metrics.Published("out").Value(), 20);
}

// State through the changelog topic: a held event is published only after its
// time, and by a restarted instance if the first stopped before that; a retracted
// story gets a tombstone; a restarted instance knows what the first recorded.
// AT_LEAST_ONCE only: the mock cluster drops offsets committed in transactions,
// so a restarted EXACTLY_ONCE instance would re-consume everything here
// (tests/integration/story_integration_test.cc covers both modes on a real broker).
TEST(DaemonStateTest, HeldEventsTombstonesAndRestoredState) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  v1::PipelineConfig config = TestConfig(brokers, "state-test", v1::AT_LEAST_ONCE);
  config.clear_stages();
  config.add_stages()->set_name("test_state");
  (*config.mutable_kafka()->mutable_consumer_properties())["session.timeout.ms"] = "6000";
  (*config.mutable_kafka()->mutable_consumer_properties())["heartbeat.interval.ms"] = "500";
  ASSERT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
  auto message = [](const std::string& value) {
    OutboundMessage m;
    m.topic = "in";
    m.value = value;
    return m;
  };
  auto outputs = [&](size_t n) {
    std::vector<ConsumedRecord> out;
    EXPECT_TRUE(ConsumeAll(brokers, {"out"}, n, absl::Seconds(3),
                           [&](const ConsumedRecord& r) { out.push_back(r); })
                    .ok());
    return out;
  };
  auto text_of = [](const ConsumedRecord& r) {
    v1::ArticleEvent e;
    if (!r.value) return std::string("<tombstone ") + r.key.value_or("") + ">";
    EXPECT_TRUE(e.ParseFromString(*r.value));
    return e.article().text();
  };
  // Texts of the outputs; the output topic has 3 partitions, so only the order
  // within a partition (one key) is defined.
  auto texts = [&](const std::vector<ConsumedRecord>& out) {
    std::vector<std::string> t;
    for (const ConsumedRecord& r : out) t.push_back(text_of(r));
    return t;
  };
  using ::testing::UnorderedElementsAre;

  // First instance.
  {
    RunningDaemon running(config);
    ASSERT_TRUE(running.ok()) << running.error();
    Metrics& metrics = running.metrics;
    // s9 is held, then killed: the held version must never be published.
    ASSERT_TRUE(ProduceAll(brokers, {message("remember alpha"), message("hold 2000 h1"),
                                     message("kill s1"), message("hold 600000 h2"),
                                     message("hold 600000 s9"), message("kill s9")})
                    .ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (metrics.Published("out").Value() < 3 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    // remember + kills published (with the kills' tombstones); h1 and h2 held.
    std::vector<ConsumedRecord> out = outputs(5);
    ASSERT_EQ(out.size(), 5u);
    EXPECT_THAT(texts(out), UnorderedElementsAre("remember alpha", "kill s1", "<tombstone s1>",
                                                 "kill s9", "<tombstone s9>"));
    for (const ConsumedRecord& r : out) {
      if (r.value) continue;
      ASSERT_NE(Header(r, "newsd.tombstone"), nullptr);
      EXPECT_EQ(*Header(r, "newsd.tombstone"), "retracted");
      for (const ConsumedRecord& kill : out) {  // the tombstone follows the kill event
        if (kill.value && kill.key == r.key) {
          EXPECT_EQ(kill.partition, r.partition);
          EXPECT_LT(kill.offset, r.offset);
        }
      }
    }
    absl::SleepFor(absl::Seconds(1));
    EXPECT_EQ(metrics.held_events().Value(), 2);
    // h1 is released after its 2 s.
    while (metrics.held_events_released().Value() < 1 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    EXPECT_EQ(metrics.held_events_released().Value(), 1);
    out = outputs(6);
    ASSERT_EQ(out.size(), 6u);
    EXPECT_THAT(texts(out), UnorderedElementsAre("remember alpha", "kill s1", "<tombstone s1>",
                                                 "kill s9", "<tombstone s9>", "hold 2000 h1"));
    EXPECT_GT(metrics.ChangelogRecords("produced").Value(), 0);
    EXPECT_TRUE(running.Stop().ok());
  }

  // Second instance, new stores: restored from the changelog.
  {
    RunningDaemon running(config);
    ASSERT_TRUE(running.ok()) << running.error();
    Metrics& metrics = running.metrics;
    ASSERT_TRUE(ProduceAll(brokers, {message("check alpha"), message("check beta")}).ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (metrics.Published("out").Value() < 2 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    std::vector<ConsumedRecord> out = outputs(8);
    ASSERT_EQ(out.size(), 8u);
    EXPECT_THAT(texts(out), UnorderedElementsAre("remember alpha", "kill s1", "<tombstone s1>",
                                                 "kill s9", "<tombstone s9>", "hold 2000 h1",
                                                 "known alpha", "unknown beta"));
    // h2 (10 minutes) is still held here, restored; h1 (released) and s9 (its
    // story killed) are not held again.
    EXPECT_EQ(metrics.held_events().Value(), 1);
    EXPECT_EQ(metrics.StateStoreRecords("held", "events").Value(), 1);
    EXPECT_EQ(metrics.StateStoreRecords("test_seen", "keys").Value(), 1);
    EXPECT_EQ(metrics.changelog_caught_up().Value(), 1);
    EXPECT_TRUE(running.Stop().ok());
  }
}

// A message stuck in a stage past the time budget is dead-lettered, the rest
// flows, and shutdown neither waits for the stuck worker nor leaves it touching
// the destroyed daemon (it is detached; the chain stays alive).
TEST(DaemonTest, StuckWorkerIsDetachedAtShutdown) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  v1::PipelineConfig config = TestConfig(brokers, "slow-test", v1::AT_LEAST_ONCE);
  config.clear_stages();
  config.add_stages()->set_name("test_slow");
  config.set_worker_threads(2);
  config.set_message_time_budget_ms(300);
  std::vector<OutboundMessage> input = Articles(0, 1);
  input.front().value = "SLOW";
  for (OutboundMessage& m : Articles(1, 5)) input.push_back(std::move(m));
  ASSERT_TRUE(ProduceAll(brokers, input).ok());
  // Never destroyed: a detached worker may still be inside a stage of it (a static
  // pointer, so LeakSanitizer sees it reachable).
  static const Chain* const chain = Chain::Create(config.stages())->release();
  const int detached_before = Daemon::DetachedWorkers();
  Metrics metrics;
  Health health;
  auto daemon = Daemon::Create(config, chain, &metrics, &health);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  std::atomic<bool> stop{false};
  std::thread loop([&] { ASSERT_TRUE((*daemon)->Run(stop).ok()); });
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (metrics.Published("out").Value() < 5 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(metrics.Published("out").Value(), 5);
  EXPECT_EQ(metrics.DeadLetters("chain", "deadline_exceeded").Value(), 1);
  stop = true;
  loop.join();
  // The stuck worker still sleeps (3 s from its start): shutdown detaches it.
  const absl::Time start = absl::Now();
  daemon->reset();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(Daemon::DetachedWorkers(), detached_before + 1);
}

// Waits up to `timeout` until `value()` == `want`; returns the last value seen.
double AwaitValue(const std::function<double()>& value, double want, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  double v = value();
  while (v != want && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    v = value();
  }
  return v;
}

// newsd_consumer_lag_messages = end offset − committed offset for every assigned
// partition, also while nothing has been committed yet (the start is the log start
// offset, auto.offset.reset=earliest) and while the committed offset is stuck
// behind a message in flight. Issue 20 item 7: it stayed 0 then (exactly-once:
// nothing is committed before the first transaction).
TEST_P(DaemonModeTest, ConsumerLagCountsFromTheCommittedOffsetOrTheLogStart) {
  std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(2);
  ASSERT_NE(cluster, nullptr);
  const std::string brokers = cluster->bootstrap();
  // Partition 0: "WAIT" then 9 more; partition 1: 6 that one worker never reaches
  // while it waits (nothing of partition 1 is processed or committed).
  std::vector<OutboundMessage> input;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < (p == 0 ? 10 : 6); ++i) {
      OutboundMessage m;
      m.topic = "in";
      m.partition = p;
      m.value = i == 0 ? "WAIT" : absl::StrCat("article ", p, "-", i);
      input.push_back(std::move(m));
    }
  }
  ASSERT_TRUE(ProduceAll(brokers, input).ok());
  gate_open = false;
  v1::PipelineConfig config =
      TestConfig(brokers, absl::StrCat("lag-test-", GetParam()), GetParam());
  config.clear_stages();
  config.add_stages()->set_name("test_gate");
  config.set_worker_threads(1);
  config.set_message_time_budget_ms(60000);
  RunningDaemon running(config);
  ASSERT_TRUE(running.ok()) << running.error();
  auto lag = [&](int32_t p) { return [&running, p] {
    return running.metrics.ConsumerLag("in", p).Value(); }; };
  EXPECT_EQ(AwaitValue(lag(0), 10, absl::Seconds(20)), 10) << "stuck at offset 0 of 10";
  EXPECT_EQ(AwaitValue(lag(1), 6, absl::Seconds(10)), 6) << "nothing processed of 6";
  EXPECT_EQ(running.metrics.Published("out").Value(), 0);
  // More input while stuck: the end offset moves, the lag with it.
  std::vector<OutboundMessage> more = Articles(100, 5);
  for (OutboundMessage& m : more) m.partition = 0;
  ASSERT_TRUE(ProduceAll(brokers, more).ok());
  EXPECT_EQ(AwaitValue(lag(0), 15, absl::Seconds(20)), 15);
  gate_open = true;
  running.AwaitPublished(21, absl::Seconds(30));
  EXPECT_EQ(AwaitValue(lag(0), 0, absl::Seconds(20)), 0) << "all committed";
  EXPECT_EQ(AwaitValue(lag(1), 0, absl::Seconds(20)), 0) << "all committed";
  EXPECT_TRUE(running.Stop().ok());
  EXPECT_EQ(running.metrics.Published("out").Value(), 21);
}

// Backpressure is visible: a slow broker (produce requests answered after 300 ms)
// and a tiny max_producer_queue pause consumption (newsd_backpressure_waits_total
// {reason="producer_queue"}) with messages in the producer queue
// (newsd_producer_queue_messages); a tiny local queue (queue.buffering.max.messages)
// makes produce calls wait ({reason="producer_queue_full"}).
TEST(DaemonTest, BackpressureWaitsAndProducerQueueAreCounted) {
  for (const bool local_queue_full : {false, true}) {
    SCOPED_TRACE(local_queue_full ? "queue.buffering.max.messages=1" : "max_producer_queue=2");
    std::unique_ptr<EmbeddedCluster> cluster = ClusterWithTopics(1);
    ASSERT_NE(cluster, nullptr);
    const std::string brokers = cluster->bootstrap();
    ASSERT_TRUE(ProduceAll(brokers, Articles(0, 20)).ok());
    v1::PipelineConfig config = TestConfig(brokers, "backpressure-test", v1::AT_LEAST_ONCE);
    if (local_queue_full) {
      (*config.mutable_kafka()->mutable_producer_properties())["queue.buffering.max.messages"] =
          "1";
    } else {
      config.set_max_producer_queue(2);
    }
    constexpr int16_t kProduce = 0;
    cluster->DelayRequests(kProduce, 6, absl::Milliseconds(300));
    RunningDaemon running(config);
    ASSERT_TRUE(running.ok()) << running.error();
    double max_queue = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (running.metrics.Published("out").Value() < 20 && absl::Now() < deadline) {
      max_queue = std::max(max_queue, running.metrics.producer_queue_messages().Value());
      absl::SleepFor(absl::Milliseconds(5));
    }
    EXPECT_TRUE(running.Stop().ok());
    EXPECT_EQ(running.metrics.Published("out").Value(), 20);
    EXPECT_GE(max_queue, 1);
    const std::string reason = local_queue_full ? "producer_queue_full" : "producer_queue";
    EXPECT_GE(running.metrics.BackpressureWaits(reason).Value(), 1);
    EXPECT_GT(running.metrics.BackpressureWaitSeconds(reason).Value(), 0.1);
    EXPECT_EQ(running.metrics.producer_queue_messages().Value(), 0);
  }
}

}  // namespace
}  // namespace newsd
