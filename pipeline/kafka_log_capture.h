// Captures the librdkafka log lines of warning severity or worse that the calling
// thread emits while a KafkaLogCapture is alive. librdkafka logs its configuration
// warnings ("Configuration property X is a producer property and will be ignored by
// this consumer instance") synchronously from the client's creation, on the
// creating thread, through the client's event callback (LogKafkaEvent).
#ifndef NEWSD_PIPELINE_KAFKA_LOG_CAPTURE_H_
#define NEWSD_PIPELINE_KAFKA_LOG_CAPTURE_H_

#include <librdkafka/rdkafkacpp.h>

#include <string>
#include <vector>

namespace newsd {

class KafkaLogCapture {
 public:
  // Starts capturing on this thread (a nested capture takes over until it ends).
  KafkaLogCapture();
  ~KafkaLogCapture();
  KafkaLogCapture(const KafkaLogCapture&) = delete;
  KafkaLogCapture& operator=(const KafkaLogCapture&) = delete;

  // The captured lines, without librdkafka's "[thrd:app]: " prefix, in order.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  friend void CaptureKafkaEvent(const RdKafka::Event& event);
  KafkaLogCapture* previous_;
  std::vector<std::string> warnings_;
};

// Records `event` in this thread's capture, if any, when it is a log event of
// warning severity or worse. Called by LogKafkaEvent for every client event.
void CaptureKafkaEvent(const RdKafka::Event& event);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_LOG_CAPTURE_H_
