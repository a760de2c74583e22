#include "pipeline/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <fstream>
#include <optional>
#include <regex.h>
#include <set>
#include <sstream>

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "pipeline/chain.h"
#include "pipeline/config_expand.h"
#include "pipeline/kafka_clients.h"

namespace newsd {
namespace {

// Collects the first textproto error with its position.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) error_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int line, int column, const std::string& message) override {}
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// kafka.input_topic_pattern: starts with "^" (librdkafka's mark of a pattern
// subscription), compiles as the POSIX extended regular expression librdkafka
// matches topic names with (regcomp), and matches none of the daemon's own topics.
absl::Status ValidateTopicPattern(const v1::KafkaConfig& kafka) {
  const std::string& pattern = kafka.input_topic_pattern();
  if (!absl::StartsWith(pattern, "^")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kafka.input_topic_pattern: '", pattern,
        "' must start with \"^\", which marks a pattern subscription (e.g. \"^news[.]raw[.].*\")"));
  }
  regex_t re;
  if (int rc = regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB); rc != 0) {
    char buf[256];
    regerror(rc, &re, buf, sizeof(buf));
    return absl::InvalidArgumentError(
        absl::StrCat("kafka.input_topic_pattern: '", pattern,
                     "' is not a valid POSIX extended regular expression: ", buf));
  }
  const std::string changelog = kafka.changelog_topic().empty()
                                    ? DefaultChangelogTopic(kafka.group_id())
                                    : kafka.changelog_topic();
  for (const std::string* own : {&kafka.output_topic(), &kafka.dead_letter_topic(), &changelog}) {
    if (regexec(&re, own->c_str(), 0, nullptr, 0) == 0) {
      regfree(&re);
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.input_topic_pattern: '", pattern, "' matches '", *own,
          "', an output, dead-letter or changelog topic (the daemon would consume its own "
          "output)"));
    }
  }
  regfree(&re);
  return absl::OkStatus();
}

// librdkafka properties whose value newsd decides.
const std::set<std::string, std::less<>>& OwnedProperties() {
  static const auto* owned = new std::set<std::string, std::less<>>{
      "bootstrap.servers",     "metadata.broker.list", "group.id",
      "enable.auto.commit",    "enable.auto.offset.store", "enable.idempotence",
      "partition.assignment.strategy", "transactional.id", "isolation.level"};
  return *owned;
}

absl::Status CheckProperties(const google::protobuf::Map<std::string, std::string>& props,
                             absl::string_view field) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [key, value] : props) {
    if (key.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": empty property name"));
    if (OwnedProperties().count(key)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[\"", key, "\"]: newsd sets this property itself; remove it (see ",
          "kafka.brokers, kafka.group_id, kafka.transactional_id and delivery)"));
    }
    // librdkafka knows its properties and their value types.
    std::string err;
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat(field, "[\"", key, "\"]: ", err));
    }
  }
  return absl::OkStatus();
}

// Kafka's rule (kafka.common.internals.Topic): [a-zA-Z0-9._-]{1,249}.
bool ValidTopicName(const std::string& topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
  for (char c : topic) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

// Allowed range of a numeric setting; 0 always means "the default" and passes.
struct Range {
  const char* field;
  uint64_t value;
  uint64_t min;
  uint64_t max;
  const char* why;  // appended to the error
};

absl::Status CheckRanges(std::initializer_list<Range> ranges) {
  for (const Range& r : ranges) {
    if (r.value != 0 && (r.value < r.min || r.value > r.max)) {
      return absl::InvalidArgumentError(absl::StrCat(r.field, ": ", r.value, " is outside ", r.min,
                                                     "..", r.max, " (0 = the default); ", r.why));
    }
  }
  return absl::OkStatus();
}

// The value of librdkafka producer property `key`: producer_properties, else
// properties, else nullopt.
std::optional<std::string> ProducerProperty(const v1::KafkaConfig& kafka, const std::string& key) {
  if (auto it = kafka.producer_properties().find(key); it != kafka.producer_properties().end()) {
    return it->second;
  }
  if (auto it = kafka.properties().find(key); it != kafka.properties().end()) return it->second;
  return std::nullopt;
}

}  // namespace

