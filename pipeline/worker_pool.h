// WorkerPool: the threads that run the chain on consumed messages, the lifecycle of
// each message's work item, the per-message time budget, and abandoning a worker
// stuck inside a stage.
//
// Lifecycle of a WorkItem (one atomic state; each arrow is one compare-exchange):
//
//   kQueued ──worker──▶ kRunning ──worker──▶ kCompleting ──▶ kDone
//                          └──────loop (over budget)──▶ kAbandoning ──▶ kAbandoned
//
// From kRunning exactly one side wins: the worker (its chain returned) or the loop
// (AbandonOverdue: the item is older than the time budget). The winner alone writes
// the item's result, then publishes it with a release store of the final state; the
// loser never touches the result. So a result, once ready(), is written exactly
// once and never changes, and an abandoned worker that returns later cannot race a
// reader: it finds the item abandoned, drops its own result and retires (the loop
// started a replacement when it abandoned the item).
//
// Threads: Submit, AbandonOverdue, Cancel, Shutdown and the destructor are called
// from one thread (the daemon's loop); WorkItem::ready() and result() from any
// thread (result() only after ready() returned true).
#ifndef NEWSD_PIPELINE_WORKER_POOL_H_
#define NEWSD_PIPELINE_WORKER_POOL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "pipeline/chain.h"

namespace newsd {

// One consumed message and, once processed or abandoned, its chain result.
// Shared (std::shared_ptr) by the pool, the worker running it and its owner.
class WorkItem {
 public:
  enum State : int { kQueued, kRunning, kCompleting, kDone, kAbandoning, kAbandoned };

  explicit WorkItem(RawMessage message) : message(std::move(message)) {}
  WorkItem(const WorkItem&) = delete;
  WorkItem& operator=(const WorkItem&) = delete;

  // The input message (immutable once submitted).
  const RawMessage message;

  State state() const { return static_cast<State>(state_.load(std::memory_order_acquire)); }
  // A result is published: the chain's (kDone) or the time budget's (kAbandoned).
  bool ready() const {
    const State s = state();
    return s == kDone || s == kAbandoned;
  }
  // The worker's chain returned in time (result() is the chain's).
  bool done() const { return state() == kDone; }
  // The time budget gave up on it (result() is a DEADLINE_EXCEEDED failure).
  bool abandoned() const { return state() == kAbandoned; }
  // The published result. Precondition: ready(). Never changes once ready.
  const ChainResult& result() const { return *result_; }
  // When a worker started it (absl::InfinitePast() while queued).
  absl::Time started() const {
    const int64_t ns = started_ns_.load(std::memory_order_acquire);
    return ns == 0 ? absl::InfinitePast() : absl::FromUnixNanos(ns);
  }

 private:
  friend class WorkerPool;
  // A compare-exchange `from` → `to`; true if this caller won.
  bool Transition(State from, State to) {
    int expected = from;
    return state_.compare_exchange_strong(expected, to, std::memory_order_acq_rel);
  }
  // Writes the result (only the winner of kRunning → kCompleting/kAbandoning) and
  // publishes it with `final_state`.
  void Publish(ChainResult result, State final_state) {
    result_ = std::move(result);
    state_.store(final_state, std::memory_order_release);
  }

  std::atomic<int> state_{kQueued};
  std::atomic<int64_t> started_ns_{0};  // absl::Now() in ns when a worker took it
  std::optional<ChainResult> result_;   // written once, by the winner, before ready()
};

struct WorkerPoolOptions {
  unsigned threads = 1;  // at least 1
  // A running item older than this is abandoned (DEADLINE_EXCEEDED) and its worker
  // replaced.
  absl::Duration time_budget = absl::Seconds(30);
  // Shutdown waits this long for workers inside a stage, then detaches them.
  absl::Duration shutdown_grace = absl::Seconds(5);
};

class WorkerPool {
 public:
  // Runs the chain on one message; `start` is when the worker took it. Must be
  // thread-safe. Kept alive by the workers (also detached ones): whatever it
  // references must outlive them (see DetachedWorkers).
  using Process = std::function<ChainResult(const RawMessage& message, absl::Time start)>;

  // Starts options.threads workers.
  WorkerPool(Process process, const WorkerPoolOptions& options);
  // Shutdown().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `item` (state kQueued) for the next free worker.
  void Submit(std::shared_ptr<WorkItem> item);
  // Abandons every submitted item that has been running for the time budget or
  // longer at `now`: publishes a DEADLINE_EXCEEDED result for it (failure stage
  // "chain", article id "topic/partition/offset") and starts a replacement worker
  // (the stuck one retires if its stage ever returns). Returns the items abandoned
  // by this call. Items that are ready or cancelled are forgotten.
  std::vector<std::shared_ptr<WorkItem>> AbandonOverdue(absl::Time now);
  // Forgets the items for which `drop` is true: removed from the queue if still
  // queued (never run); a running one's result is ignored and the time budget no
  // longer watches it.
  void Cancel(const std::function<bool(const WorkItem&)>& drop);
  // Stops the workers: queued items are dropped, running ones finish within
  // shutdown_grace; a worker still inside a stage after that is detached (counted
  // in DetachedWorkers). Idempotent.
  void Shutdown();

  // Items submitted and not yet forgotten (queued, running or not yet collected by
  // AbandonOverdue after they became ready).
  size_t outstanding() const { return outstanding_.size(); }
  // Workers started so far (initial ones plus replacements).
  size_t workers_started() const { return workers_.size(); }

  // Workers that destroyed pools left running inside a stage (process-wide). While
  // > 0, whatever `process` references must not be destroyed: end the process
  // instead (std::_Exit after flushing), as `newsd run` does.
  static int DetachedWorkers();

 private:
  struct Shared;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;  // set when its loop returns
  };
  // Never touches the pool, only `shared` (kept alive by every worker), so a worker
  // stuck in a stage may outlive it.
  static void WorkerLoop(std::shared_ptr<Shared> shared,
                         std::shared_ptr<std::atomic<bool>> finished);
  void StartWorker();

  const WorkerPoolOptions options_;
  const std::shared_ptr<Shared> shared_;
  std::vector<Worker> workers_;
  // Submitted items the time budget watches (loop thread only).
  std::vector<std::shared_ptr<WorkItem>> outstanding_;
  bool shut_down_ = false;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_WORKER_POOL_H_
