// newsd: streaming news-ingest daemon. The only place with command-line flags.
//
//   newsd run (--config FILE | --brokers LIST|embedded) [--metrics-address HOST:PORT]
//   newsd extract [--published-at RFC3339] FILE...
//   newsd validate-config FILE
//   newsd produce --brokers LIST --topic T [--published-at RFC3339] [--limit N]
//                 [--key K] [--header NAME=VALUE,...] FILE...
//   newsd consume --brokers LIST --topic T[,T2] [--max-messages N] [--idle-timeout S]
//   newsd demo [--corpus DIR] [--stories N]
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "pipeline/chain.h"
#include "pipeline/cli_tools.h"
#include "pipeline/config.h"
#include "pipeline/daemon.h"
#include "pipeline/embedded_cluster.h"
#include "pipeline/extract.h"
#include "pipeline/instance.h"
#include "pipeline/log.h"
#include "pipeline/metrics.h"
#include "pipeline/prometheus_stage_metrics.h"

ABSL_FLAG(std::string, config, "",
          "Pipeline config (textproto). Default: built-in defaults; `run` then needs "
          "--brokers.");
ABSL_FLAG(std::string, brokers, "",
          "Kafka bootstrap servers, or 'embedded' for an in-process mock cluster (demos "
          "and tests). Overrides kafka.brokers. `run` needs --config or --brokers.");
ABSL_FLAG(std::string, transactional_id, "",
          "Exactly-once: transactional.id of this instance (unique per running instance, "
          "stable across its restarts). Overrides kafka.transactional_id.");
ABSL_FLAG(std::string, instance, "",
          "run: name of this instance on its host (the systemd template newsd@NAME passes "
          "NAME). Exactly-once without a transactional id: the default id is "
          "<group>-<hostname>-<instance> (else -<metrics port>).");
ABSL_FLAG(std::string, lock_dir, "",
          "run: directory of the per-transactional-id instance locks (default "
          "$RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR, else /tmp).");
ABSL_FLAG(int64_t, schema_registry_id, -1,
          "Frame events in the Confluent Schema Registry wire format with this schema id "
          "(0 = plain Protobuf). Overrides schema_registry_id.");
ABSL_FLAG(std::string, metrics_address, "",
          "HOST:PORT for /metrics, /healthz, /readyz, or 'off'. Overrides metrics_address.");
ABSL_FLAG(std::string, published_at, "",
          "extract/produce: RFC 3339 publication time sent as the published-at header.");
ABSL_FLAG(std::string, topic, "", "produce/consume: topic name(s), comma-separated for consume.");
ABSL_FLAG(int64_t, max_messages, 10, "consume: stop after this many records.");
ABSL_FLAG(int64_t, limit, 0, "produce: at most this many messages (0 = all).");
ABSL_FLAG(std::string, key, "",
          "produce: message key of every message (default: the file path; Reuters .sgm "
          "records have none).");
ABSL_FLAG(std::vector<std::string>, header, {},
          "produce: headers added to every message, comma-separated NAME=VALUE pairs "
          "(e.g. content-type=text/html).");
ABSL_FLAG(double, idle_timeout, 5, "consume: stop after this many seconds without a record.");
ABSL_FLAG(bool, pretty, false, "extract/consume: indent JSON.");
ABSL_FLAG(std::string, corpus, NEWSD_DEFAULT_CORPUS_DIR, "demo: the shared corpus directory.");
ABSL_FLAG(int64_t, stories, 200, "demo: number of Reuters-21578 stories to feed (1-1000).");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error.");
ABSL_FLAG(std::string, log_format, "text",
          "text (\"<time> <LEVEL> <message> key=value...\") or json (JSON Lines).");

namespace newsd {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};
std::atomic<int> g_first_signal{0};

// First SIGTERM/SIGINT/SIGHUP: graceful drain, then exit 0. Second: immediate exit
// (nothing is lost: uncommitted input is consumed again after the restart). SIGHUP
// does not reload the config: the daemon drains and exits, and its supervisor
// (systemd Restart=, Kubernetes) starts it again with the current config.
void OnSignal(int sig) {
  if (g_signals.fetch_add(1) >= 1) {
    static const char kMsg[] = "newsd: second signal, exiting now\n";
    (void)!write(2, kMsg, sizeof(kMsg) - 1);
    _exit(1);
  }
  g_first_signal.store(sig);  // the watchdog logs it, then sets g_stop
}

