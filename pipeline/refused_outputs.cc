#include "pipeline/refused_outputs.h"

#include <algorithm>
#include <limits>

#include "pipeline/kafka_status.h"

namespace newsd {

absl::string_view OutputFormName(OutputForm form) {
  switch (form) {
    case OutputForm::kNormal:
      return "normal";
    case OutputForm::kDeadLetter:
      return "dead_letter";
    case OutputForm::kDeadLetterWithoutValue:
      return "dead_letter_without_value";
    case OutputForm::kHeadersOnly:
      return "headers_only";
    case OutputForm::kNothing:
      return "nothing";
  }
  return "unknown";
}

bool IsRecordTooLarge(const absl::Status& status) {
  const std::optional<RdKafka::ErrorCode> code = KafkaErrorCode(status);
  return code && (*code == RdKafka::ERR_MSG_SIZE_TOO_LARGE ||
                  *code == RdKafka::ERR_RECORD_LIST_TOO_LARGE);
}

RefusedOutputs::Entry RefusedOutputs::Get(const TopicPartition& tp, int64_t offset) const {
  auto it = entries_.find({tp, offset});
  return it == entries_.end() ? Entry() : it->second;
}

OutputForm RefusedOutputs::Refuse(const TopicPartition& tp, int64_t offset, OutputForm refused,
                                  const absl::Status& status, bool changelog,
                                  bool batch_casualty) {
  Entry& entry = entries_[{tp, offset}];
  if (batch_casualty && entry.casualty_retries < kMaxCasualtyRetries) {
    ++entry.casualty_retries;
    entry.form = std::max(entry.form, refused);
    return entry.form;
  }
  if (entry.form == OutputForm::kNormal && entry.first_refusal.ok()) entry.first_refusal = status;
  entry.changelog_refused = entry.changelog_refused || changelog;
  const OutputForm next = refused == OutputForm::kNothing
                              ? OutputForm::kNothing
                              : static_cast<OutputForm>(static_cast<int>(refused) + 1);
  entry.form = std::max(entry.form, next);
  return entry.form;
}

void RefusedOutputs::Committed(const TopicPartition& tp, int64_t next_offset) {
  auto it = entries_.lower_bound({tp, std::numeric_limits<int64_t>::min()});
  while (it != entries_.end() && it->first.first == tp && it->first.second < next_offset) {
    it = entries_.erase(it);
  }
}

void RefusedOutputs::Forget(const TopicPartition& tp) {
  Committed(tp, std::numeric_limits<int64_t>::max());
}

}  // namespace newsd
