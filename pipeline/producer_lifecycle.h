// ProducerLifecycle: the daemon's producer from start-up to replacement.
//
// It owns what the daemon knows about its producer beyond producing: how to create
// it again (its configuration, transactional.id included), waiting for the brokers
// at start (Committer::StartProducer: init_transactions in EXACTLY_ONCE, which
// fences older producers of the transactional.id), and what a fatal producer error
// leads to:
//   - fenced by another instance (Committer::FencedByAnotherInstance): the daemon
//     fails (newsd_transactions_total{result="fenced"}, an error line naming the
//     transactional.id) and never re-fences the newer instance;
//   - otherwise, while running and if the committer replaces producers
//     (EXACTLY_ONCE): a replacement is pending; Replace() destroys the producer,
//     creates a new one under the same transactional.id and waits for it, at most
//     as often as the committer allows (TransactionCommitter: 3 times per 10
//     minutes; newsd_transactions_total{result="producer_replaced"});
//   - otherwise the daemon fails.
// The rate limit, epochs and the open transaction stay with the Committer; this
// class only sequences the calls. The daemon fails through the `fail` callback
// (Daemon::Fail: first failure wins, later ones are ignored).
//
// Threading: every call on the daemon's loop thread, except that OnFatal may run
// inside the producer's own callbacks (it only records the replacement, which the
// loop performs). While waiting for the brokers, the producer is polled on a side
// thread so that its client errors (TLS, authentication, all brokers down) are
// logged and counted during the wait, not after it.
#ifndef NEWSD_PIPELINE_PRODUCER_LIFECYCLE_H_
#define NEWSD_PIPELINE_PRODUCER_LIFECYCLE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/committer.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/metrics.h"

namespace newsd {

// The producer as the lifecycle manages it (the daemon: a KafkaSink, KafkaProducerSlot
// below; tests: a fake).
class ManagedProducer {
 public:
  virtual ~ManagedProducer() = default;
  // Serves the producer's callbacks (error events) for up to `timeout`. Called from
  // the side thread of WaitForBrokers only, while the producer holds no message.
  virtual void Poll(absl::Duration timeout) = 0;
  // Purges the current producer's messages, destroys it and creates a new one with
  // the same configuration. On error there is no producer. Errors: kInvalidArgument
  // for a property librdkafka rejects.
  virtual absl::Status Recreate() = 0;
};

// ManagedProducer over the daemon's KafkaSink, held in `*sink` (not owned; the
// committer's ports read the same pointer, so they see the replacement).
class KafkaProducerSlot final : public ManagedProducer {
 public:
  KafkaProducerSlot(KafkaSinkOptions options, KafkaSink::DeliveryCallback on_delivery,
                    std::unique_ptr<KafkaSink>* sink)
      : options_(std::move(options)), on_delivery_(std::move(on_delivery)), sink_(sink) {}

  // Creates the producer into `*sink` (delivery reports go to `on_delivery`).
  // Errors: KafkaSink::Create's.
  absl::Status Create();
  void Poll(absl::Duration timeout) override { (*sink_)->Poll(timeout); }
  absl::Status Recreate() override;

 private:
  const KafkaSinkOptions options_;
  const KafkaSink::DeliveryCallback on_delivery_;
  std::unique_ptr<KafkaSink>* const sink_;
};

class ProducerLifecycle {
 public:
  // `producer` is owned; `committer` and `metrics` are not and must outlive this.
  // `transactional_id` ("" without transactions) names the producer in the log line
  // of a fence. `fail` fails the daemon with a status.
  ProducerLifecycle(std::string transactional_id, std::unique_ptr<ManagedProducer> producer,
                    Committer* committer, Metrics* metrics,
                    std::function<void(absl::Status)> fail);

  // Waits until Committer::StartProducer succeeds, retrying with a backoff from
  // 0.5 s doubling to 10 s (newsd_connected set to 0 and a warning per failed try).
  // True once started; false if `stop` turned true first, or after a fatal error
  // (kFailedPrecondition: the daemon is failed with it).
  bool WaitForBrokers(const std::atomic<bool>& stop);

  // A fatal producer error (`running`: the daemon is in State::kRunning;
  // `failed`: the daemon has already failed). See the header comment.
  void OnFatal(absl::Status status, bool running, bool failed);

  // Whether OnFatal left a replacement for the loop to perform.
  bool replacement_pending() const { return pending_.has_value(); }

  // Performs the pending replacement (call only when replacement_pending()):
  // within the committer's rate limit, destroys the producer, creates a new one and
  // waits for it (init_transactions bumps the epoch and aborts the open
  // transaction). Blocks until the brokers answer or `stop`. True when replaced
  // (the caller then drops and rewinds the work in flight, as after an abort);
  // false when the daemon was failed instead (over the limit, creation failed,
  // stopped meanwhile).
  bool Replace(const std::atomic<bool>& stop);

 private:
  enum class Wait { kStarted, kStopped, kFailed };
  // WaitForBrokers without the side thread.
  Wait WaitPolled(const std::atomic<bool>& stop);
  Wait WaitForBrokersPolling(const std::atomic<bool>& stop);

  const std::string transactional_id_;
  const std::unique_ptr<ManagedProducer> producer_;
  Committer* const committer_;
  Metrics* const metrics_;
  const std::function<void(absl::Status)> fail_;
  std::optional<absl::Status> pending_;  // the cause of a pending replacement
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_PRODUCER_LIFECYCLE_H_
