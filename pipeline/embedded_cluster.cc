#include "pipeline/embedded_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"

namespace newsd {

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(int brokers) {
  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster());
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // A handle with no brokers of its own, only used to own the mock cluster.
  if (rd_kafka_conf_set(conf, "client.id", "newsd-embedded", err, sizeof(err)) !=
          RD_KAFKA_CONF_OK ||
      // Silence the "no bootstrap.servers" notice: this handle never connects.
      rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(err);
  }
  cluster->handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!cluster->handle_) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("embedded cluster handle: ", err));
  }
  cluster->cluster_ = rd_kafka_mock_cluster_new(cluster->handle_, brokers);
  if (!cluster->cluster_) return absl::InternalError("rd_kafka_mock_cluster_new failed");
  cluster->bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster->cluster_);
  cluster->brokers_ = brokers;
  return cluster;
}

EmbeddedCluster::~EmbeddedCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_) rd_kafka_destroy(handle_);
}

absl::Status EmbeddedCluster::CreateTopic(const std::string& topic, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("create topic ", topic, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

void EmbeddedCluster::DelayRequests(int16_t api_key, int count, absl::Duration delay) {
  const int rtt_ms = static_cast<int>(absl::ToInt64Milliseconds(delay));
  for (int32_t broker = 1; broker <= brokers_; ++broker) {  // mock broker ids are 1..n
    for (int i = 0; i < count; ++i) {
      rd_kafka_mock_broker_push_request_error_rtts(cluster_, broker, api_key, 1,
                                                   RD_KAFKA_RESP_ERR_NO_ERROR, rtt_ms);
    }
  }
}

void EmbeddedCluster::FailRequests(int16_t api_key, int count, int16_t error_code) {
  for (int32_t broker = 1; broker <= brokers_; ++broker) {
    for (int i = 0; i < count; ++i) {
      rd_kafka_mock_broker_push_request_error_rtts(
          cluster_, broker, api_key, 1, static_cast<rd_kafka_resp_err_t>(error_code), 0);
    }
  }
}

}  // namespace newsd
