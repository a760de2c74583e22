#include "pipeline/metrics.h"

#include <CivetServer.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/config.h"
#include "pipeline/kafka_client_errors.h"
#include "pipeline/process_metrics.h"
#include "prometheus/text_serializer.h"

namespace newsd {
namespace {

// Seconds buckets from 100 µs to 60 s, roughly ×2.5 apart.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  consumed_family_ = &prometheus::BuildCounter()
                          .Name("newsd_messages_consumed_total")
                          .Help("Raw messages consumed from the input topics.")
                          .Register(r);
  published_family_ = &prometheus::BuildCounter()
                           .Name("newsd_events_published_total")
                           .Help("ArticleEvents acknowledged by the broker, by output topic.")
                           .Register(r);
  dead_letters_family_ = &prometheus::BuildCounter()
                              .Name("newsd_dead_letters_total")
                              .Help("Messages sent to the dead-letter topic and acknowledged, "
                                    "by failing stage and status code.")
                              .Register(r);
  skipped_family_ = &prometheus::BuildCounter()
                         .Name("newsd_inputs_skipped_total")
                         .Help("Inputs that are not articles (a tombstone, a NewsML-G2 "
                               "conceptItem ...), skipped without an event or a dead letter, "
                               "by skipping stage and kind of input.")
                         .Register(r);
  stage_duration_family_ = &prometheus::BuildHistogram()
                                .Name("newsd_stage_duration_seconds")
                                .Help("Wall time of one stage on one article.")
                                .Register(r);
  lag_family_ = &prometheus::BuildGauge()
                     .Name("newsd_consumer_lag_messages")
                     .Help("End offset (high watermark) minus the group's committed offset "
                           "(the log start offset where none is committed yet), per assigned "
                           "partition.")
                     .Register(r);
  commits_family_ = &prometheus::BuildCounter()
                         .Name("newsd_commits_total")
                         .Help("Offset commits, by result.")
                         .Register(r);
  transactions_family_ = &prometheus::BuildCounter()
                              .Name("newsd_transactions_total")
                              .Help("Kafka transactions (exactly-once mode), by result.")
                              .Register(r);
  for (const char* result : {"committed", "aborted", "fatal"}) {
    transactions_family_->Add({{"result", result}});
  }
  flags_family_ = &prometheus::BuildCounter()
                       .Name("newsd_article_flags_total")
                       .Help("Non-fatal findings on processed articles (Article.flags), e.g. "
                             "truncated, invalid_utf8_replaced.")
                       .Register(r);
  consumer_lag_seconds_ = &prometheus::BuildGauge()
                               .Name("newsd_consumer_lag_seconds")
                               .Help("Age of the oldest consumed message not yet committed.")
                               .Register(r)
                               .Add({});
  connected_ = &prometheus::BuildGauge()
                    .Name("newsd_kafka_connected")
                    .Help("1 while the producer reaches a broker.")
                    .Register(r)
                    .Add({});
  fatal_errors_ = &prometheus::BuildCounter()
                       .Name("newsd_fatal_errors_total")
                       .Help("Fatal errors; the daemon exits non-zero after one.")
                       .Register(r)
                       .Add({});
  end_to_end_latency_ = &prometheus::BuildHistogram()
                             .Name("newsd_end_to_end_latency_seconds")
                             .Help("Input Kafka timestamp to broker acknowledgement of the output.")
                             .Register(r)
                             .Add({}, LatencyBuckets());
  transaction_commit_seconds_ = &prometheus::BuildHistogram()
                                     .Name("newsd_transaction_commit_seconds")
                                     .Help("Time to send the offsets and commit one exactly-once "
                                           "transaction.")
                                     .Register(r)
                                     .Add({}, LatencyBuckets());
  inflight_ = &prometheus::BuildGauge()
                   .Name("newsd_inflight_messages")
                   .Help("Messages consumed whose output is not yet acknowledged.")
                   .Register(r)
                   .Add({});
  delivery_failures_ = &prometheus::BuildCounter()
                            .Name("newsd_delivery_failures_total")
                            .Help("Outputs the broker did not accept; the daemon stops "
                                  "without committing them.")
                            .Register(r)
                            .Add({});
  ready_ = &prometheus::BuildGauge()
                .Name("newsd_ready")
                .Help("1 when /readyz answers 200: running, a connected producer, "
                      "no transaction being aborted or resumed, the loop not blocked.")
                .Register(r)
                .Add({});
  loop_stall_ = &prometheus::BuildGauge()
                     .Name("newsd_loop_seconds_since_iteration")
                     .Help("Seconds since the daemon's loop last iterated (refreshed at "
                           "scrape time); above 5 it is blocked in a broker call.")
                     .Register(r)
                     .Add({});
  paused_ = &prometheus::BuildGauge()
                 .Name("newsd_paused_partitions")
                 .Help("Partitions paused by backpressure (too many in-flight messages).")
                 .Register(r)
                 .Add({});
  assigned_partitions_ = &prometheus::BuildGauge()
                              .Name("newsd_assigned_partitions")
                              .Help("Input partitions assigned to this instance (0: an idle "
                                    "member, still ready to take partitions over).")
                              .Register(r)
                              .Add({});
  input_topics_missing_ = &prometheus::BuildGauge()
                              .Name("newsd_input_topics_missing")
                              .Help("Named input topics (kafka.input_topics) that do not exist "
                                    "in the cluster metadata.")
                              .Register(r)
                              .Add({});
  input_topics_subscribed_ = &prometheus::BuildGauge()
                                 .Name("newsd_input_topics_subscribed")
                                 .Help("Existing topics the subscription covers (named input "
                                       "topics and kafka.input_topic_pattern matches).")
                                 .Register(r)
                                 .Add({});
  producer_queue_messages_ = &prometheus::BuildGauge()
                                 .Name("newsd_producer_queue_messages")
                                 .Help("Messages in the producer's local queue, not yet "
                                       "acknowledged by the broker (outq_len).")
                                 .Register(r)
                                 .Add({});
  backpressure_waits_family_ = &prometheus::BuildCounter()
                                    .Name("newsd_backpressure_waits_total")
                                    .Help("Consumption pauses for backpressure and produce calls "
                                          "that waited on a full producer queue, by reason.")
                                    .Register(r);
  backpressure_wait_seconds_family_ = &prometheus::BuildCounter()
                                           .Name("newsd_backpressure_wait_seconds_total")
                                           .Help("Seconds spent paused for backpressure or "
                                                 "waiting on a full producer queue, by reason.")
                                           .Register(r);
  state_store_family_ = &prometheus::BuildGauge()
                             .Name("newsd_state_store_records")
                             .Help("Records held in memory by a state store, by kind "
                                   "(the story index: guids, stories, signatures, ...).")
                             .Register(r);
  refused_family_ = &prometheus::BuildCounter()
                         .Name("newsd_outputs_refused_total")
                         .Help("Outputs refused as too large (message.max.bytes of the "
                               "producer or max.message.bytes of the topic), by output and "
                               "by the smaller form the input's outputs take next.")
                         .Register(r);
  changelog_family_ = &prometheus::BuildCounter()
                           .Name("newsd_changelog_records_total")
                           .Help("Changelog topic records: produced, applied (replayed into a "
                                 "store), invalid, unknown_store.")
                           .Register(r);
  for (const char* result : {"produced", "applied", "invalid", "unknown_store"}) {
    changelog_[result] = &changelog_family_->Add({{"result", result}});
  }
  changelog_caught_up_ = &prometheus::BuildGauge()
                              .Name("newsd_changelog_caught_up")
                              .Help("1 while every changelog partition has been read up to "
                                    "an end-offset snapshot taken in the last 10 s.")
                              .Register(r)
                              .Add({});
  changelog_misconfigured_ = &prometheus::BuildGauge()
                                  .Name("newsd_changelog_misconfigured")
                                  .Help("1 when the changelog topic's cleanup.policy is not "
                                        "compact (state may be deleted by the broker).")
                                  .Register(r)
                                  .Add({});
  held_events_ = &prometheus::BuildGauge()
                      .Name("newsd_held_events")
                      .Help("Events held until their embargo passes.")
                      .Register(r)
                      .Add({});
  held_events_released_ = &prometheus::BuildCounter()
                               .Name("newsd_held_events_released_total")
                               .Help("Held events published after their embargo passed.")
                               .Register(r)
                               .Add({});
  tombstones_published_ = &prometheus::BuildCounter()
                               .Name("newsd_tombstones_published_total")
                               .Help("Tombstones (null values, key = story id) published on "
                                     "the output topic for retracted stories.")
                               .Register(r)
                               .Add({});
  prometheus::BuildGauge()
      .Name("newsd_build_info")
      .Help("Always 1; labels carry the build version.")
      .Register(r)
      .Add({{"version", NEWSD_VERSION}})
      .Set(1);
}

Metrics::~Metrics() = default;

prometheus::Gauge& Metrics::StateStoreRecords(const std::string& store, const std::string& kind) {
  absl::MutexLock lock(&mu_);
  auto& g = state_store_[{store, kind}];
  if (!g) g = &state_store_family_->Add({{"store", store}, {"kind", kind}});
  return *g;
}

prometheus::Counter& Metrics::OutputsRefused(const std::string& output,
                                             const std::string& fallback) {
  absl::MutexLock lock(&mu_);
  auto& c = refused_[{output, fallback}];
  if (!c) c = &refused_family_->Add({{"output", output}, {"fallback", fallback}});
  return *c;
}

prometheus::Counter& Metrics::ChangelogRecords(const std::string& result) {
  absl::MutexLock lock(&mu_);
  auto& c = changelog_[result];
  if (!c) c = &changelog_family_->Add({{"result", result}});
  return *c;
}

prometheus::Counter& Metrics::Consumed(const std::string& topic) {
  absl::MutexLock lock(&mu_);
  auto& c = consumed_[topic];
  if (!c) c = &consumed_family_->Add({{"topic", topic}});
  return *c;
}

prometheus::Counter& Metrics::Published(const std::string& topic) {
  absl::MutexLock lock(&mu_);
  auto& c = published_[topic];
  if (!c) c = &published_family_->Add({{"topic", topic}});
  return *c;
}

prometheus::Counter& Metrics::DeadLetters(const std::string& stage, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  auto& c = dead_letters_[{stage, reason}];
  if (!c) c = &dead_letters_family_->Add({{"stage", stage}, {"reason", reason}});
  return *c;
}

prometheus::Counter& Metrics::InputsSkipped(const std::string& stage, const std::string& kind) {
  absl::MutexLock lock(&mu_);
  auto& c = skipped_[{stage, kind}];
  if (!c) c = &skipped_family_->Add({{"stage", stage}, {"kind", kind}});
  return *c;
}

prometheus::Histogram& Metrics::StageDuration(const std::string& stage) {
  absl::MutexLock lock(&mu_);
  auto& h = stage_duration_[stage];
  if (!h) h = &stage_duration_family_->Add({{"stage", stage}}, LatencyBuckets());
  return *h;
}

prometheus::Gauge& Metrics::ConsumerLag(const std::string& topic, int32_t partition) {
  absl::MutexLock lock(&mu_);
  auto& g = lag_[{topic, partition}];
  if (!g) g = &lag_family_->Add({{"topic", topic}, {"partition", std::to_string(partition)}});
  return *g;
}

prometheus::Counter& Metrics::BackpressureWaits(const std::string& reason) {
  return backpressure_waits_family_->Add({{"reason", reason}});
}

prometheus::Counter& Metrics::BackpressureWaitSeconds(const std::string& reason) {
  return backpressure_wait_seconds_family_->Add({{"reason", reason}});
}

void Metrics::RemoveConsumerLag(const std::string& topic, int32_t partition) {
  absl::MutexLock lock(&mu_);
  auto it = lag_.find({topic, partition});
  if (it == lag_.end()) return;
  lag_family_->Remove(it->second);
  lag_.erase(it);
}

prometheus::Counter& Metrics::ArticleFlags(const std::string& flag) {
  absl::MutexLock lock(&mu_);
  auto& c = flags_[flag];
  if (!c) c = &flags_family_->Add({{"flag", flag}});
  return *c;
}

prometheus::Counter& Metrics::Transactions(const std::string& result) {
  return transactions_family_->Add({{"result", result}});
}

prometheus::Counter& Metrics::Commits(bool ok) {
  // Two children only: looked up through the family's own index.
  return commits_family_->Add({{"result", ok ? "ok" : "error"}});
}

void Metrics::SetHealth(const Health& health, absl::Time now) {
  ready_->Set(health.NotReadyReason(now).empty() ? 1 : 0);
  loop_stall_->Set(health.SecondsSinceHeartbeat(now));
}

double Health::SecondsSinceHeartbeat(absl::Time now) const {
  const int64_t beat = heartbeat_unix_ns.load();
  if (beat == 0) return 0;
  return std::max(0.0, absl::ToDoubleSeconds(now - absl::FromUnixNanos(beat)));
}

const KafkaClientErrors& Health::errors() const {
  return client_errors != nullptr ? *client_errors : KafkaClientErrors::Process();
}

std::string Health::NotReadyReason(absl::Time now) const {
  if (!live.load()) return "fatal error, see the log";
  std::string reason;
  if (!ready.load()) {
    reason = not_ready_reason.load();
  } else if (const double stalled = SecondsSinceHeartbeat(now);
             stalled > absl::ToDoubleSeconds(kStallLimit)) {
    reason = absl::StrCat("the loop has been blocked for ", static_cast<int64_t>(stalled),
                          " s (a broker call: brokers slow or unreachable)");
  } else {
    return "";
  }
  // The client error says why (authentication, TLS, brokers down), unless it is
  // older than the instance's latest ready moment.
  if (std::optional<KafkaClientErrors::Error> error = errors().Latest();
      error && absl::ToUnixNanos(error->time) > ready_unix_ns.load()) {
    absl::StrAppend(&reason, ": ", error->description, " (",
                    std::max<int64_t>(0, absl::ToInt64Seconds(now - error->time)), " s ago)");
  }
  return reason;
}

// Serves every request of the server: GET and HEAD of the registered paths (exact
// match, query string ignored), 404 for any other path, 405 for other methods.
// One handler at "/" instead of civetweb's per-path handlers, which would also
// answer "/metrics/anything" and leave other methods and paths to civetweb's
// defaults.
class MetricsServer::Handler {
 public:
  using Body = std::function<std::pair<int, std::string>()>;