// Logs which signal stopped the daemon (not from the handler: Log is not
// async-signal-safe), then sets g_stop, so the line precedes the drain's; and
// bounds the whole shutdown: if draining plus leaving the group (which waits for
// the brokers) takes longer than `timeout`, exit anyway. Safe for the same reason
// as the second signal.
void StartShutdownWatchdog(absl::Duration timeout) {
  std::thread([timeout] {
    while (g_first_signal.load() == 0) absl::SleepFor(absl::Milliseconds(10));
    switch (g_first_signal.load()) {
      case SIGHUP:
        Log(LogLevel::kInfo,
            "SIGHUP: draining and exiting (the config is not reloaded in place; restart "
            "newsd to apply a changed config)");
        break;
      case SIGTERM:
        Log(LogLevel::kInfo, "SIGTERM: draining and exiting");
        break;
      case SIGINT:
        Log(LogLevel::kInfo, "SIGINT: draining and exiting");
        break;
      default:
        break;
    }
    g_stop.store(true);
    absl::SleepFor(timeout);
    Log(LogLevel::kError, "shutdown deadline exceeded (brokers unresponsive?); exiting");
    _exit(1);
  }).detach();
}

void InstallSignalHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

// --published-at must be RFC 3339 ("2013-09-12T12:00:00Z"), as the header is.
absl::StatusOr<std::optional<std::string>> PublishedAtFlag() {
  const std::string value = absl::GetFlag(FLAGS_published_at);
  if (value.empty()) return std::nullopt;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, value, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--published-at: '", value, "' is not an RFC 3339 time (e.g. 2013-09-12T12:00:00Z)"));
  }
  return std::optional<std::string>(value);
}

