#include "pipeline/kafka_clients.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/config.h"
#include "pipeline/kafka_log_capture.h"

namespace newsd {
namespace {

using Properties = KafkaProperties;

// Large wire items must fit in their dead letter; brokers cap it per topic.
constexpr char kProducerMessageMaxBytes[] = "33554432";

Properties MergeProperties(const google::protobuf::Map<std::string, std::string>& common,
                           const google::protobuf::Map<std::string, std::string>& specific) {
  // Sorted for deterministic application; specific ones applied last (override).
  std::map<std::string, std::string> a(common.begin(), common.end());
  std::map<std::string, std::string> b(specific.begin(), specific.end());
  Properties out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

enum class Client { kProducer, kConsumer, kChangelogReader };

const char* ClientName(Client client) {
  switch (client) {
    case Client::kProducer:
      return "producer";
    case Client::kConsumer:
      return "consumer";
    case Client::kChangelogReader:
      return "changelog reader (a consumer)";
  }
  return "client";
}

// One property of the config that reaches a client, with its field path.
struct UserProperty {
  std::string field;  // kafka.properties["linger.ms"]
  std::string map;    // "properties", "producer_properties" or "consumer_properties"
  std::string key;
  std::string value;
};

// The properties of `config` that `client` is created with, the one in effect
// when both maps name a key, sorted by key within each map.
std::vector<UserProperty> UserProperties(const v1::KafkaConfig& kafka, Client client) {
  const bool producer = client == Client::kProducer;
  const auto& specific = producer ? kafka.producer_properties() : kafka.consumer_properties();
  const std::string specific_name = producer ? "producer_properties" : "consumer_properties";
  std::vector<UserProperty> out;
  for (const auto& [key, value] :
       std::map<std::string, std::string>(kafka.properties().begin(), kafka.properties().end())) {
    if (specific.count(key)) continue;
    out.push_back({absl::StrCat("kafka.properties[\"", key, "\"]"), "properties", key, value});
  }
  for (const auto& [key, value] :
       std::map<std::string, std::string>(specific.begin(), specific.end())) {
    out.push_back(
        {absl::StrCat("kafka.", specific_name, "[\"", key, "\"]"), specific_name, key, value});
  }
  return out;
}

// Whether `text` names `key` as a whole word ("sasl.password", not "sasl.password2").
bool Names(absl::string_view text, absl::string_view key) {
  auto word_char = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
  };
  for (size_t at = text.find(key); at != absl::string_view::npos; at = text.find(key, at + 1)) {
    const bool starts = at == 0 || !word_char(text[at - 1]);
    const size_t end = at + key.size();
    // A sentence may end right after the name.
    const bool ends = end == text.size() || !word_char(text[end]) ||
                      (text[end] == '.' && (end + 1 == text.size() || text[end + 1] == ' '));
    if (starts && ends) return true;
  }
  return false;
}

// The property a librdkafka message is about: one it names (an empty one first).
std::optional<UserProperty> Named(const std::vector<UserProperty>& properties,
                                  absl::string_view text) {
  std::optional<UserProperty> named;
  for (const UserProperty& p : properties) {
    if (!Names(text, p.key)) continue;
    if (p.value.empty()) return p;
    if (!named) named = p;
  }
  return named;
}

class IgnoreRebalances : public RebalanceListener {
 public:
  void OnAssigned(const std::vector<TopicPartition>&) override {}
  void OnRevoked(const std::vector<TopicPartition>&, bool) override {}
};

struct DryRun {
  absl::Status status;
  std::vector<std::string> warnings;
};

// Creates and destroys `client` from `config` as the daemon would, without
// bootstrap servers, so that nothing connects.
DryRun CreateClient(Client client, const v1::PipelineConfig& config) {
  KafkaClientOptions options = KafkaClientOptionsFromConfig(config);
  DryRun run;
  switch (client) {
    case Client::kProducer: {
      options.producer.brokers.clear();
      if (config.delivery() == v1::EXACTLY_ONCE && options.producer.transactional_id.empty()) {
        options.producer.transactional_id = "newsd-validate-config";  // the daemon's default
      }
      KafkaLogCapture capture;
      absl::StatusOr<std::unique_ptr<KafkaSink>> sink =
          KafkaSink::Create(options.producer, [](KafkaSink::DeliveryReport) {});
      run = {sink.status(), capture.warnings()};
      break;
    }
    case Client::kConsumer: {
      options.consumer.brokers.clear();
      IgnoreRebalances listener;  // outlives the consumer
      KafkaLogCapture capture;
      absl::StatusOr<std::unique_ptr<KafkaSource>> source =
          KafkaSource::Create(options.consumer, &listener);
      run = {source.status(), capture.warnings()};
      break;
    }
    case Client::kChangelogReader: {
      options.changelog.brokers.clear();
      KafkaLogCapture capture;
      absl::StatusOr<std::unique_ptr<ChangelogReader>> reader =
          ChangelogReader::Create(options.changelog, {}, nullptr);
      run = {reader.status(), capture.warnings()};
      break;
    }
  }
  return run;
}

// `config` with `property` as its only librdkafka property.
v1::PipelineConfig WithOnly(const v1::PipelineConfig& config, const UserProperty& property) {
  v1::PipelineConfig only = config;
  v1::KafkaConfig& kafka = *only.mutable_kafka();
  kafka.clear_properties();
  kafka.clear_producer_properties();
  kafka.clear_consumer_properties();
  auto* map = property.map == "properties"            ? kafka.mutable_properties()
              : property.map == "producer_properties" ? kafka.mutable_producer_properties()
                                                      : kafka.mutable_consumer_properties();
  (*map)[property.key] = property.value;
  return only;
}

absl::Status CheckClient(Client client, const v1::PipelineConfig& config) {
  const DryRun run = CreateClient(client, config);
  if (run.status.ok() && run.warnings.empty()) return absl::OkStatus();
  const std::vector<UserProperty> properties = UserProperties(config.kafka(), client);
  if (!run.status.ok()) {
    // "producer: sasl.username and sasl.password must be set"
    absl::string_view why = run.status.message();
    if (size_t colon = why.find(": "); colon != absl::string_view::npos) {
      why.remove_prefix(colon + 2);
    }
    const std::optional<UserProperty> named = Named(properties, why);
    return absl::InvalidArgumentError(absl::StrCat(named ? named->field : "kafka.properties",
                                                   ": librdkafka cannot create the ",
                                                   ClientName(client), ": ", why));
  }
  const std::string& warning = run.warnings.front();
  std::optional<UserProperty> culprit = Named(properties, warning);
  if (!culprit) {
    // librdkafka names a property by its canonical name (linger.ms is
    // queue.buffering.max.ms): find the one that causes the warning on its own.
    for (const UserProperty& p : properties) {
      if (!CreateClient(client, WithOnly(config, p)).warnings.empty()) {
        culprit = p;
        break;
      }
    }
  }
  std::string hint;
  if (culprit && culprit->map == "properties" && absl::StrContains(warning, "will be ignored")) {
    hint = absl::StrCat("; kafka.properties go to the producer and both consumers: move it to ",
                        client == Client::kProducer ? "kafka.consumer_properties"
                                                    : "kafka.producer_properties");
  }
  return absl::InvalidArgumentError(absl::StrCat(culprit ? culprit->field : "kafka.properties",
                                                 ": librdkafka warns when creating the ",
                                                 ClientName(client), ": ", warning, hint));
}

}  // namespace

KafkaClientOptions KafkaClientOptionsFromConfig(const v1::PipelineConfig& config) {
  const v1::KafkaConfig& kafka = config.kafka();
  const bool exactly_once = config.delivery() == v1::EXACTLY_ONCE;
  KafkaClientOptions options;

  KafkaSinkOptions& producer = options.producer;
  producer.brokers = kafka.brokers();
  producer.properties = {{"message.max.bytes", kProducerMessageMaxBytes}};
  if (exactly_once) {
    producer.transactional_id = kafka.transactional_id();
  } else {
    // A broker outage must pause, not fail: messages wait in the producer until the
    // brokers are back (and the consumer pauses on max_producer_queue).
    producer.properties.emplace_back("message.timeout.ms", "0");
  }
  for (auto& p : MergeProperties(kafka.properties(), kafka.producer_properties())) {
    producer.properties.push_back(std::move(p));
  }

  KafkaSourceOptions& consumer = options.consumer;
  consumer.brokers = kafka.brokers();
  consumer.group_id = kafka.group_id();
  consumer.topics.assign(kafka.input_topics().begin(), kafka.input_topics().end());
  if (!kafka.input_topic_pattern().empty()) consumer.topics.push_back(kafka.input_topic_pattern());
  consumer.properties = MergeProperties(kafka.properties(), kafka.consumer_properties());
  if (exactly_once) {
    // Never read outputs of aborted transactions upstream either.
    consumer.properties.insert(consumer.properties.begin(), {"isolation.level", "read_committed"});
  }

  ChangelogReaderOptions& changelog = options.changelog;
  changelog.brokers = kafka.brokers();
  changelog.topic = kafka.changelog_topic().empty() ? DefaultChangelogTopic(kafka.group_id())
                                                    : kafka.changelog_topic();
  changelog.client_id = absl::StrCat(kafka.group_id(), "-changelog-reader");
  changelog.properties = MergeProperties(kafka.properties(), kafka.consumer_properties());
  return options;
}

KafkaSinkOptions ToolProducerOptions(const std::string& brokers) {
  KafkaSinkOptions options;
  options.brokers = brokers;
  options.properties = {{"message.max.bytes", kProducerMessageMaxBytes}};
  return options;
}

KafkaProperties ProducerProperties(const KafkaSinkOptions& options) {
  KafkaProperties props = {
      {"bootstrap.servers", options.brokers},
      {"client.id", "newsd"},
      {"enable.idempotence", "true"},  // implies acks=all, ordered retries
      {"linger.ms", "5"},
      {"compression.type", "lz4"},
  };
  if (!options.transactional_id.empty()) {
    props.emplace_back("transactional.id", options.transactional_id);
  }
  props.insert(props.end(), options.properties.begin(), options.properties.end());
  return props;
}

KafkaProperties ConsumerProperties(const KafkaSourceOptions& options) {
  KafkaProperties props = {
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group_id},
      {"client.id", "newsd"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      // Unknown/missing input topics must not stop the others.
      {"allow.auto.create.topics", "false"},
      // New topics matching input_topic_pattern (and a named input topic created
      // after start) are consumed within 30 s, not librdkafka's 5 minutes.
      {"topic.metadata.refresh.interval.ms", "30000"},
  };
  props.insert(props.end(), options.properties.begin(), options.properties.end());
  return props;
}

KafkaProperties ChangelogReaderProperties(const ChangelogReaderOptions& options) {
  KafkaProperties props = {
      {"bootstrap.servers", options.brokers},
      // Required by the consumer API; never joined (manual assignment) nor
      // committed to.
      {"group.id", options.client_id},
      {"client.id", options.client_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"allow.auto.create.topics", "false"},
  };
  props.insert(props.end(), options.properties.begin(), options.properties.end());
  // Records of aborted transactions must never reach a store.
  props.emplace_back("isolation.level", "read_committed");
  return props;
}

KafkaProperties ToolConsumerProperties(const std::string& brokers) {
  return {{"bootstrap.servers", brokers},
          {"group.id", "newsd-consume-tool"},
          {"enable.auto.commit", "false"},
          {"isolation.level", "read_committed"}};
}

absl::Status CheckKafkaClients(const v1::PipelineConfig& config) {
  for (Client client : {Client::kProducer, Client::kConsumer, Client::kChangelogReader}) {
    if (absl::Status s = CheckClient(client, config); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace newsd