  void Add(std::string path, std::string content_type, Body body) {
    routes_[std::move(path)] = Route{std::move(content_type), std::move(body)};
  }

  // mg_request_handler: `self` is the Handler. Returns the status sent.
  static int Serve(mg_connection* conn, void* self) {
    const mg_request_info* info = mg_get_request_info(conn);
    const std::string method = info->request_method ? info->request_method : "";
    const std::string path = info->local_uri ? info->local_uri : "";
    const auto& routes = static_cast<const Handler*>(self)->routes_;
    const auto it = routes.find(path);
    if (it == routes.end()) {
      return Respond(conn, 404, "text/plain", "not found (paths: /metrics, /healthz, /readyz)\n",
                     method == "HEAD");
    }
    if (method != "GET" && method != "HEAD") {
      return Respond(conn, 405, "text/plain", "method not allowed (GET, HEAD)\n",
                     /*head_only=*/false, "Allow: GET, HEAD\r\n");
    }
    auto [status, body] = it->second.body();
    return Respond(conn, status, it->second.content_type, body, method == "HEAD");
  }

 private:
  struct Route {
    std::string content_type;
    Body body;
  };

  static int Respond(mg_connection* conn, int status, const std::string& content_type,
                     const std::string& body, bool head_only, const char* extra_headers = "") {
    const char* reason = status == 200   ? "OK"
                         : status == 404 ? "Not Found"
                         : status == 405 ? "Method Not Allowed"
                                         : "Service Unavailable";
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
              "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
              status, reason, content_type.c_str(), body.size(), extra_headers);
    if (!head_only) mg_write(conn, body.data(), body.size());
    return status;
  }