int Fail(const absl::Status& status) {
  std::cerr << "newsd: " << status.message() << "\n";
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

// The config of --config and the flags, validated. The chain built to validate it
// goes to `chain` (the process's one chain), its stages' metrics to `metrics`
// (NoopStageMetrics when null).
absl::StatusOr<v1::PipelineConfig> ConfigFromFlags(std::unique_ptr<Chain>* chain,
                                                   StageMetricsBackend* metrics = nullptr) {
  v1::PipelineConfig config;
  if (const std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    absl::StatusOr<v1::PipelineConfig> loaded = LoadConfig(path);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  } else {
    config = DefaultConfig();
  }
  if (const std::string b = absl::GetFlag(FLAGS_brokers); !b.empty()) {
    config.mutable_kafka()->set_brokers(b);
  }
  if (const std::string m = absl::GetFlag(FLAGS_metrics_address); !m.empty()) {
    config.set_metrics_address(m == "off" ? "" : m);
  }
  if (const int64_t id = absl::GetFlag(FLAGS_schema_registry_id); id >= 0) {
    if (id > 0x7fffffff) {
      return absl::InvalidArgumentError("--schema-registry-id: at most 2147483647");
    }
    config.set_schema_registry_id(static_cast<uint32_t>(id));
  }
  if (const std::string t = absl::GetFlag(FLAGS_transactional_id); !t.empty()) {
    config.mutable_kafka()->set_transactional_id(t);
  }
  absl::StatusOr<std::unique_ptr<Chain>> built = ValidateConfigAndBuildChain(config, metrics);
  if (!built.ok()) return built.status();
  *chain = *std::move(built);
  return config;
}

// Running daemon with its embedded cluster (if any) and metrics server.
struct Runtime {
  std::unique_ptr<EmbeddedCluster> cluster;  // destroyed last: the daemon talks to it
  Metrics metrics;
  Health health;
  std::unique_ptr<MetricsServer> server;
  // The stages' metrics, in metrics.registry(); outlives the chain.
  std::unique_ptr<PrometheusStageMetrics> stage_metrics;
  std::unique_ptr<Chain> chain;  // built by ConfigFromFlags (CmdDemo: by itself)
  std::unique_ptr<Daemon> daemon;
};

absl::Status StartRuntime(v1::PipelineConfig config, Runtime& rt) {
  if (config.kafka().brokers() == "embedded") {
    absl::StatusOr<std::unique_ptr<EmbeddedCluster>> cluster = EmbeddedCluster::Start(1);
    if (!cluster.ok()) return cluster.status();
    rt.cluster = *std::move(cluster);
    const auto& k = config.kafka();
    for (const std::string& t : k.input_topics()) rt.cluster->CreateTopic(t, 3).IgnoreError();
    rt.cluster->CreateTopic(k.output_topic(), 3).IgnoreError();
    rt.cluster->CreateTopic(k.dead_letter_topic(), 1).IgnoreError();
    rt.cluster->CreateTopic(k.changelog_topic().empty() ? DefaultChangelogTopic(k.group_id())
                                                        : k.changelog_topic(),
                            3)
        .IgnoreError();
    config.mutable_kafka()->set_brokers(rt.cluster->bootstrap());
    Log(LogLevel::kInfo, absl::StrCat("embedded Kafka-protocol cluster (librdkafka mock) at ",
                                      rt.cluster->bootstrap(), " — for demos and tests only"));
    std::cout << "embedded bootstrap=" << rt.cluster->bootstrap() << std::endl;
  }
  if (!config.metrics_address().empty()) {
    absl::StatusOr<std::unique_ptr<MetricsServer>> server =
        MetricsServer::Start(config.metrics_address(), rt.metrics.registry(), &rt.health,
                             [&rt] { rt.metrics.SetHealth(rt.health, absl::Now()); });
    if (!server.ok()) return server.status();
    rt.server = *std::move(server);
    Log(LogLevel::kInfo, absl::StrCat("metrics on http://", config.metrics_address(),
                                      "/metrics (port ", rt.server->port(), ")"));
  }
  absl::StatusOr<std::unique_ptr<Daemon>> daemon =
      Daemon::Create(config, rt.chain.get(), &rt.metrics, &rt.health);
  if (!daemon.ok()) return daemon.status();
  rt.daemon = *std::move(daemon);
  return absl::OkStatus();
}

int CmdRun() {
  // Without either, the built-in defaults would start the in-process mock cluster
  // and report ready while nothing reaches a real broker: make that explicit.
  if (absl::GetFlag(FLAGS_config).empty() && absl::GetFlag(FLAGS_brokers).empty()) {
    return Fail(absl::InvalidArgumentError(
        "run: no brokers given: pass --config FILE (with kafka.brokers) or --brokers "
        "LIST (host:port,...), or --brokers embedded for the in-process demo cluster"));
  }
  // The runtime's metrics exist before the chain, whose stages register in them.
  Runtime rt;
  rt.stage_metrics = std::make_unique<PrometheusStageMetrics>(rt.metrics.registry());
  absl::StatusOr<v1::PipelineConfig> config = ConfigFromFlags(&rt.chain, rt.stage_metrics.get());
  if (!config.ok()) return Fail(config.status());
  // Exactly-once: one transactional.id per live instance. A second process on this
  // host with the same id would fence the first (and be fenced in turn): refuse it.
  std::optional<InstanceLock> instance_lock;
  if (config->delivery() == v1::EXACTLY_ONCE) {
    const std::string instance = absl::GetFlag(FLAGS_instance);
    for (char c : instance) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
          c != '-') {
        return Fail(absl::InvalidArgumentError(
            absl::StrCat("--instance: '", instance, "': use letters, digits, '.', '_', '-'")));
      }
    }
    if (config->kafka().transactional_id().empty()) {
      config->mutable_kafka()->set_transactional_id(DefaultTransactionalId(*config, instance));
    }
    std::string lock_dir = absl::GetFlag(FLAGS_lock_dir);
    if (lock_dir.empty()) lock_dir = DefaultLockDirectory();
    absl::StatusOr<InstanceLock> lock =
        InstanceLock::Acquire(lock_dir, config->kafka().transactional_id());
    if (!lock.ok()) return Fail(lock.status());
    instance_lock.emplace(*std::move(lock));
    Log(LogLevel::kInfo,
        absl::StrCat("exactly-once with transactional.id '", config->kafka().transactional_id(),
                     "' (instance lock ", instance_lock->path(), ")"));
  }
  // Before the start-up (which can wait for the brokers): a signal then stops the
  // daemon as soon as its loop runs, instead of killing it.
  InstallSignalHandlers();
  // The drain has shutdown_timeout_ms; leaving the group and closing get 10 s more.
  StartShutdownWatchdog(absl::Milliseconds(config->shutdown_timeout_ms()) + absl::Seconds(10));
  if (absl::Status s = StartRuntime(*config, rt); !s.ok()) return Fail(s);
  absl::Status status = rt.daemon->Run(g_stop);
  rt.daemon.reset();
  const int code = status.ok() ? 0 : Fail(status);
  if (Daemon::DetachedWorkers() > 0) {
    // A worker is still inside a stage: destroying the chain (or running static
    // destructors) under it would crash. Everything is committed; end here.
    Log(LogLevel::kWarning, "exiting with a worker still inside a stage");
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(code);
  }
  return code;
}