v1::PipelineConfig DefaultConfig() {
  v1::PipelineConfig config;
  v1::KafkaConfig& kafka = *config.mutable_kafka();
  kafka.set_brokers("embedded");
  kafka.set_group_id("newsd");
  kafka.add_input_topics("news.raw");
  kafka.set_output_topic("news.events");
  kafka.set_dead_letter_topic("news.dlq");
  config.set_delivery(v1::EXACTLY_ONCE);
  config.set_metrics_address("127.0.0.1:9464");
  for (const char* name : {"decode", "segment", "language", "entities", "quotes", "times", "story"}) {
    config.add_stages()->set_name(name);
  }
  config.set_max_inflight_messages(10000);
  config.set_commit_interval_ms(100);
  config.set_shutdown_timeout_ms(30000);
  config.set_transaction_max_messages(1000);
  config.set_max_inflight_bytes(256ull << 20);
  config.set_message_time_budget_ms(10000);
  config.set_max_producer_queue(100000);
  config.set_max_output_bytes(1000000);
  // changelog_topic stays unset: "<group_id>-changelog" of the final group id.
  kafka.set_changelog_partitions(6);
  config.set_changelog_restore_timeout_ms(120000);
  config.set_transaction_call_timeout_ms(10000);
  return config;
}

std::string DefaultChangelogTopic(absl::string_view group_id) {
  return absl::StrCat(group_id, "-changelog");
}

void ApplyDefaults(v1::PipelineConfig& config) {
  const v1::PipelineConfig d = DefaultConfig();
  v1::KafkaConfig& kafka = *config.mutable_kafka();
  // No default for kafka.brokers: a config file names its cluster ("embedded" for the
  // demo cluster must be explicit).
  if (kafka.group_id().empty()) kafka.set_group_id(d.kafka().group_id());
  if (kafka.input_topics().empty() && kafka.input_topic_pattern().empty()) {
    *kafka.mutable_input_topics() = d.kafka().input_topics();
  }
  if (kafka.output_topic().empty()) kafka.set_output_topic(d.kafka().output_topic());
  if (kafka.dead_letter_topic().empty()) kafka.set_dead_letter_topic(d.kafka().dead_letter_topic());
  if (config.delivery() == v1::DELIVERY_MODE_UNSPECIFIED) config.set_delivery(d.delivery());
  if (config.stages().empty()) *config.mutable_stages() = d.stages();
  if (config.max_inflight_messages() == 0) config.set_max_inflight_messages(d.max_inflight_messages());
  if (config.commit_interval_ms() == 0) config.set_commit_interval_ms(d.commit_interval_ms());
  if (config.shutdown_timeout_ms() == 0) config.set_shutdown_timeout_ms(d.shutdown_timeout_ms());
  if (config.transaction_max_messages() == 0) {
    config.set_transaction_max_messages(d.transaction_max_messages());
  }
  if (config.max_inflight_bytes() == 0) config.set_max_inflight_bytes(d.max_inflight_bytes());
  if (config.message_time_budget_ms() == 0) {
    config.set_message_time_budget_ms(d.message_time_budget_ms());
  }
  if (config.max_producer_queue() == 0) config.set_max_producer_queue(d.max_producer_queue());
  if (config.max_output_bytes() == 0) config.set_max_output_bytes(d.max_output_bytes());
  if (kafka.changelog_topic().empty()) {
    kafka.set_changelog_topic(DefaultChangelogTopic(kafka.group_id()));
  }
  if (kafka.changelog_partitions() == 0) {
    kafka.set_changelog_partitions(d.kafka().changelog_partitions());
  }
  if (config.changelog_restore_timeout_ms() == 0) {
    config.set_changelog_restore_timeout_ms(d.changelog_restore_timeout_ms());
  }
  if (config.transaction_call_timeout_ms() == 0) {
    config.set_transaction_call_timeout_ms(d.transaction_call_timeout_ms());
  }
}

absl::StatusOr<v1::PipelineConfig> ParseConfig(absl::string_view text) {
  v1::PipelineConfig config;
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(errors.error().empty() ? "unparseable textproto"
                                                              : errors.error());
  }
  return config;
}

absl::StatusOr<v1::PipelineConfig> LoadConfig(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a config file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read config file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<v1::PipelineConfig> config = ParseConfig(buffer.str());
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", config.status().message()));
  }
  // Secrets come from the environment or files, not the config file.
  if (absl::Status s = ExpandConfigReferences(*config); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
  }
  ApplyDefaults(*config);
  return config;
}

