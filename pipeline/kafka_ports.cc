#include "pipeline/kafka_ports.h"

#include <string>
#include <utility>
#include <vector>

namespace newsd {

absl::Status KafkaPorts::InitTransactions(absl::Duration timeout) {
  return (*sink_)->InitTransactions(timeout);
}

absl::Status KafkaPorts::BeginTransaction() { return (*sink_)->BeginTransaction(); }

absl::Status KafkaPorts::SendOffsets(const CommitOffsets& offsets, absl::Duration timeout) {
  std::vector<std::pair<std::string, std::pair<int32_t, int64_t>>> next;
  next.reserve(offsets.size());
  for (const auto& [tp, offset] : offsets) next.push_back({tp.topic, {tp.partition, offset}});
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> group = (*source_)->GroupMetadata();
  return (*sink_)->SendOffsetsToTransaction(next, group.get(), timeout);
}

absl::Status KafkaPorts::CommitTransaction(absl::Duration timeout) {
  return (*sink_)->CommitTransaction(timeout);
}

absl::Status KafkaPorts::AbortTransaction(absl::Duration timeout) {
  return (*sink_)->AbortTransaction(timeout);
}

std::optional<absl::Status> KafkaPorts::FatalError() const {
  return *sink_ ? (*sink_)->fatal_error() : std::nullopt;
}

absl::Status KafkaPorts::CheckConnection(absl::Duration timeout) {
  return (*sink_)->CheckConnection(timeout);
}

absl::Status KafkaPorts::Flush(absl::Duration timeout) { return (*sink_)->Flush(timeout); }

absl::Status KafkaPorts::Commit(const CommitOffsets& offsets, bool sync) {
  return (*source_)->Commit(offsets, sync);
}

}  // namespace newsd