int CmdExtract(const std::vector<char*>& args) {
  if (args.empty()) return Fail(absl::InvalidArgumentError("extract: no FILE given"));
  std::unique_ptr<Chain> chain;
  absl::StatusOr<v1::PipelineConfig> config = ConfigFromFlags(&chain);
  if (!config.ok()) return Fail(config.status());
  std::vector<std::string> files(args.begin(), args.end());
  absl::StatusOr<std::optional<std::string>> published_at = PublishedAtFlag();
  if (!published_at.ok()) return Fail(published_at.status());
  int failed = RunExtract(*chain, files, *published_at, absl::GetFlag(FLAGS_pretty), std::cout,
                          std::cerr);
  return failed == 0 ? 0 : 1;
}

int CmdValidateConfig(const std::vector<char*>& args) {
  if (args.size() != 1) return Fail(absl::InvalidArgumentError("validate-config: give one FILE"));
  absl::StatusOr<v1::PipelineConfig> config = LoadConfig(args[0]);
  if (!config.ok()) return Fail(config.status());
  if (absl::Status s = ValidateConfig(*config); !s.ok()) {
    std::cerr << args[0] << ": " << s.message() << "\n";
    return 2;
  }
  std::cout << args[0] << ": OK (" << config->stages_size() << " stages, "
            << config->kafka().input_topics_size() << " input topics"
            << (config->kafka().input_topic_pattern().empty()
                    ? ""
                    : " + pattern " + config->kafka().input_topic_pattern())
            << ")\n";
  return 0;
}

int CmdProduce(const std::vector<char*>& args) {
  const std::string brokers = absl::GetFlag(FLAGS_brokers);
  const std::string topic = absl::GetFlag(FLAGS_topic);
  if (brokers.empty() || brokers == "embedded" || topic.empty() || args.empty()) {
    return Fail(absl::InvalidArgumentError("produce: needs --brokers, --topic and FILE..."));
  }
  if (topic.find(',') != std::string::npos) {
    return Fail(absl::InvalidArgumentError("produce: --topic takes one topic"));
  }
  absl::StatusOr<std::optional<std::string>> published_at = PublishedAtFlag();
  if (!published_at.ok()) return Fail(published_at.status());
  if (absl::GetFlag(FLAGS_limit) < 0) return Fail(absl::InvalidArgumentError("--limit: negative"));
  std::vector<std::pair<std::string, std::string>> headers;
  for (const std::string& h : absl::GetFlag(FLAGS_header)) {
    const size_t eq = h.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--header: expected NAME=VALUE, got '", h, "'")));
    }
    headers.emplace_back(h.substr(0, eq), h.substr(eq + 1));
  }
  absl::StatusOr<std::vector<OutboundMessage>> messages =
      MessagesFromFiles(std::vector<std::string>(args.begin(), args.end()), topic, *published_at,
                        static_cast<size_t>(absl::GetFlag(FLAGS_limit)));
  if (!messages.ok()) return Fail(messages.status());
  const std::string key = absl::GetFlag(FLAGS_key);
  for (OutboundMessage& m : *messages) {
    if (!key.empty()) m.key = key;
    m.headers.insert(m.headers.end(), headers.begin(), headers.end());
  }
  if (absl::Status s = ProduceAll(brokers, *messages); !s.ok()) return Fail(s);
  std::cout << "produced " << messages->size() << " messages to " << topic << "\n";
  return 0;
}

