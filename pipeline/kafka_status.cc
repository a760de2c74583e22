#include "pipeline/kafka_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/kafka_client_errors.h"
#include "pipeline/kafka_log_capture.h"
#include "pipeline/log.h"

namespace newsd {

absl::StatusCode KafkaStatusCode(RdKafka::ErrorCode code) {
  switch (code) {
    case RdKafka::ERR_NO_ERROR:
      return absl::StatusCode::kOk;
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__RESOLVE:
    case RdKafka::ERR_REQUEST_TIMED_OUT:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_BROKER_NOT_AVAILABLE:
    case RdKafka::ERR_NETWORK_EXCEPTION:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_COORDINATOR:
    case RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RdKafka::ERR_REBALANCE_IN_PROGRESS:
      return absl::StatusCode::kUnavailable;
    case RdKafka::ERR__QUEUE_FULL:
      return absl::StatusCode::kResourceExhausted;
    case RdKafka::ERR__MSG_TIMED_OUT:
      return absl::StatusCode::kDeadlineExceeded;
    case RdKafka::ERR__INVALID_ARG:
    case RdKafka::ERR__UNKNOWN_TOPIC:
    case RdKafka::ERR__UNKNOWN_PARTITION:
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
    case RdKafka::ERR_INVALID_CONFIG:
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_TOPIC_EXCEPTION:
      return absl::StatusCode::kInvalidArgument;
    case RdKafka::ERR__FATAL:
    case RdKafka::ERR__FENCED:
    case RdKafka::ERR_PRODUCER_FENCED:
    case RdKafka::ERR_INVALID_PRODUCER_EPOCH:
    case RdKafka::ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
      return absl::StatusCode::kFailedPrecondition;
    case RdKafka::ERR__STATE:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kUnknown;
  }
}

namespace {
constexpr absl::string_view kKafkaErrorPayload = "newsd.kafka_error";
}  // namespace

absl::Status KafkaStatus(RdKafka::ErrorCode code, absl::string_view context) {
  if (code == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
  return WithKafkaErrorCode(
      absl::Status(KafkaStatusCode(code),
                   absl::StrCat(context, ": ", RdKafka::err2str(code), " (", code, ")")),
      code);
}

absl::Status WithKafkaErrorCode(absl::Status status, RdKafka::ErrorCode code) {
  if (!status.ok()) status.SetPayload(kKafkaErrorPayload, absl::Cord(absl::StrCat(code)));
  return status;
}

std::optional<RdKafka::ErrorCode> KafkaErrorCode(const absl::Status& status) {
  auto payload = status.GetPayload(kKafkaErrorPayload);
  int code = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &code)) return std::nullopt;
  return static_cast<RdKafka::ErrorCode>(code);
}

bool IsProducerFenced(const absl::Status& status) {
  const std::optional<RdKafka::ErrorCode> code = KafkaErrorCode(status);
  return code && (*code == RdKafka::ERR__FENCED || *code == RdKafka::ERR_PRODUCER_FENCED ||
                  *code == RdKafka::ERR_INVALID_PRODUCER_EPOCH);
}

absl::Status SetKafkaProperty(RdKafka::Conf& conf, const std::string& key,
                              const std::string& value) {
  std::string err;
  if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK) {
    return absl::InvalidArgumentError(absl::StrCat("kafka property '", key, "': ", err));
  }
  return absl::OkStatus();
}

void LogKafkaEvent(absl::string_view client, const RdKafka::Event& event) {
  // (Event's accessors are not const in librdkafka's C++ API.)
  RdKafka::Event& e = const_cast<RdKafka::Event&>(event);
  CaptureKafkaEvent(event);  // configuration warnings, for validation
  if (e.type() == RdKafka::Event::EVENT_ERROR) {
    uint64_t suppressed = 0;
    const bool log =
        KafkaClientErrors::Process().Record(client, e.err(), e.str(), absl::Now(), &suppressed);
    if (!log && !e.fatal()) return;  // a repeat within KafkaClientErrors::kLogInterval
    const KafkaErrorClass error_class = ClassifyKafkaError(e.err());
    // Failures that keep the client from ever connecting are errors; a transport
    // error (a broker closed a connection, refused one) is a warning.
    const bool error = e.fatal() || error_class == KafkaErrorClass::kAuthentication ||
                       error_class == KafkaErrorClass::kSsl ||
                       error_class == KafkaErrorClass::kAllBrokersDown;
    Log(error ? LogLevel::kError : LogLevel::kWarning,
        absl::StrCat(client, ": ", RdKafka::err2str(e.err()), ": ", e.str(),
                     suppressed > 0 ? absl::StrCat(" (", suppressed, " more since the last line, "
                                                   "not logged)")
                                    : ""));
  } else if (e.type() == RdKafka::Event::EVENT_LOG) {
    const bool error =
        e.severity() <= RdKafka::Event::EVENT_SEVERITY_ERROR && e.fac() != "FAIL";
    Log(error ? LogLevel::kError : LogLevel::kDebug,
        absl::StrCat(client, ": ", e.fac(), ": ", e.str()));
  }
}

}  // namespace newsd