namespace {

// An IP address or a DNS name.
bool ValidHost(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::string text(host);
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1 || inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return true;
  }
  // A DNS name: dot-separated labels of letters, digits, '-' (not first or last)
  // and '_' (Docker and some resolvers allow it), with an optional final dot.
  absl::string_view name = host;
  if (absl::EndsWith(name, ".")) name.remove_suffix(1);
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    }
  }
  return true;
}

// librdkafka properties holding secrets (librdkafka redacts them in its own logs).
bool SecretProperty(absl::string_view key) {
  for (absl::string_view part : {"password", "secret", "ssl.key.pem", "ssl_key",
                                 "sasl.oauthbearer.config", "sasl.jaas.config"}) {
    if (absl::StrContains(key, part)) return true;
  }
  return false;
}

// `status` with the values of the config's secret properties replaced by
// "[redacted]": an error message quoting a value (librdkafka's, or one of
// ValidateConfig's) must not print a password that came from ${...}.
absl::Status Redacted(const v1::KafkaConfig& kafka, absl::Status status) {
  if (status.ok()) return status;
  std::string message(status.message());
  bool changed = false;
  for (const auto* props :
       {&kafka.properties(), &kafka.consumer_properties(), &kafka.producer_properties()}) {
    for (const auto& [key, value] : *props) {
      if (value.empty() || !SecretProperty(key) || !absl::StrContains(message, value)) continue;
      message = absl::StrReplaceAll(message, {{value, "[redacted]"}});
      changed = true;
    }
  }
  return changed ? absl::Status(status.code(), message) : status;
}

absl::Status ValidateConfigUnredacted(const v1::PipelineConfig& config,
                                      StageMetricsBackend* metrics,
                                      std::unique_ptr<Chain>* chain);

}  // namespace

absl::Status ParseHostPort(absl::string_view address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected HOST:PORT or :PORT, got '", address, "'"));
  }
  absl::string_view h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
    in6_addr v6;
    if (inet_pton(AF_INET6, std::string(h).c_str(), &v6) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", h, "' in brackets is not an IPv6 address in '", address, "'"));
    }
  } else if (absl::StrContains(h, ':')) {
    return absl::InvalidArgumentError(
        absl::StrCat("an IPv6 host needs brackets ([::1]:9464), got '", address, "'"));
  } else if (!h.empty() && !ValidHost(h)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", h, "' is not a host name or IP address in '", address, "'"));
  }
  int p = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &p) || p < 0 || p > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in '", address, "'"));
  }
  *host = std::string(h);
  *port = p;
  return absl::OkStatus();
}

absl::Status ValidateBrokerList(absl::string_view brokers) {
  if (brokers.empty()) return absl::InvalidArgumentError("empty broker list");
  for (absl::string_view broker : absl::StrSplit(brokers, ',')) {
    absl::string_view b = absl::StripAsciiWhitespace(broker);
    if (b.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty entry in '", brokers, "' (expected HOST:PORT,HOST:PORT)"));
    }
    // librdkafka accepts a security protocol prefix: SASL_SSL://host:9093.
    if (size_t scheme = b.find("://"); scheme != absl::string_view::npos) {
      b.remove_prefix(scheme + 3);
    }
    std::string host;
    int port = 0;
    if (absl::Status s = ParseHostPort(b, &host, &port); !s.ok()) return s;
    if (host.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("'", broker, "' has no host"));
    }
    if (port == 0) return absl::InvalidArgumentError(absl::StrCat("'", broker, "' has port 0"));
  }
  return absl::OkStatus();
}

absl::Status ValidateConfig(const v1::PipelineConfig& config) {
  return Redacted(config.kafka(), ValidateConfigUnredacted(config, nullptr, nullptr));
}

absl::StatusOr<std::unique_ptr<Chain>> ValidateConfigAndBuildChain(
    const v1::PipelineConfig& config, StageMetricsBackend* metrics) {
  std::unique_ptr<Chain> chain;
  if (absl::Status s = Redacted(config.kafka(), ValidateConfigUnredacted(config, metrics, &chain));
      !s.ok()) {
    return s;
  }
  return chain;
}

