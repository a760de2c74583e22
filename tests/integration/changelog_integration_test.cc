// The changelog restore on a real Kafka broker while other instances keep writing:
// a new instance restores what was there when it started and joins, instead of
// waiting until every changelog partition happens to be at its end at once (which
// under a steady stream of state changes took up to the 120 s restore cap).
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "pipeline/changelog.h"
#include "pipeline/cli_tools.h"
#include "pipeline/kafka_admin.h"
#include "pipeline/kafka_sink.h"
#include "tests/integration/testing.h"

namespace newsd {
namespace {

// Remembers the keys it restored.
class KeySetStore : public StateStore {
 public:
  absl::string_view name() const override { return "keys"; }
  absl::Status Restore(absl::string_view key, std::optional<absl::string_view>) override {
    absl::MutexLock lock(&mu_);
    keys_.insert(std::string(key));
    return absl::OkStatus();
  }
  std::vector<std::pair<std::string, double>> Sizes() const override {
    absl::MutexLock lock(&mu_);
    return {{"keys", static_cast<double>(keys_.size())}};
  }
  bool Has(const std::string& key) const {
    absl::MutexLock lock(&mu_);
    return keys_.count(key) > 0;
  }

 private:
  mutable absl::Mutex mu_;
  std::set<std::string> keys_;
};

TEST(ChangelogIntegrationTest, RestoreFinishesWhileOtherInstancesKeepWriting) {
  const std::string topic =
      absl::StrCat("cl.changelog.", getpid(), "-", absl::ToUnixMillis(absl::Now()));
  KafkaSinkOptions options;
  options.brokers = Bootstrap();
  options.properties = {{"linger.ms", "1"}};
  std::atomic<int> written{0};
  std::atomic<bool> stop{false};
  absl::StatusOr<std::unique_ptr<KafkaSink>> writer = KafkaSink::Create(
      options, [&](KafkaSink::DeliveryReport r) {
        if (r.status.ok()) written.fetch_add(1);
      });
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(KafkaAdmin((*writer)->handle())
                  .CreateTopic(topic, 6, -1, {{"cleanup.policy", "compact"}}, absl::Seconds(30))
                  .ok());
  // 20,000 records first, then a steady stream to every partition (another instance
  // recording state changes while its input flows).
  auto produce = [&](int i) {
    OutboundMessage m;
    m.topic = topic;
    m.key = absl::StrCat("keys/k", i);
    m.value = std::string(200, 'v');
    m.partition = i % 6;
    return (*writer)->Produce(m, nullptr);
  };
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(produce(i).ok());
  ASSERT_TRUE((*writer)->Flush(absl::Seconds(60)).ok());
  ASSERT_EQ(written.load(), 20000);
  // The stream: another instance's transactions (read_committed readers see them
  // at each commit, every 20 ms), a few thousand records a second in all.
  KafkaSinkOptions txn_options = options;
  txn_options.transactional_id = "cl-writer-" + topic;
  absl::StatusOr<std::unique_ptr<KafkaSink>> txn_writer =
      KafkaSink::Create(txn_options, [](KafkaSink::DeliveryReport) {});
  ASSERT_TRUE(txn_writer.ok()) << txn_writer.status();
  ASSERT_TRUE((*txn_writer)->InitTransactions(absl::Seconds(30)).ok());
  std::atomic<int> streamed{20000};
  std::thread stream([&] {
    while (!stop.load()) {
      if (!(*txn_writer)->BeginTransaction().ok()) return;
      const absl::Time until = absl::Now() + absl::Milliseconds(20);
      while (absl::Now() < until) {
        OutboundMessage m;
        m.topic = topic;
        const int i = streamed.fetch_add(1);
        m.key = absl::StrCat("keys/k", i);
        m.value = std::string(200, 'v');
        m.partition = i % 6;
        (*txn_writer)->Produce(m, nullptr).IgnoreError();
        absl::SleepFor(absl::Microseconds(200));
      }
      if (!(*txn_writer)->CommitTransaction(absl::Seconds(10)).ok()) return;
    }
  });
  absl::SleepFor(absl::Seconds(2));  // the stream is flowing

  KeySetStore store;
  ChangelogReaderOptions reader_options;
  reader_options.brokers = Bootstrap();
  reader_options.topic = topic;
  absl::StatusOr<std::unique_ptr<ChangelogReader>> reader =
      ChangelogReader::Create(reader_options, {&store}, nullptr);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const int before = written.load();  // the first 20,000, all committed
  std::atomic<bool> never{false};
  const absl::Time start = absl::Now();
  const absl::Status restored = (*reader)->Restore(absl::Seconds(30), never);
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(restored.ok()) << restored << " (" << (*reader)->applied() << " applied)";
  EXPECT_LT(took, absl::Seconds(20));
  // Everything written before the restore started is in the store.
  for (int i = 0; i < before; i += 97) EXPECT_TRUE(store.Has(absl::StrCat("k", i))) << i;
  EXPECT_TRUE(store.Has(absl::StrCat("k", before - 1)));

  // Following: caught_up_at() keeps moving while the stream flows.
  (*reader)->StartFollowing();
  const absl::Time followed = absl::Now();
  const absl::Time deadline = followed + absl::Seconds(20);
  while ((*reader)->caught_up_at() <= followed && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_GT((*reader)->caught_up_at(), followed) << "the follower never caught up";
  stop = true;
  stream.join();
  std::cout << "restore under a steady stream: " << absl::FormatDuration(took) << ", "
            << (*reader)->applied() << " records applied\n";
}

}  // namespace
}  // namespace newsd
