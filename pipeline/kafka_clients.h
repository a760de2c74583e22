// The one builder of every Kafka client's configuration: the daemon's three
// clients (producer, group consumer, changelog reader) as a PipelineConfig defines
// them (Daemon::Create), the clients of the CLI tools (`newsd produce`, `newsd
// consume`), and the complete librdkafka property list each client is created with
// (KafkaSink::Create, KafkaSource::Create, ChangelogReader::Create and the CLI's
// consumer apply exactly these; no other place sets a client property). Also a dry
// run that creates the daemon's clients the same way without connecting, for
// validation (ValidateConfig, `newsd validate-config`). The builders are pure
// functions (any thread).
#ifndef NEWSD_PIPELINE_KAFKA_CLIENTS_H_
#define NEWSD_PIPELINE_KAFKA_CLIENTS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "newsd/v1/config.pb.h"
#include "pipeline/changelog.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"

namespace newsd {

// librdkafka properties (name, value) in the order they are applied: a later
// entry overrides an earlier one with the same name.
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

struct KafkaClientOptions {
  // transactional_id: kafka.transactional_id in EXACTLY_ONCE mode (empty: the
  // daemon picks its default), empty in AT_LEAST_ONCE mode.
  KafkaSinkOptions producer;
  KafkaSourceOptions consumer;
  // own_instance is left empty (the daemon sets its instance id).
  ChangelogReaderOptions changelog;
};

// Options of the three clients for `config` (after ApplyDefaults): brokers, group,
// topics, the properties newsd sets, then kafka.properties and the client-specific
// kafka.producer_properties / kafka.consumer_properties (which win).
KafkaClientOptions KafkaClientOptionsFromConfig(const v1::PipelineConfig& config);

// Options of the producer of `newsd produce` (and `newsd demo`): an idempotent
// producer to `brokers`, with room for large wire items (message.max.bytes as the
// daemon's producer).
KafkaSinkOptions ToolProducerOptions(const std::string& brokers);

// The complete librdkafka configuration of each kind of client: bootstrap.servers
// and the properties newsd sets for that kind, then `options.properties` (the
// config's kafka.properties and the client-specific maps, which thus win over
// newsd's), then what no setting may change (the changelog reader always reads
// committed records only). Callbacks (dr_cb, event_cb, rebalance_cb) are set by
// the client itself.
KafkaProperties ProducerProperties(const KafkaSinkOptions& options);
KafkaProperties ConsumerProperties(const KafkaSourceOptions& options);
KafkaProperties ChangelogReaderProperties(const ChangelogReaderOptions& options);
// The consumer of `newsd consume`: reads committed records of assigned partitions
// from `brokers`, in a group it never joins nor commits to.
KafkaProperties ToolConsumerProperties(const std::string& brokers);

// Creates the three clients exactly as the daemon would, except without
// bootstrap servers (nothing connects), and destroys them. kInvalidArgument,
// naming the field path, when librdkafka refuses to create one (e.g. SASL
// without sasl.password) or logs a warning while creating it (e.g. "Configuration
// property linger.ms is a producer property and will be ignored by this consumer
// instance"): a configuration that librdkafka warns about is treated as an error.
absl::Status CheckKafkaClients(const v1::PipelineConfig& config);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_CLIENTS_H_