int CmdConsume() {
  const std::string brokers = absl::GetFlag(FLAGS_brokers);
  const std::string topic = absl::GetFlag(FLAGS_topic);
  if (brokers.empty() || topic.empty()) {
    return Fail(absl::InvalidArgumentError("consume: needs --brokers and --topic"));
  }
  const bool pretty = absl::GetFlag(FLAGS_pretty);
  absl::Status s = ConsumeAll(brokers, absl::StrSplit(topic, ','),
                              static_cast<size_t>(absl::GetFlag(FLAGS_max_messages)),
                              absl::Seconds(absl::GetFlag(FLAGS_idle_timeout)),
                              [pretty](const ConsumedRecord& r) {
                                std::cout << DescribeRecord(r, pretty) << "\n";
                              });
  return s.ok() ? 0 : Fail(s);
}

// The README demo: embedded cluster + daemon + the seed and N Reuters stories.
int CmdDemo() {
  v1::PipelineConfig config = DefaultConfig();
  config.mutable_kafka()->set_brokers("embedded");
  if (const std::string m = absl::GetFlag(FLAGS_metrics_address); !m.empty()) {
    config.set_metrics_address(m);
  } else {
    config.set_metrics_address("127.0.0.1:0");
  }
  // The runtime's metrics exist before the chain, whose stages register in them.
  Runtime rt;
  rt.stage_metrics = std::make_unique<PrometheusStageMetrics>(rt.metrics.registry());
  absl::StatusOr<std::unique_ptr<Chain>> chain =
      ValidateConfigAndBuildChain(config, rt.stage_metrics.get());
  if (!chain.ok()) return Fail(chain.status());
  rt.chain = *std::move(chain);
  if (absl::Status s = StartRuntime(config, rt); !s.ok()) return Fail(s);
  const std::string bootstrap = rt.cluster->bootstrap();
  const std::string corpus = absl::GetFlag(FLAGS_corpus);
  const int64_t stories_flag = absl::GetFlag(FLAGS_stories);
  if (stories_flag < 1 || stories_flag > 1000) {
    return Fail(absl::InvalidArgumentError("--stories: between 1 and 1000 (one SGML file)"));
  }
  const size_t stories = static_cast<size_t>(stories_flag);

  std::atomic<bool> stop{false};
  absl::Status run_status;
  std::thread loop([&] { run_status = rt.daemon->Run(stop); });

  const std::string seed = absl::StrCat(corpus, "/seed/lavrov-syria-2013.txt");
  absl::StatusOr<std::vector<OutboundMessage>> input =
      MessagesFromFiles({seed}, "news.raw", "2013-09-12T12:00:00Z");
  absl::StatusOr<std::vector<OutboundMessage>> reuters = MessagesFromFiles(
      {absl::StrCat(corpus, "/reuters21578/original/reut2-000.sgm.gz")}, "news.raw",
      std::nullopt, stories);
  if (!input.ok() || !reuters.ok()) {
    stop = true;
    loop.join();
    return Fail(input.ok() ? reuters.status() : input.status());
  }
  input->insert(input->end(), reuters->begin(), reuters->end());
  OutboundMessage garbage;  // shows the dead-letter path
  garbage.topic = "news.raw";
  garbage.value = "<?xml version=\"1.0\"?><newsItem><broken";  // not well-formed
  input->push_back(garbage);

  // Wait for the consumer group to assign the partitions (the mock cluster takes a
  // few seconds), so the throughput below measures the pipeline, not the join.
  const absl::Time join_deadline = absl::Now() + absl::Seconds(30);
  while ((!rt.health.ready.load() || rt.health.assigned_partitions.load() == 0) &&
         absl::Now() < join_deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  std::cout << "demo: producing " << input->size() << " raw articles (the seed, " << reuters->size()
            << " Reuters-21578 stories, 1 invalid message) to news.raw\n";
  const absl::Time start = absl::Now();
  if (absl::Status s = ProduceAll(bootstrap, *input); !s.ok()) {
    stop = true;
    loop.join();
    return Fail(s);
  }
  size_t events = 0, dead = 0;
  absl::Time last_output = start;
  std::string seed_event, reuters_event, dead_letter;
  ConsumeAll(bootstrap, {"news.events", "news.dlq"}, input->size(), absl::Seconds(20),
             [&](const ConsumedRecord& r) {
               last_output = absl::Now();
               (r.topic == "news.dlq" ? dead : events)++;
               const bool reuters = r.key && absl::StartsWith(*r.key, "reuters21578-");
               if (r.topic == "news.dlq") {
                 dead_letter = DescribeRecord(r, /*pretty=*/false);
               } else if (!reuters && seed_event.empty()) {
                 seed_event = DescribeRecord(r, /*pretty=*/false);
               } else if (reuters && reuters_event.empty()) {
                 reuters_event = DescribeRecord(r, /*pretty=*/false);
               }
             })
      .IgnoreError();
  const double seconds = absl::ToDoubleSeconds(last_output - start);
  stop = true;
  loop.join();

  std::cout << "--- the seed article's event (news.events, JSON) ---\n" << seed_event
            << "\n--- a Reuters-21578 event ---\n" << reuters_event
            << "\n--- the invalid message's dead letter (news.dlq) ---\n" << dead_letter << "\n\n";
  std::cout << "demo: " << events << " events + " << dead << " dead letters for " << input->size()
            << " inputs in " << seconds << " s (" << (seconds > 0 ? events / seconds : 0)
            << " articles/s from first produce to last output, embedded cluster)\n";
  std::cout << "demo: metrics: consumed="
            << rt.metrics.Consumed("news.raw").Value()
            << " published=" << rt.metrics.Published("news.events").Value()
            << " dead_letters=" << rt.metrics.DeadLetters("decode", "invalid_argument").Value()
            << "\n";
  if (!run_status.ok()) return Fail(run_status);
  return events + dead == input->size() ? 0 : 1;
}

absl::Status SetLogLevelFromFlag() {
  const std::string level = absl::GetFlag(FLAGS_log_level);
  if (level == "debug") SetLogLevel(LogLevel::kDebug);
  else if (level == "info") SetLogLevel(LogLevel::kInfo);
  else if (level == "warning") SetLogLevel(LogLevel::kWarning);
  else if (level == "error") SetLogLevel(LogLevel::kError);
  else return absl::InvalidArgumentError(absl::StrCat("--log_level: unknown level '", level, "'"));
  return absl::OkStatus();
}

}  // namespace
}  // namespace newsd

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  // --help lists this binary's flags (all defined in main.cc).
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "pipeline/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] { return absl::StrCat("newsd ", NEWSD_VERSION, "\n"); };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "streaming news-ingest daemon\n\n"
      "  newsd run (--config FILE | --brokers LIST|embedded) [--metrics_address HOST:PORT]\n"
      "  newsd extract [--published_at RFC3339] FILE...\n"
      "  newsd validate-config FILE\n"
      "  newsd produce --brokers LIST --topic T [--published_at T] [--limit N] [--key K]\n"
      "                [--header NAME=VALUE,...] FILE...\n"
      "  newsd consume --brokers LIST --topic T[,T2] [--max_messages N] [--pretty]\n"
      "  newsd demo [--corpus DIR] [--stories N]\n"
      "Flags also accept dashes (--metrics-address is --metrics_address).");
  // Accept --foo-bar as well as absl's --foo_bar.
  std::vector<std::string> normalized;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (absl::StartsWith(a, "--")) {
      size_t eq = a.find('=');
      for (size_t j = 2; j < std::min(eq, a.size()); ++j) {
        if (a[j] == '-') a[j] = '_';
      }
    }
    normalized.push_back(std::move(a));
  }
  std::vector<char*> cargv;
  for (std::string& a : normalized) cargv.push_back(a.data());
  std::vector<char*> args = absl::ParseCommandLine(static_cast<int>(cargv.size()), cargv.data());
  if (absl::Status s = newsd::SetLogLevelFromFlag(); !s.ok()) return newsd::Fail(s);
  if (absl::Status s = newsd::SetLogFormatByName(absl::GetFlag(FLAGS_log_format)); !s.ok()) {
    return newsd::Fail(s);
  }
  if (args.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  const std::string command = args[1];
  std::vector<char*> rest(args.begin() + 2, args.end());
  if (command == "run") return newsd::CmdRun();
  if (command == "extract") return newsd::CmdExtract(rest);
  if (command == "validate-config") return newsd::CmdValidateConfig(rest);
  if (command == "produce") return newsd::CmdProduce(rest);
  if (command == "consume") return newsd::CmdConsume();
  if (command == "demo") return newsd::CmdDemo();
  std::cerr << "newsd: unknown command '" << command << "'\n" << absl::ProgramUsageMessage() << "\n";
  return 2;
}
