// Prometheus metrics of the daemon and the HTTP endpoint serving them.
//
// Metric names follow DESIGN.md (snake_case, base units, `_total` counters). Label
// children are looked up once per label value and cached (under a mutex); the
// per-message paths hold the children they need instead of asking here
// (message_metrics.h, ChangelogReader).
#ifndef NEWSD_PIPELINE_METRICS_H_
#define NEWSD_PIPELINE_METRICS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

class CivetServer;

namespace newsd {

struct Health;
class KafkaClientErrors;

// All metric families of the daemon, registered in one registry.
// Methods returning metric references are thread-safe and cache children.
class Metrics {
 public:
  Metrics();
  ~Metrics();

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // newsd_messages_consumed_total{topic}
  prometheus::Counter& Consumed(const std::string& topic);
  // newsd_events_published_total{topic}
  prometheus::Counter& Published(const std::string& topic);
  // newsd_dead_letters_total{stage,reason}; reason is the snake_case status code
  // ("invalid_argument").
  prometheus::Counter& DeadLetters(const std::string& stage, const std::string& reason);
  // newsd_inputs_skipped_total{stage,kind}: inputs a stage said are not articles
  // (pipeline/stage.h NotAnArticle): whole messages, and items of a multi-item
  // message whose other items were published; no event, no dead letter.
  prometheus::Counter& InputsSkipped(const std::string& stage, const std::string& kind);
  // newsd_stage_duration_seconds{stage}
  prometheus::Histogram& StageDuration(const std::string& stage);
  // newsd_consumer_lag_messages{topic,partition}
  prometheus::Gauge& ConsumerLag(const std::string& topic, int32_t partition);
  // Removes the lag series of a partition no longer assigned.
  void RemoveConsumerLag(const std::string& topic, int32_t partition);
  // newsd_article_flags_total{flag}: non-fatal findings (Article.flags: repairs,
  // limits that fired such as "truncated") over processed articles.
  prometheus::Counter& ArticleFlags(const std::string& flag);
  // newsd_commits_total{result="ok"|"error"} (AT_LEAST_ONCE offset commits)
  prometheus::Counter& Commits(bool ok);
  // newsd_transactions_total{result="committed"|"aborted"|"fatal"|"commit_retried"|
  // "producer_replaced"|"fenced"} (EXACTLY_ONCE; commit_retried: a commit_transaction
  // call that timed out, resumed; fenced: another instance took over the
  // transactional.id and this one stopped)
  prometheus::Counter& Transactions(const std::string& result);
  // newsd_outputs_refused_total{output,fallback}: outputs the producer or the broker
  // refused as too large (output: event, dead_letter, changelog, tombstone,
  // released_event), by the form the input's outputs take next (fallback: retry for
  // a batch casualty, dead_letter, dead_letter_without_value, headers_only,
  // nothing; see refused_outputs.h).
  prometheus::Counter& OutputsRefused(const std::string& output, const std::string& fallback);
  // newsd_transaction_commit_seconds: send_offsets_to_transaction + commit_transaction
  // of one exactly-once transaction (the loop waits for it).
  prometheus::Histogram& transaction_commit_seconds() { return *transaction_commit_seconds_; }
  // newsd_consumer_lag_seconds: age of the oldest consumed, uncommitted message.
  prometheus::Gauge& consumer_lag_seconds() { return *consumer_lag_seconds_; }
  // newsd_kafka_connected: 1 while the producer reaches a broker (as of the loop's
  // latest iteration; see newsd_loop_seconds_since_iteration).
  prometheus::Gauge& connected() { return *connected_; }
  // newsd_loop_seconds_since_iteration: time since the loop's latest iteration
  // (refreshed at scrape time; > 5 means it is blocked in a broker call).
  prometheus::Gauge& loop_seconds_since_iteration() { return *loop_stall_; }
  // Sets newsd_ready and newsd_loop_seconds_since_iteration from `health` at `now`.
  void SetHealth(const Health& health, absl::Time now);
  // newsd_fatal_errors_total: fatal errors (the daemon exits non-zero after one).
  prometheus::Counter& fatal_errors() { return *fatal_errors_; }

