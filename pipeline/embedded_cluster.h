// EmbeddedCluster: an in-process Kafka-protocol cluster (librdkafka's mock cluster,
// rdkafka_mock.h) listening on 127.0.0.1 ephemeral ports. For the demo and unit
// tests only: no persistence, no real broker semantics beyond what the mock does.
#ifndef NEWSD_PIPELINE_EMBEDDED_CLUSTER_H_
#define NEWSD_PIPELINE_EMBEDDED_CLUSTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace newsd {

class EmbeddedCluster {
 public:
  // Starts a cluster of `brokers` mock brokers. kInternal if librdkafka cannot.
  static absl::StatusOr<std::unique_ptr<EmbeddedCluster>> Start(int brokers = 1);
  ~EmbeddedCluster();

  // "127.0.0.1:port,..." for bootstrap.servers.
  const std::string& bootstrap() const { return bootstrap_; }

  // Creates `topic` with `partitions` partitions (replication factor 1).
  // kInvalidArgument if librdkafka refuses.
  absl::Status CreateTopic(const std::string& topic, int partitions);

  // Fault injection for tests: the next `count` requests of Kafka protocol API
  // `api_key` (e.g. 26 = EndTxn) that reach any broker are answered successfully,
  // each after `delay`.
  void DelayRequests(int16_t api_key, int count, absl::Duration delay);

  // Fault injection for tests: the next `count` requests of API `api_key` (on any
  // broker) are answered with Kafka protocol error `error_code` (e.g. 48 =
  // INVALID_TXN_STATE, which librdkafka treats as fatal on EndTxn).
  void FailRequests(int16_t api_key, int count, int16_t error_code);

 private:
  EmbeddedCluster() = default;
  rd_kafka_s* handle_ = nullptr;             // owns the cluster; destroyed last
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_;
  int brokers_ = 0;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_EMBEDDED_CLUSTER_H_
