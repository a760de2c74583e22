#include "pipeline/kafka_log_capture.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace newsd {
namespace {

thread_local KafkaLogCapture* current_capture = nullptr;

}  // namespace

KafkaLogCapture::KafkaLogCapture() : previous_(current_capture) { current_capture = this; }

KafkaLogCapture::~KafkaLogCapture() { current_capture = previous_; }

void CaptureKafkaEvent(const RdKafka::Event& event) {
  if (current_capture == nullptr) return;
  // (Event's accessors are not const in librdkafka's C++ API.)
  RdKafka::Event& e = const_cast<RdKafka::Event&>(event);
  if (e.type() != RdKafka::Event::EVENT_LOG ||
      e.severity() > RdKafka::Event::EVENT_SEVERITY_WARNING) {
    return;
  }
  std::string text = e.str();
  // "[thrd:app]: Configuration property ..." → "Configuration property ..."
  if (absl::StartsWith(text, "[thrd:")) {
    if (size_t end = text.find("]: "); end != std::string::npos) text.erase(0, end + 3);
  }
  current_capture->warnings_.push_back(std::move(text));
}

}  // namespace newsd
