#include "pipeline/kafka_client_errors.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace newsd {

KafkaErrorClass ClassifyKafkaError(RdKafka::ErrorCode code) {
  switch (code) {
    case RdKafka::ERR__AUTHENTICATION:
    case RdKafka::ERR_SASL_AUTHENTICATION_FAILED:
    case RdKafka::ERR_UNSUPPORTED_SASL_MECHANISM:
    case RdKafka::ERR_ILLEGAL_SASL_STATE:
      return KafkaErrorClass::kAuthentication;
    case RdKafka::ERR__SSL:
      return KafkaErrorClass::kSsl;
    case RdKafka::ERR__ALL_BROKERS_DOWN:
      return KafkaErrorClass::kAllBrokersDown;
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__RESOLVE:
    case RdKafka::ERR_NETWORK_EXCEPTION:
      return KafkaErrorClass::kTransport;
    default:
      return KafkaErrorClass::kOther;
  }
}

absl::string_view KafkaErrorClassName(KafkaErrorClass error_class) {
  switch (error_class) {
    case KafkaErrorClass::kAuthentication:
      return "authentication";
    case KafkaErrorClass::kSsl:
      return "ssl";
    case KafkaErrorClass::kAllBrokersDown:
      return "all_brokers_down";
    case KafkaErrorClass::kTransport:
      return "transport";
    case KafkaErrorClass::kOther:
      break;
  }
  return "other";
}

KafkaClientKind KafkaClientKindOf(absl::string_view client) {
  if (client == "producer") return KafkaClientKind::kProducer;
  if (client == "consumer") return KafkaClientKind::kConsumer;
  if (absl::StartsWith(client, "changelog")) return KafkaClientKind::kChangelog;
  return KafkaClientKind::kAdmin;
}

absl::string_view KafkaClientKindName(KafkaClientKind kind) {
  switch (kind) {
    case KafkaClientKind::kProducer:
      return "producer";
    case KafkaClientKind::kConsumer:
      return "consumer";
    case KafkaClientKind::kChangelog:
      return "changelog";
    case KafkaClientKind::kAdmin:
      break;
  }
  return "admin";
}

KafkaClientErrors& KafkaClientErrors::Process() {
  static KafkaClientErrors* const errors = new KafkaClientErrors();
  return *errors;
}

bool KafkaClientErrors::Record(absl::string_view client, RdKafka::ErrorCode code,
                               absl::string_view detail, absl::Time now, uint64_t* suppressed) {
  absl::MutexLock lock(&mu_);
  ++counts_[static_cast<int>(KafkaClientKindOf(client))]
           [static_cast<int>(ClassifyKafkaError(code))];
  latest_ = Error{absl::StrCat(client, ": ", RdKafka::err2str(code),
                               detail.empty() ? "" : ": ", detail),
                  now};
  LogState& state = log_state_[{std::string(client), static_cast<int>(code)}];
  if (now - state.last_logged < kLogInterval) {
    ++state.suppressed;
    return false;
  }
  *suppressed = state.suppressed;
  state.suppressed = 0;
  state.last_logged = now;
  return true;
}

std::optional<KafkaClientErrors::Error> KafkaClientErrors::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

uint64_t KafkaClientErrors::Count(KafkaClientKind client, KafkaErrorClass error_class) const {
  absl::MutexLock lock(&mu_);
  return counts_[static_cast<int>(client)][static_cast<int>(error_class)];
}

prometheus::MetricFamily KafkaClientErrors::MetricFamily() const {
  prometheus::MetricFamily family;
  family.name = "newsd_kafka_client_errors_total";
  family.help =
      "Errors reported by the Kafka clients (authentication, TLS/SSL handshake, all brokers "
      "down, transport, other), by client.";
  family.type = prometheus::MetricType::Counter;
  absl::MutexLock lock(&mu_);
  for (int c = 0; c < kKafkaClientKinds; ++c) {
    for (int e = 0; e < kKafkaErrorClasses; ++e) {
      prometheus::ClientMetric metric;
      metric.label = {
          {"client", std::string(KafkaClientKindName(static_cast<KafkaClientKind>(c)))},
          {"error", std::string(KafkaErrorClassName(static_cast<KafkaErrorClass>(e)))}};
      metric.counter.value = static_cast<double>(counts_[c][e]);
      family.metric.push_back(std::move(metric));
    }
  }
  return family;
}

}  // namespace newsd