  // newsd_end_to_end_latency_seconds: Kafka timestamp of the input → broker ack of
  // the output.
  prometheus::Histogram& end_to_end_latency() { return *end_to_end_latency_; }
  // newsd_inflight_messages: consumed, not yet acknowledged.
  prometheus::Gauge& inflight() { return *inflight_; }
  // newsd_delivery_failures_total: outputs the broker did not accept (the daemon stops).
  prometheus::Counter& delivery_failures() { return *delivery_failures_; }
  // newsd_ready: 1 when /readyz answers 200.
  prometheus::Gauge& ready() { return *ready_; }
  // newsd_paused_partitions: partitions paused by backpressure.
  prometheus::Gauge& paused() { return *paused_; }
  // newsd_assigned_partitions: input partitions this instance owns (0 on an idle
  // member; readiness does not depend on it).
  prometheus::Gauge& assigned_partitions() { return *assigned_partitions_; }
  // newsd_input_topics_missing: named input topics (kafka.input_topics) absent from
  // the cluster metadata, checked every topic.metadata.refresh.interval.ms.
  prometheus::Gauge& input_topics_missing() { return *input_topics_missing_; }
  // newsd_input_topics_subscribed: topics in the cluster metadata that the
  // subscription covers (named input topics that exist, and topics matching
  // kafka.input_topic_pattern), checked with newsd_input_topics_missing.
  prometheus::Gauge& input_topics_subscribed() { return *input_topics_subscribed_; }
  // newsd_producer_queue_messages: messages in the producer's local queue (outq_len:
  // waiting to be sent or for the broker's acknowledgement).
  prometheus::Gauge& producer_queue_messages() { return *producer_queue_messages_; }
  // newsd_backpressure_waits_total{reason}: times the loop paused consumption
  // ("inflight_messages", "inflight_bytes", "producer_queue": max_inflight_messages,
  // max_inflight_bytes, max_producer_queue reached), and produce calls that waited on
  // a full local producer queue ("producer_queue_full": queue.buffering.max.messages
  // or .kbytes reached).
  prometheus::Counter& BackpressureWaits(const std::string& reason);
  // newsd_backpressure_wait_seconds_total{reason}: time spent so, same reasons (a
  // pause counts under the reason that started it).
  prometheus::Counter& BackpressureWaitSeconds(const std::string& reason);

  // State stores and the changelog topic (pipeline/state_store.h, changelog.h).
  // newsd_state_store_records{store,kind}: records held in memory.
  prometheus::Gauge& StateStoreRecords(const std::string& store, const std::string& kind);
  // newsd_changelog_records_total{result}: changelog records by what happened to
  // them: "produced" (acknowledged or committed), "applied" (replayed into a
  // store), "invalid" (a store could not parse it), "unknown_store".
  prometheus::Counter& ChangelogRecords(const std::string& result);
  // newsd_changelog_caught_up: 1 while every changelog partition has been read up
  // to an end-offset snapshot taken in the last 10 s (0 during the start-up
  // restore and when behind; ChangelogReader::caught_up_at).
  prometheus::Gauge& changelog_caught_up() { return *changelog_caught_up_; }
  // newsd_changelog_misconfigured: 1 when the changelog topic is not compacted.
  prometheus::Gauge& changelog_misconfigured() { return *changelog_misconfigured_; }
  // newsd_held_events: events held for their embargo (Story.hold_until).
  prometheus::Gauge& held_events() { return *held_events_; }
  // newsd_held_events_released_total: held events published after their embargo.
  prometheus::Counter& held_events_released() { return *held_events_released_; }
  // newsd_tombstones_published_total: null-value records for retracted stories
  // on the output topic.
  prometheus::Counter& tombstones_published() { return *tombstones_published_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* consumed_family_;
  prometheus::Family<prometheus::Counter>* published_family_;
  prometheus::Family<prometheus::Counter>* dead_letters_family_;
  prometheus::Family<prometheus::Counter>* skipped_family_;
  prometheus::Family<prometheus::Histogram>* stage_duration_family_;
  prometheus::Family<prometheus::Gauge>* lag_family_;
  prometheus::Family<prometheus::Counter>* commits_family_;
  prometheus::Family<prometheus::Counter>* transactions_family_;
  prometheus::Family<prometheus::Counter>* refused_family_;
  prometheus::Family<prometheus::Counter>* flags_family_;
  prometheus::Gauge* consumer_lag_seconds_;
  prometheus::Gauge* connected_;
  prometheus::Gauge* loop_stall_;
  prometheus::Counter* fatal_errors_;
  prometheus::Histogram* end_to_end_latency_;
  prometheus::Histogram* transaction_commit_seconds_;
  prometheus::Gauge* inflight_;
  prometheus::Counter* delivery_failures_;
  prometheus::Gauge* ready_;
  prometheus::Gauge* paused_;
  prometheus::Gauge* assigned_partitions_;
  prometheus::Gauge* input_topics_missing_;
  prometheus::Gauge* input_topics_subscribed_;
  prometheus::Gauge* producer_queue_messages_;
  prometheus::Family<prometheus::Counter>* backpressure_waits_family_;
  prometheus::Family<prometheus::Counter>* backpressure_wait_seconds_family_;
  prometheus::Family<prometheus::Gauge>* state_store_family_;
  prometheus::Family<prometheus::Counter>* changelog_family_;
  prometheus::Gauge* changelog_caught_up_;
  prometheus::Gauge* changelog_misconfigured_;
  prometheus::Gauge* held_events_;
  prometheus::Counter* held_events_released_;
  prometheus::Counter* tombstones_published_;

  absl::Mutex mu_;
  std::map<std::string, prometheus::Counter*> consumed_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> published_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> dead_letters_
      ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> skipped_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Histogram*> stage_duration_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> flags_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, int32_t>, prometheus::Gauge*> lag_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> state_store_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> changelog_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> refused_
      ABSL_GUARDED_BY(mu_);
};

// Liveness and readiness, written by the daemon's loop and read by the HTTP threads
// serving /healthz and /readyz (all fields atomic).
struct Health {
  std::atomic<bool> live{true};    // false once the daemon hit a fatal error
  // The loop's view at its latest iteration: the producer reaches a broker, the
  // daemon is running (not failed, not draining) and no transaction is being
  // aborted or resumed. Whether it owns partitions does not matter: an idle member
  // is ready to take partitions over (assigned_partitions says how many it has).
  std::atomic<bool> ready{false};
  // Input partitions assigned to this instance at the loop's latest iteration.
  std::atomic<int> assigned_partitions{0};
  // Why `ready` is false (a static string, e.g. "producer not connected").
  std::atomic<const char*> not_ready_reason{"starting"};
  // Wall-clock time of the loop's latest iteration, Unix nanoseconds; 0 until the
  // loop runs. The loop stops iterating while it waits in a broker call
  // (transaction calls wait up to transaction_call_timeout_ms).
  std::atomic<int64_t> heartbeat_unix_ns{0};
  // Wall-clock time of the loop's latest iteration at which it was ready, Unix
  // nanoseconds; 0 if never.
  std::atomic<int64_t> ready_unix_ns{0};
  // The Kafka client errors whose latest one, if it happened after the instance was
  // last ready, completes the not-ready reason; null: KafkaClientErrors::Process().
  const KafkaClientErrors* client_errors = nullptr;