  std::map<std::string, Route> routes_;
};

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry,
    const Health* health, std::function<void()> before_scrape) {
  std::string host;
  int port = 0;
  if (absl::Status s = ParseHostPort(address, &host, &port); !s.ok()) return s;
  // ":9464" (empty host): civetweb's bare port, all interfaces.
  std::string listen = host.empty()                        ? absl::StrCat(port)
                       : host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port)
                                                             : absl::StrCat(host, ":", port);
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  server->handler_ = std::make_unique<Handler>();
  Handler& handler = *server->handler_;
  handler.Add("/metrics", "text/plain; version=0.0.4; charset=utf-8", [registry, before_scrape,
                                                                       health] {
    if (before_scrape) before_scrape();
    prometheus::TextSerializer serializer;
    std::ostringstream out;
    std::vector<prometheus::MetricFamily> families = registry->Collect();
    families.push_back(health->errors().MetricFamily());
    AppendProcessMetrics(&families);  // process_* from /proc/self, at scrape time
    serializer.Serialize(out, families);
    return std::make_pair(200, out.str());
  });
  handler.Add("/healthz", "text/plain", [health] {
    return health->live.load() ? std::make_pair(200, std::string("ok\n"))
                               : std::make_pair(503, std::string("fatal error, see log\n"));
  });
  handler.Add("/readyz", "text/plain", [health] {
    const std::string reason = health->NotReadyReason(absl::Now());
    return reason.empty() ? std::make_pair(200, std::string("ready\n"))
                          : std::make_pair(503, absl::StrCat("not ready: ", reason, "\n"));
  });
  try {
    // civetweb (1.15) options. A worker thread serves one connection at a time, from
    // accept until it closes, including the wait for the request: with civetweb's
    // defaults (request_timeout_ms 30000) two silent connections held the two
    // threads of the past for 30 s, and /healthz with them.
    //   num_threads: kMetricsServerThreads, so a few idle or half-open connections
    //     leave threads free for the probes and the scrape;
    //   request_timeout_ms: a connection that has not sent its request (or does not
    //     read the response) within kMetricsServerRequestTimeoutMs is dropped;
    //   enable_keep_alive no: one request per connection (every response says
    //     Connection: close), so no thread waits for a next request;
    //   linger_timeout_ms -1: SO_LINGER off, close() never blocks a thread on a
    //     client that does not read.
    server->server_ = std::make_unique<CivetServer>(std::vector<std::string>{
        "listening_ports", listen,
        "num_threads", std::to_string(kMetricsServerThreads),
        "request_timeout_ms", std::to_string(kMetricsServerRequestTimeoutMs),
        "enable_keep_alive", "no",
        "linger_timeout_ms", "-1"});
  } catch (const CivetException& e) {
    return absl::UnavailableError(absl::StrCat(
        "metrics_address ", address,
        ": cannot listen (address in use or not local?); use another HOST:PORT or 'off'"));
  }
  std::vector<int> ports = server->server_->getListeningPorts();
  server->port_ = ports.empty() ? port : ports.front();
  // CivetServer hands out its context as const; civetweb itself takes it mutable.
  mg_set_request_handler(const_cast<mg_context*>(server->server_->getContext()), "/",
                         &Handler::Serve,
                         server->handler_.get());
  return server;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->close();
}

}  // namespace newsd
