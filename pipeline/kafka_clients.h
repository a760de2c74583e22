// The daemon's three Kafka clients (producer, group consumer, changelog reader) as
// a PipelineConfig defines them: one place for the options the daemon creates them
// with (Daemon::Create), and a dry run that creates them the same way without
// connecting, for validation (ValidateConfig, `newsd validate-config`).
#ifndef NEWSD_PIPELINE_KAFKA_CLIENTS_H_
#define NEWSD_PIPELINE_KAFKA_CLIENTS_H_

#include "absl/status/status.h"
#include "newsd/v1/config.pb.h"
#include "pipeline/changelog.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"

namespace newsd {

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

// Creates the three clients exactly as the daemon would, except without
// bootstrap servers (nothing connects), and destroys them. kInvalidArgument,
// naming the field path, when librdkafka refuses to create one (e.g. SASL
// without sasl.password) or logs a warning while creating it (e.g. "Configuration
// property linger.ms is a producer property and will be ignored by this consumer
// instance"): a configuration that librdkafka warns about is treated as an error.
absl::Status CheckKafkaClients(const v1::PipelineConfig& config);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_CLIENTS_H_
