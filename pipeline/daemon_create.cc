// Daemon construction: wiring the parts (daemon.h) from a PipelineConfig. The one
// place that looks at the delivery mode: it picks the producer's transactional.id
// and the Committer; everything after construction asks the committer.
#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "pipeline/daemon.h"
#include "pipeline/config.h"
#include "pipeline/instance.h"
#include "pipeline/kafka_clients.h"
#include "pipeline/offset_committer.h"
#include "pipeline/transaction_committer.h"

namespace newsd {

Daemon::Daemon(const v1::PipelineConfig& config, const Chain* chain, Metrics* metrics,
               Health* health)
    : config_(config),
      chain_(chain),
      metrics_(metrics),
      health_(health),
      message_metrics_(metrics, chain->StageNames(),
                       {config.kafka().input_topics().begin(), config.kafka().input_topics().end()},
                       config.kafka().output_topic()),
      changelog_topic_(config.kafka().changelog_topic().empty()
                           ? DefaultChangelogTopic(config.kafka().group_id())
                           : config.kafka().changelog_topic()),
      backpressure_({config.max_inflight_messages(), config.max_inflight_bytes(),
                     static_cast<int>(config.max_producer_queue())},
                    metrics) {
  // A random id per process start: its own changelog records are not re-applied.
  plan_options_.output_topic = config_.kafka().output_topic();
  plan_options_.dead_letter_topic = config_.kafka().dead_letter_topic();
  plan_options_.changelog_topic = changelog_topic_;
  plan_options_.schema_registry_id = config_.schema_registry_id();
  plan_options_.max_output_bytes = config_.max_output_bytes();
  plan_options_.instance_id = NewChangelogInstanceId();
  plan_options_.held_store = std::string(held_.name());
  // (message_metrics_ creates the consumed and published series at 0 from the
  // start, so dashboards and alerts see them before traffic.)
}

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Create(const v1::PipelineConfig& config,
                                                        const Chain* chain, Metrics* metrics,
                                                        Health* health) {
  if (chain == nullptr || metrics == nullptr || health == nullptr) {
    return absl::InvalidArgumentError("Daemon::Create: no chain, metrics or health given");
  }
  std::unique_ptr<Daemon> daemon(new Daemon(config, chain, metrics, health));

  // The clients' options, as validation checks them (pipeline/kafka_clients.h).
  const KafkaClientOptions clients = KafkaClientOptionsFromConfig(config);
  KafkaSinkOptions sink_options = clients.producer;
  // The one place that looks at the delivery mode: the producer's transactional.id
  // and the committer below.
  const bool exactly_once = config.delivery() == v1::EXACTLY_ONCE;
  if (exactly_once) {
    if (sink_options.transactional_id.empty()) {
      // (`newsd run` sets it, from --instance; this is for embedders.)
      sink_options.transactional_id = DefaultTransactionalId(config, "");
    }
  }
  Daemon* const d = daemon.get();
  auto producer = std::make_unique<KafkaProducerSlot>(
      sink_options, [d](KafkaSink::DeliveryReport report) { d->publisher_->OnDelivery(std::move(report)); },
      &daemon->sink_);
  if (absl::Status s = producer->Create(); !s.ok()) return s;

  absl::StatusOr<std::unique_ptr<KafkaSource>> source =
      KafkaSource::Create(clients.consumer, daemon.get());
  if (!source.ok()) return source.status();
  daemon->source_ = *std::move(source);

  // The delivery mode, chosen once: the committer.
  daemon->ports_ = std::make_unique<KafkaPorts>(&daemon->sink_, &daemon->source_);
  const absl::Duration commit_interval = absl::Milliseconds(config.commit_interval_ms());
  if (exactly_once) {
    TransactionOptions options;
    options.call_timeout = absl::Milliseconds(config.transaction_call_timeout_ms());
    options.max_messages = config.transaction_max_messages();
    options.interval = commit_interval;
    options.transactional_id = sink_options.transactional_id;
    for (const auto& [name, value] : sink_options.properties) {
      int64_t ms = 0;
      if (name == "transaction.timeout.ms" && absl::SimpleAtoi(value, &ms)) {
        options.transaction_timeout = absl::Milliseconds(ms);
      }
    }
    daemon->committer_ = std::make_unique<TransactionCommitter>(
        options, daemon->ports_.get(), metrics,
        [d](const TopicPartition& tp) { return d->in_flight_.assigned(tp); });
  } else {
    daemon->committer_ = std::make_unique<OffsetCommitter>(
        daemon->ports_.get(), daemon->ports_.get(), metrics, &daemon->message_metrics_,
        commit_interval);
  }
  // The publisher, over the same producer (looked up per call: it is replaced).
  PublisherHooks hooks;
  hooks.producer_failed = [d = daemon.get()](absl::Status s) { d->OnProducerFatal(std::move(s)); };
  hooks.fail = [d = daemon.get()](absl::Status s) { d->Fail(std::move(s)); };
  hooks.failed = [d = daemon.get()] { return d->fatal_.has_value(); };
  daemon->publisher_ = std::make_unique<Publisher>(
      daemon->plan_options_, std::make_unique<KafkaSinkRecordProducer>(&daemon->sink_),
      daemon->committer_.get(), &daemon->in_flight_, metrics, std::move(hooks));

  daemon->producer_ = std::make_unique<ProducerLifecycle>(
      exactly_once ? sink_options.transactional_id : std::string(), std::move(producer),
      daemon->committer_.get(), metrics, [d](absl::Status status) { d->Fail(std::move(status)); });

  LagMonitor::Options monitor_options;
  monitor_options.input_topics.assign(config.kafka().input_topics().begin(),
                                      config.kafka().input_topics().end());
  monitor_options.input_topic_pattern = config.kafka().input_topic_pattern();
  ChangelogReaderOptions changelog_options = clients.changelog;
  changelog_options.topic = daemon->changelog_topic();
  changelog_options.own_instance = daemon->plan_options_.instance_id;
  absl::StatusOr<std::unique_ptr<StateBootstrap>> state_stores = StateBootstrap::Create(
      StateBootstrapOptions::FromConfig(config, daemon->changelog_topic()), changelog_options,
      chain->StateStores(), &daemon->held_, metrics);
  if (!state_stores.ok()) return state_stores.status();
  daemon->state_stores_ = *std::move(state_stores);
  StateBootstrap* const state = daemon->state_stores_.get();
  daemon->monitor_ = std::make_unique<LagMonitor>(std::move(monitor_options),
                                                  daemon->source_.get(),
                                                  [state] { state->UpdateGauges(); }, metrics,
                                                  health);

  unsigned threads = config.worker_threads();
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  WorkerPoolOptions pool_options;
  pool_options.threads = threads;
  pool_options.time_budget = absl::Milliseconds(config.message_time_budget_ms());
  // Workers finish their current message (if any) at shutdown; one stuck in a stage
  // longer than this is detached (DetachedWorkers).
  pool_options.shutdown_grace = std::min(absl::Seconds(5), pool_options.time_budget);
  daemon->pool_ = std::make_unique<WorkerPool>(
      [chain](const RawMessage& message, absl::Time start) { return chain->Run(message, start); },
      pool_options);
  return daemon;
}

}  // namespace newsd