namespace {

absl::Status ValidateConfigUnredacted(const v1::PipelineConfig& config,
                                      StageMetricsBackend* metrics,
                                      std::unique_ptr<Chain>* chain_out) {
  const v1::KafkaConfig& kafka = config.kafka();
  if (kafka.brokers().empty()) {
    return absl::InvalidArgumentError(
        "kafka.brokers: required (bootstrap servers \"host:port,...\", or \"embedded\" for "
        "the in-process demo cluster)");
  }
  if (kafka.brokers() != "embedded") {
    if (absl::Status s = ValidateBrokerList(kafka.brokers()); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.brokers: ", s.message(), " (bootstrap servers \"host:port,...\", or "
          "\"embedded\")"));
    }
  }
  if (kafka.group_id().empty()) return absl::InvalidArgumentError("kafka.group_id: empty");
  if (kafka.input_topics().empty() && kafka.input_topic_pattern().empty()) {
    return absl::InvalidArgumentError(
        "kafka.input_topics: at least one topic (or a kafka.input_topic_pattern) is required");
  }
  if (!kafka.input_topic_pattern().empty()) {
    if (absl::Status s = ValidateTopicPattern(kafka); !s.ok()) return s;
  }
  std::set<std::string> inputs;
  for (int i = 0; i < kafka.input_topics_size(); ++i) {
    const std::string& t = kafka.input_topics(i);
    if (t.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("kafka.input_topics[", i, "]: empty topic name"));
    }
    if (!ValidTopicName(t)) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka.input_topics[", i, "]: '", t,
                       "' is not a valid Kafka topic name ([a-zA-Z0-9._-], at most 249)"));
    }
    if (!inputs.insert(t).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka.input_topics[", i, "]: duplicate topic '", t, "'"));
    }
  }
  if (kafka.output_topic().empty()) return absl::InvalidArgumentError("kafka.output_topic: empty");
  if (kafka.dead_letter_topic().empty()) {
    return absl::InvalidArgumentError("kafka.dead_letter_topic: empty");
  }
  for (const std::string* out : {&kafka.output_topic(), &kafka.dead_letter_topic()}) {
    if (inputs.count(*out)) {
      return absl::InvalidArgumentError(absl::StrCat(
          out == &kafka.output_topic() ? "kafka.output_topic" : "kafka.dead_letter_topic",
          ": '", *out, "' is also an input topic (the daemon would consume its own output)"));
    }
  }
  for (const auto* field : {&kafka.output_topic(), &kafka.dead_letter_topic()}) {
    if (!ValidTopicName(*field)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field == &kafka.output_topic() ? "kafka.output_topic" : "kafka.dead_letter_topic",
          ": '", *field, "' is not a valid Kafka topic name ([a-zA-Z0-9._-], at most 249)"));
    }
  }
  if (!kafka.changelog_topic().empty()) {
    if (!ValidTopicName(kafka.changelog_topic())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.changelog_topic: '", kafka.changelog_topic(),
          "' is not a valid Kafka topic name ([a-zA-Z0-9._-], at most 249)"));
    }
    if (inputs.count(kafka.changelog_topic()) ||
        kafka.changelog_topic() == kafka.output_topic() ||
        kafka.changelog_topic() == kafka.dead_letter_topic()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.changelog_topic: '", kafka.changelog_topic(),
          "' is also an input, output or dead-letter topic; the changelog needs its own"));
    }
  }
  if (kafka.changelog_partitions() > 10000) {
    return absl::InvalidArgumentError("kafka.changelog_partitions: at most 10000");
  }
  if (kafka.dead_letter_topic() == kafka.output_topic()) {
    return absl::InvalidArgumentError(
        "kafka.dead_letter_topic: same topic as kafka.output_topic; dead letters need their own");
  }
  if (absl::Status s = CheckProperties(kafka.properties(), "kafka.properties"); !s.ok()) return s;
  if (absl::Status s = CheckProperties(kafka.consumer_properties(), "kafka.consumer_properties");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckProperties(kafka.producer_properties(), "kafka.producer_properties");
      !s.ok()) {
    return s;
  }
  if (!kafka.transactional_id().empty() && config.delivery() != v1::EXACTLY_ONCE) {
    return absl::InvalidArgumentError(
        "kafka.transactional_id: only used with delivery: EXACTLY_ONCE");
  }
  if (!config.metrics_address().empty()) {
    std::string host;
    int port;
    if (absl::Status s = ParseHostPort(config.metrics_address(), &host, &port); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("metrics_address: ", s.message()));
    }
    if (absl::StrContains(host, ':')) {
      // mg_check_feature(8) is 0 for Debian's civetweb 1.15: it cannot listen there.
      return absl::InvalidArgumentError(absl::StrCat(
          "metrics_address: '", config.metrics_address(),
          "': the HTTP server (civetweb) is built without IPv6; use an IPv4 address, a host "
          "name or :PORT (all IPv4 interfaces)"));
    }
  }
  if (config.worker_threads() > 256) {
    return absl::InvalidArgumentError("worker_threads: at most 256");
  }
  if (absl::Status s = CheckRanges({
          {"max_inflight_messages", config.max_inflight_messages(), 1, 10000000,
           "the consumer pauses above it"},
          {"commit_interval_ms", config.commit_interval_ms(), 1, 600000,
           "commits at most every 10 minutes"},
          {"shutdown_timeout_ms", config.shutdown_timeout_ms(), 100, 3600000,
           "the SIGTERM drain deadline (Kubernetes' default grace period is 30 s)"},
          {"transaction_max_messages", config.transaction_max_messages(), 1, 10000000,
           "messages per transaction"},
          {"max_inflight_bytes", config.max_inflight_bytes(), uint64_t{1} << 20,
           uint64_t{64} << 30, "between 1 MiB and 64 GiB of consumed values held in memory"},
          {"message_time_budget_ms", config.message_time_budget_ms(), 100, 3600000,
           "per-message processing budget"},
          {"max_producer_queue", config.max_producer_queue(), 100, 10000000,
           "producer queue depth (messages)"},
          {"max_output_bytes", config.max_output_bytes(), 1024, 1000000000,
           "librdkafka's message.max.bytes is at most 1000000000"},
          {"changelog_restore_timeout_ms", config.changelog_restore_timeout_ms(), 1000, 86400000,
           "start-up wait for the changelog"},
          {"transaction_call_timeout_ms", config.transaction_call_timeout_ms(), 1000, 600000,
           "one transaction call; shorter than a broker round trip under load makes every "
           "send_offsets_to_transaction fail"},
          {"kafka.changelog_replication_factor", kafka.changelog_replication_factor(), 1, 32767,
           "Kafka's replication factor is a 16-bit number"},
      });
      !s.ok()) {
    return s;
  }
  if (config.delivery() != v1::AT_LEAST_ONCE) {
    // The broker aborts (and fences) a transaction open longer than the producer's
    // transaction.timeout.ms (librdkafka default 60000). A transaction stays open for
    // up to commit_interval_ms plus the send_offsets_to_transaction and
    // commit_transaction calls, each bounded by transaction_call_timeout_ms.
    const v1::PipelineConfig d = DefaultConfig();
    const uint64_t interval =
        config.commit_interval_ms() ? config.commit_interval_ms() : d.commit_interval_ms();
    const uint64_t call = config.transaction_call_timeout_ms() ? config.transaction_call_timeout_ms()
                                                               : d.transaction_call_timeout_ms();
    uint64_t txn_timeout = 60000;
    const std::optional<std::string> set = ProducerProperty(kafka, "transaction.timeout.ms");
    if (set.has_value() && !absl::SimpleAtoi(*set, &txn_timeout)) {
      txn_timeout = 0;  // librdkafka rejected it above
    }
    if (txn_timeout <= interval + 2 * call) {
      return absl::InvalidArgumentError(absl::StrCat(
          "kafka.producer_properties[\"transaction.timeout.ms\"]: ", txn_timeout, " ms",
          set.has_value() ? "" : " (librdkafka's default)",
          " must exceed commit_interval_ms + 2 x transaction_call_timeout_ms = ", interval,
          " + 2 x ", call, " ms, or the broker aborts open transactions and fences the "
          "producer; raise it (the broker caps it at transaction.max.timeout.ms, default "
          "900000) or lower the other two"));
    }
  }
  // librdkafka's own checks: the clients created as the daemon creates them.
  if (absl::Status s = CheckKafkaClients(config); !s.ok()) return s;
  std::set<std::string> stage_names;
  for (int i = 0; i < config.stages_size(); ++i) {
    if (!stage_names.insert(config.stages(i).name()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stages[", i, "]: stage '", config.stages(i).name(), "' appears twice"));
    }
  }
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(config.stages(), metrics);
  if (!chain.ok()) return absl::InvalidArgumentError(chain.status().message());
  if (chain_out != nullptr) *chain_out = *std::move(chain);
  return absl::OkStatus();
}

}  // namespace
}  // namespace newsd
