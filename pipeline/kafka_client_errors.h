// Client errors of the process's Kafka clients: the error events librdkafka reports
// through a client's event callback when a connection fails (authentication, TLS/SSL
// handshake, all brokers down, transport, ...). LogKafkaEvent records every one in
// KafkaClientErrors::Process(), which
//   - counts it: newsd_kafka_client_errors_total{client,error} (bounded labels:
//     client producer|consumer|changelog|admin, error authentication|ssl|
//     all_brokers_down|transport|other);
//   - decides when it is logged: the first error of a client and error code is
//     logged when it happens, repeats within kLogInterval are only counted and the
//     next line says how many there were (librdkafka itself reports an identical
//     connection error again at most every 30 s per broker), so a down broker does
//     not flood the log;
//   - keeps the latest one, which /readyz appends to its reason while the instance
//     is not ready (Health::NotReadyReason).
// librdkafka delivers error events only from a client's poll (the loop's, or the
// daemon's poller while it waits for the brokers at start).
#ifndef NEWSD_PIPELINE_KAFKA_CLIENT_ERRORS_H_
#define NEWSD_PIPELINE_KAFKA_CLIENT_ERRORS_H_

#include <librdkafka/rdkafkacpp.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/metric_family.h"

namespace newsd {

enum class KafkaErrorClass { kAuthentication, kSsl, kAllBrokersDown, kTransport, kOther };
inline constexpr int kKafkaErrorClasses = 5;
enum class KafkaClientKind { kProducer, kConsumer, kChangelog, kAdmin };
inline constexpr int kKafkaClientKinds = 4;

// ERR__AUTHENTICATION, SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM,
// ILLEGAL_SASL_STATE → kAuthentication; ERR__SSL → kSsl; ERR__ALL_BROKERS_DOWN →
// kAllBrokersDown; ERR__TRANSPORT, ERR__RESOLVE, NETWORK_EXCEPTION → kTransport;
// anything else → kOther.
KafkaErrorClass ClassifyKafkaError(RdKafka::ErrorCode code);
// "authentication", "ssl", "all_brokers_down", "transport", "other".
absl::string_view KafkaErrorClassName(KafkaErrorClass error_class);
// The client names LogKafkaEvent is called with: "producer", "consumer",
// "changelog reader" (→ kChangelog); anything else (validation, CLI tools) → kAdmin.
KafkaClientKind KafkaClientKindOf(absl::string_view client);
// "producer", "consumer", "changelog", "admin".
absl::string_view KafkaClientKindName(KafkaClientKind kind);

class KafkaClientErrors {
 public:
  // Repeats of one client's error code within this interval are counted, not logged.
  static constexpr absl::Duration kLogInterval = absl::Seconds(30);

  struct Error {
    std::string description;  // "<client>: <librdkafka error string>: <detail>"
    absl::Time time;
  };

  // The instance LogKafkaEvent records into (process-wide, like the log).
  static KafkaClientErrors& Process();

  // Counts an error event of `client` with `code` and `detail` (the event's text)
  // and makes it the latest. True when it is to be logged now; then `*suppressed`
  // is the number of the client's errors with this code not logged since its
  // previous line.
  bool Record(absl::string_view client, RdKafka::ErrorCode code, absl::string_view detail,
              absl::Time now, uint64_t* suppressed);

  // The latest error recorded, if any.
  std::optional<Error> Latest() const;
  // Errors recorded for a client kind and error class.
  uint64_t Count(KafkaClientKind client, KafkaErrorClass error_class) const;

  // newsd_kafka_client_errors_total{client,error}, every label pair (0 included).
  prometheus::MetricFamily MetricFamily() const;

 private:
  mutable absl::Mutex mu_;
  std::array<std::array<uint64_t, kKafkaErrorClasses>, kKafkaClientKinds> counts_
      ABSL_GUARDED_BY(mu_) = {};
  std::optional<Error> latest_ ABSL_GUARDED_BY(mu_);
  struct LogState {
    absl::Time last_logged = absl::InfinitePast();
    uint64_t suppressed = 0;
  };
  std::map<std::pair<std::string, int>, LogState> log_state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_CLIENT_ERRORS_H_
