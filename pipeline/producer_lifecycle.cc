#include "pipeline/producer_lifecycle.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/log.h"
#include "pipeline/transaction_committer.h"

namespace newsd {

absl::Status KafkaProducerSlot::Create() {
  absl::StatusOr<std::unique_ptr<KafkaSink>> sink = KafkaSink::Create(options_, on_delivery_);
  if (!sink.ok()) return sink.status();
  *sink_ = *std::move(sink);
  return absl::OkStatus();
}

absl::Status KafkaProducerSlot::Recreate() {
  if (*sink_) (*sink_)->PurgeAll();
  sink_->reset();
  return Create();
}

ProducerLifecycle::ProducerLifecycle(std::string transactional_id,
                                     std::unique_ptr<ManagedProducer> producer,
                                     Committer* committer, Metrics* metrics,
                                     std::function<void(absl::Status)> fail)
    : transactional_id_(std::move(transactional_id)),
      producer_(std::move(producer)),
      committer_(committer),
      metrics_(metrics),
      fail_(std::move(fail)) {}

bool ProducerLifecycle::WaitForBrokers(const std::atomic<bool>& stop) {
  return WaitForBrokersPolling(stop) == Wait::kStarted;
}

ProducerLifecycle::Wait ProducerLifecycle::WaitForBrokersPolling(const std::atomic<bool>& stop) {
  // librdkafka hands its error events (authentication and TLS failures, all brokers
  // down) to the application only from poll(): poll the producer on the side while
  // this thread waits in init_transactions or metadata, so they are logged, counted
  // and shown by /readyz when they happen, not after the wait. (The producer is new
  // here and holds no message: no delivery report runs on that thread.)
  std::atomic<bool> waiting{true};
  std::thread events([this, &waiting] {
    while (waiting.load()) producer_->Poll(absl::Milliseconds(100));
  });
  const Wait result = WaitPolled(stop);
  waiting = false;
  events.join();
  return result;
}

ProducerLifecycle::Wait ProducerLifecycle::WaitPolled(const std::atomic<bool>& stop) {
  absl::Duration backoff = absl::Milliseconds(500);
  while (!stop.load()) {
    absl::Status status = committer_->StartProducer();
    if (status.ok()) return Wait::kStarted;
    if (status.code() == absl::StatusCode::kFailedPrecondition) {
      fail_(status);
      return Wait::kFailed;
    }
    metrics_->connected().Set(0);
    Log(LogLevel::kWarning, absl::StrCat("waiting for the brokers: ", status.message()));
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(10));
  }
  return Wait::kStopped;
}

void ProducerLifecycle::OnFatal(absl::Status status, bool running, bool failed) {
  if (!failed && committer_->FencedByAnotherInstance(status, absl::Now())) {
    metrics_->Transactions("fenced").Increment();
    Log(LogLevel::kError,
        absl::StrCat("fenced: another producer with transactional.id '", transactional_id_,
                     "' started (a newer instance, or a restart of this one elsewhere); this "
                     "instance stops without taking it back. Give every running instance its "
                     "own id (--instance NAME or --transactional-id)"));
    fail_(std::move(status));
    return;
  }
  if (!committer_->CanReplaceProducer() || !running) {
    fail_(std::move(status));
    return;
  }
  // Replaced from the loop (this may run inside the producer's own callbacks).
  if (!pending_) pending_ = std::move(status);
  committer_->ProducerFailed();
}

bool ProducerLifecycle::Replace(const std::atomic<bool>& stop) {
  const absl::Status cause = pending_ ? *std::move(pending_) : absl::InternalError("no fatal error");
  pending_.reset();
  if (!committer_->AllowReplacement(absl::Now())) {
    Log(LogLevel::kError,
        absl::StrCat("the producer failed fatally ",
                     TransactionCommitter::kMaxProducerReplacements + 1, " times in ",
                     absl::FormatDuration(TransactionCommitter::kProducerReplacementWindow),
                     "; giving up"));
    fail_(cause);
    return false;
  }
  Log(LogLevel::kWarning,
      absl::StrCat("producer failed fatally (", cause.message(),
                   "); replacing it with a new one under the same transactional.id (which "
                   "aborts the open transaction); work in flight is re-consumed from the "
                   "committed offsets"));
  metrics_->Transactions("producer_replaced").Increment();
  committer_->ProducerReplaced();  // reports of the old producer's messages are ignored
  if (absl::Status created = producer_->Recreate(); !created.ok()) {
    fail_(created);
    return false;
  }
  switch (WaitForBrokersPolling(stop)) {  // init_transactions: fences the old epoch
    case Wait::kStarted:
      return true;
    case Wait::kStopped:
      fail_(absl::CancelledError("stopped while replacing the producer"));
      return false;
    case Wait::kFailed:
      return false;
  }
  return false;
}

}  // namespace newsd
