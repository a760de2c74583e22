// KafkaPorts: the committers' view of the daemon's Kafka clients (committer.h's
// TransactionalProducer, AcknowledgingProducer and OffsetStore over KafkaSink and
// KafkaSource). It holds pointers to the daemon's client slots, not the clients: the
// producer is looked up on every call because ProducerLifecycle::Replace swaps it.
// Loop thread only (like the clients' transaction and commit calls).
#ifndef NEWSD_PIPELINE_KAFKA_PORTS_H_
#define NEWSD_PIPELINE_KAFKA_PORTS_H_

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/committer.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"

namespace newsd {

class KafkaPorts final : public TransactionalProducer,
                         public AcknowledgingProducer,
                         public OffsetStore {
 public:
  // `sink` and `source` (the slots, which may hold null until the clients exist)
  // must outlive the ports.
  KafkaPorts(const std::unique_ptr<KafkaSink>* sink, const std::unique_ptr<KafkaSource>* source)
      : sink_(sink), source_(source) {}

  absl::Status InitTransactions(absl::Duration timeout) override;
  absl::Status BeginTransaction() override;
  // send_offsets_to_transaction with the consumer's group metadata.
  absl::Status SendOffsets(const CommitOffsets& offsets, absl::Duration timeout) override;
  absl::Status CommitTransaction(absl::Duration timeout) override;
  absl::Status AbortTransaction(absl::Duration timeout) override;
  // The producer's fatal error; nullopt also while there is no producer.
  std::optional<absl::Status> FatalError() const override;
  absl::Status CheckConnection(absl::Duration timeout) override;
  absl::Status Flush(absl::Duration timeout) override;
  absl::Status Commit(const CommitOffsets& offsets, bool sync) override;

 private:
  const std::unique_ptr<KafkaSink>* const sink_;
  const std::unique_ptr<KafkaSource>* const source_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_KAFKA_PORTS_H_
