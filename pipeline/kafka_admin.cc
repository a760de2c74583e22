#include "pipeline/kafka_admin.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "pipeline/kafka_status.h"

namespace newsd {

absl::StatusOr<bool> KafkaAdmin::TopicExists(const std::string& topic,
                                             absl::Duration timeout) const {
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t code = rd_kafka_metadata(
      client_, /*all_topics=*/1, nullptr, &raw,
      static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(static_cast<RdKafka::ErrorCode>(code), "metadata");
  }
  std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> metadata(
      raw, &rd_kafka_metadata_destroy);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic == t.topic && t.err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
  }
  return false;
}

absl::StatusOr<std::string> KafkaAdmin::TopicConfig(const std::string& topic,
                                                    const std::string& name,
                                                    absl::Duration timeout) const {
  rd_kafka_t* rk = client_;
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  char errstr[512];
  std::unique_ptr<rd_kafka_ConfigResource_t, decltype(&rd_kafka_ConfigResource_destroy)> resource(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()),
      &rd_kafka_ConfigResource_destroy);
  std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS),
      &rd_kafka_AdminOptions_destroy);
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof(errstr));
  std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue(
      rd_kafka_queue_new(rk), &rd_kafka_queue_destroy);
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  rd_kafka_DescribeConfigs(rk, resources, 1, options.get(), queue.get());
  std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)> event(
      rd_kafka_queue_poll(queue.get(), timeout_ms + 1000), &rd_kafka_event_destroy);
  const std::string context = absl::StrCat("describe topic '", topic, "'");
  if (!event) return absl::UnavailableError(absl::StrCat(context, ": no answer"));
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(static_cast<RdKafka::ErrorCode>(rd_kafka_event_error(event.get())),
                       context);
  }
  size_t n = 0;
  const rd_kafka_ConfigResource_t** results = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(event.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_ConfigResource_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(static_cast<RdKafka::ErrorCode>(rd_kafka_ConfigResource_error(results[i])),
                         context);
    }
    size_t m = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(results[i], &m);
    for (size_t k = 0; k < m; ++k) {
      if (name == rd_kafka_ConfigEntry_name(entries[k])) {
        const char* value = rd_kafka_ConfigEntry_value(entries[k]);
        return std::string(value ? value : "");
      }
    }
  }
  return absl::NotFoundError(absl::StrCat(context, ": no config ", name));
}

absl::Status KafkaAdmin::CreateTopic(
    const std::string& topic, int partitions, int replication_factor,
    const std::vector<std::pair<std::string, std::string>>& configs,
    absl::Duration timeout) const {
  rd_kafka_t* rk = client_;
  char errstr[512];
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  // Owners of the C objects, released in reverse order on every path.
  std::unique_ptr<rd_kafka_NewTopic_t, decltype(&rd_kafka_NewTopic_destroy)> new_topic(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, errstr,
                            sizeof(errstr)),
      &rd_kafka_NewTopic_destroy);
  if (!new_topic) {
    return absl::InvalidArgumentError(absl::StrCat("create topic '", topic, "': ", errstr));
  }
  for (const auto& [key, value] : configs) {
    if (rd_kafka_resp_err_t err =
            rd_kafka_NewTopic_set_config(new_topic.get(), key.c_str(), value.c_str());
        err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(static_cast<RdKafka::ErrorCode>(err),
                         absl::StrCat("create topic '", topic, "' config ", key));
    }
  }
  std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS),
      &rd_kafka_AdminOptions_destroy);
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof(errstr));
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr, sizeof(errstr));
  std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue(
      rd_kafka_queue_new(rk), &rd_kafka_queue_destroy);
  rd_kafka_NewTopic_t* topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk, topics, 1, options.get(), queue.get());
  std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)> event(
      rd_kafka_queue_poll(queue.get(), timeout_ms + 1000), &rd_kafka_event_destroy);
  const std::string context = absl::StrCat("create topic '", topic, "'");
  if (!event) return absl::UnavailableError(absl::StrCat(context, ": no answer"));
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(static_cast<RdKafka::ErrorCode>(rd_kafka_event_error(event.get())),
                       context);
  }
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(
      rd_kafka_event_CreateTopics_result(event.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      continue;
    }
    const char* message = rd_kafka_topic_result_error_string(results[i]);
    return absl::Status(KafkaStatusCode(static_cast<RdKafka::ErrorCode>(err)),
                        absl::StrCat(context, ": ", message ? message : rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

}  // namespace newsd