  // A loop without an iteration for longer than this is reported not ready.
  static constexpr absl::Duration kStallLimit = absl::Seconds(5);

  // Readiness as /readyz reports it at `now`: "" when ready, else the reason
  // ("the loop has been blocked for 7s (a broker call: brokers slow or
  // unreachable)", "producer not connected to a broker", ...), followed by the
  // latest Kafka client error if one happened since the instance was last ready
  // ("starting: producer: Local: Authentication failure: ... (2 s ago)").
  std::string NotReadyReason(absl::Time now) const;
  // *client_errors, or KafkaClientErrors::Process().
  const KafkaClientErrors& errors() const;
  // Seconds since the loop's latest iteration at `now` (0 before it starts).
  double SecondsSinceHeartbeat(absl::Time now) const;
};

// Worker threads of the MetricsServer, and how long it waits for a connection's
// request (and for a client to read the response) before dropping the connection.
inline constexpr int kMetricsServerThreads = 64;
inline constexpr int kMetricsServerRequestTimeoutMs = 1000;

// HTTP server (civetweb) serving GET and HEAD of /metrics (Prometheus text format
// 0.0.4; the registry, newsd_kafka_client_errors_total of health->errors() and
// process_*), /healthz (200 "ok" while live, else 503) and /readyz (200 "ready" or 503
// with the reason); 404 for other paths, 405 for other methods; one request per
// connection. Silent connections are dropped after kMetricsServerRequestTimeoutMs,
// so fewer than kMetricsServerThreads of them never delay a probe. Stops when
// destroyed.
class MetricsServer {
 public:
  // Starts listening on `address` ("host:port", ":port" on all interfaces; port 0
  // picks a free port).
  // kInvalidArgument for a malformed address, kUnavailable if it cannot bind.
  // `before_scrape`, if set, runs on the HTTP thread before every /metrics
  // collection (to refresh gauges the loop cannot update while it is blocked).
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry,
      const Health* health, std::function<void()> before_scrape = nullptr);
  ~MetricsServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  class Handler;
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<CivetServer> server_;  // destroyed first: stops threads using handler_
  int port_ = 0;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_METRICS_H_
