// Loading, defaulting and validating the textproto PipelineConfig.
#ifndef NEWSD_PIPELINE_CONFIG_H_
#define NEWSD_PIPELINE_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newsd/v1/config.pb.h"
#include "pipeline/chain.h"
#include "pipeline/stage_metrics.h"

namespace newsd {

// Built-in defaults used by `newsd run` without --config: brokers "embedded",
// group "newsd", news.raw → news.events, dead letters news.dlq, metrics on
// 127.0.0.1:9464, chain decode → segment → language.
v1::PipelineConfig DefaultConfig();

// The changelog topic of a consumer group when kafka.changelog_topic is unset:
// "<group_id>-changelog".
std::string DefaultChangelogTopic(absl::string_view group_id);

// Fills every unset field of `config` from DefaultConfig() (stage list included
// when empty), except kafka.brokers, which a config file must give.
void ApplyDefaults(v1::PipelineConfig& config);

// Parses textproto `text`. kInvalidArgument with "line L:C: …" on syntax errors
// and unknown fields.
absl::StatusOr<v1::PipelineConfig> ParseConfig(absl::string_view text);

// Reads and parses the file at `path`, expands the ${ENV_VAR} and ${file:/path}
// references of its string fields (pipeline/config_expand.h), then applies defaults.
// kNotFound if the file (or a referenced file) cannot be read; kInvalidArgument as
// ParseConfig ("FILE:L:C: …") or for an unset variable ("FILE: FIELD: environment
// variable X is not set …").
absl::StatusOr<v1::PipelineConfig> LoadConfig(const std::string& path);

// Semantic checks after defaults. kInvalidArgument whose message starts with the
// field path, e.g. `kafka.input_topics[1]: empty topic name`,
// `kafka.properties["enable.auto.commit"]: set by newsd, remove it`,
// `stages[2]: unknown stage 'foo'`, `metrics_address: expected HOST:PORT`,
// `kafka.brokers: 'b:x' bad port`. librdkafka properties are checked by librdkafka
// itself (name and value type), then the producer and consumers are created as the
// daemon creates them, without connecting (pipeline/kafka_clients.h): a client
// librdkafka refuses or warns about is an error naming the property;
// topic names by Kafka's rule [a-zA-Z0-9._-]{1,249}. Builds the chain to validate
// the stages (options, order, contracts) and discards it.
absl::Status ValidateConfig(const v1::PipelineConfig& config);

// ValidateConfig, returning the chain it built instead of discarding it: the one
// chain of the process (`newsd run` and `extract` build no second one). The stages
// register their metrics in `metrics` (NoopStageMetrics when null), which must
// outlive the chain. Errors as ValidateConfig.
absl::StatusOr<std::unique_ptr<Chain>> ValidateConfigAndBuildChain(
    const v1::PipelineConfig& config, StageMetricsBackend* metrics);

// Splits "HOST:PORT": HOST an IPv4 address, a bracketed IPv6 address ("[::1]:9464",
// host "::1") or a DNS name; ":PORT" gives an empty host (all interfaces). PORT
// 0..65535. kInvalidArgument if malformed ("not a host:9464", "9464", "h:99999").
// (metrics_address itself must not be IPv6: ValidateConfig rejects it, the HTTP
// server has no IPv6.)
absl::Status ParseHostPort(absl::string_view address, std::string* host, int* port);

// Checks a bootstrap server list "HOST:PORT,HOST:PORT" (an entry may carry
// librdkafka's "PROTOCOL://" prefix; spaces around entries are ignored; PORT
// 1..65535). kInvalidArgument naming the bad entry.
absl::Status ValidateBrokerList(absl::string_view brokers);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_CONFIG_H_
