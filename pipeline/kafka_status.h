// RdKafka::ErrorCode → absl::Status, with the retry policy carried by the code:
//   kUnavailable        transport / broker down / timed-out request: retry the call;
//   kResourceExhausted  local queue full: poll, then retry;
//   kDeadlineExceeded   message timed out in the producer queue (message.timeout.ms);
//   kInvalidArgument    bad configuration, unknown topic or partition;
//   kAborted            the transaction must be aborted and retried;
//   kFailedPrecondition fatal client error (fenced producer, idempotence violated):
//                       stop producing and exit;
//   kUnknown            anything else.
#ifndef NEWSD_PIPELINE_KAFKA_STATUS_H_
#define NEWSD_PIPELINE_KAFKA_STATUS_H_

#include <librdkafka/rdkafkacpp.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace newsd {

// OK for ERR_NO_ERROR; otherwise a status whose message is "<context>: <librdkafka
// error string> (<error name>)".
absl::Status KafkaStatus(RdKafka::ErrorCode code, absl::string_view context);

// The librdkafka error code a status from KafkaStatus (or WithKafkaErrorCode)
// carries as its payload "newsd.kafka_error" (decimal); nullopt for other statuses.
std::optional<RdKafka::ErrorCode> KafkaErrorCode(const absl::Status& status);
// `status` with `code` attached as its "newsd.kafka_error" payload.
absl::Status WithKafkaErrorCode(absl::Status status, RdKafka::ErrorCode code);

// True when `status` carries a fencing error: the transactional producer's epoch was
// bumped by another init_transactions under the same transactional.id (ERR__FENCED,
// PRODUCER_FENCED, INVALID_PRODUCER_EPOCH).
bool IsProducerFenced(const absl::Status& status);

// The absl code KafkaStatus maps `code` to.
absl::StatusCode KafkaStatusCode(RdKafka::ErrorCode code);

// Sets one librdkafka property; kInvalidArgument naming the property when
// librdkafka rejects it.
absl::Status SetKafkaProperty(RdKafka::Conf& conf, const std::string& key,
                              const std::string& value);

// Logs a librdkafka error or log event of client `client` ("producer", "consumer",
// ...) in newsd's format. Error events are recorded in KafkaClientErrors::Process()
// (counted, kept for /readyz) and logged when they happen, repeats of a client's
// error code within 30 s only counted (see kafka_client_errors.h): fatal errors and
// authentication, TLS/SSL and all-brokers-down errors at ERROR, other errors at
// WARN; log events at
// ERROR when their syslog severity is error or worse, except facility FAIL
// (connection failures, which arrive again as transport error events) and
// everything else at DEBUG. Other event types are ignored.
void LogKafkaEvent(absl::string_view client, const RdKafka::Event& event);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_STATUS_H_
