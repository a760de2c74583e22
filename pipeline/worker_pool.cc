#include "pipeline/worker_pool.h"

#include <algorithm>
#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/log.h"

namespace newsd {

// What the pool and its workers share; kept alive by every worker.
struct WorkerPool::Shared {
  explicit Shared(Process p) : process(std::move(p)) {}
  const Process process;
  absl::Mutex mu;
  std::deque<std::shared_ptr<WorkItem>> queue ABSL_GUARDED_BY(mu);
  bool stopping ABSL_GUARDED_BY(mu) = false;
};

namespace {
// Workers detached at shutdown that may still be running a stage.
std::atomic<int> g_detached_workers{0};
}  // namespace

int WorkerPool::DetachedWorkers() { return g_detached_workers.load(); }

WorkerPool::WorkerPool(Process process, const WorkerPoolOptions& options)
    : options_(options), shared_(std::make_shared<Shared>(std::move(process))) {
  for (unsigned i = 0; i < std::max(1u, options_.threads); ++i) StartWorker();
}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::StartWorker() {
  auto finished = std::make_shared<std::atomic<bool>>(false);
  workers_.push_back(Worker{std::thread(&WorkerPool::WorkerLoop, shared_, finished), finished});
}

void WorkerPool::Submit(std::shared_ptr<WorkItem> item) {
  outstanding_.push_back(item);
  absl::MutexLock lock(&shared_->mu);
  shared_->queue.push_back(std::move(item));
}

std::vector<std::shared_ptr<WorkItem>> WorkerPool::AbandonOverdue(absl::Time now) {
  std::vector<std::shared_ptr<WorkItem>> abandoned;
  auto forget = [&](const std::shared_ptr<WorkItem>& item) {
    if (item->ready()) return true;
    if (item->state() != WorkItem::kRunning || now - item->started() < options_.time_budget) {
      return false;
    }
    // The worker may finish at this very moment: whoever wins kRunning owns the result.
    if (!item->Transition(WorkItem::kRunning, WorkItem::kAbandoning)) return false;
    ChainResult timeout;
    const RawMessage& m = item->message;
    timeout.event.mutable_article()->set_id(absl::StrCat(m.topic, "/", m.partition, "/", m.offset));
    timeout.failure = ChainFailure{
        "chain", absl::DeadlineExceededError(absl::StrCat(
                     "processing exceeded the per-message time budget of ",
                     absl::ToInt64Milliseconds(options_.time_budget), " ms"))};
    item->Publish(std::move(timeout), WorkItem::kAbandoned);
    abandoned.push_back(item);
    StartWorker();  // the stuck one retires if it ever returns
    return true;
  };
  outstanding_.erase(std::remove_if(outstanding_.begin(), outstanding_.end(), forget),
                     outstanding_.end());
  return abandoned;
}

void WorkerPool::Cancel(const std::function<bool(const WorkItem&)>& drop) {
  auto matches = [&drop](const std::shared_ptr<WorkItem>& item) { return drop(*item); };
  outstanding_.erase(std::remove_if(outstanding_.begin(), outstanding_.end(), matches),
                     outstanding_.end());
  absl::MutexLock lock(&shared_->mu);
  std::deque<std::shared_ptr<WorkItem>>& queue = shared_->queue;
  queue.erase(std::remove_if(queue.begin(), queue.end(), matches), queue.end());
}

void WorkerPool::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->stopping = true;
    shared_->queue.clear();  // never run: their owner drops them (uncommitted, redelivered)
  }
  outstanding_.clear();
  // Workers finish their current message (if any) and stop. One stuck in a stage
  // (its message already abandoned by the time budget, or slower than the grace
  // period) is detached: it only holds `shared_`, whose `process` the caller must
  // keep alive while DetachedWorkers() > 0.
  const absl::Time grace_end = absl::Now() + options_.shutdown_grace;
  for (Worker& w : workers_) {
    if (!w.thread.joinable()) continue;
    while (!w.finished->load() && absl::Now() < grace_end) absl::SleepFor(absl::Milliseconds(5));
    if (w.finished->load()) {
      w.thread.join();
    } else {
      w.thread.detach();
      g_detached_workers.fetch_add(1);
      Log(LogLevel::kWarning, "a worker is still inside a stage at shutdown; detached");
    }
  }
}

void WorkerPool::WorkerLoop(std::shared_ptr<Shared> shared,
                            std::shared_ptr<std::atomic<bool>> finished) {
  while (true) {
    std::shared_ptr<WorkItem> item;
    {
      absl::MutexLock lock(&shared->mu);
      shared->mu.Await(absl::Condition(
          +[](Shared* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
            return s->stopping || !s->queue.empty();
          },
          shared.get()));
      if (shared->stopping) break;
      item = std::move(shared->queue.front());
      shared->queue.pop_front();
    }
    const absl::Time start = absl::Now();
    item->started_ns_.store(absl::ToUnixNanos(start), std::memory_order_release);
    if (!item->Transition(WorkItem::kQueued, WorkItem::kRunning)) continue;
    // Into this thread's own storage: the item's result belongs to whoever wins.
    ChainResult result = shared->process(item->message, start);
    if (!item->Transition(WorkItem::kRunning, WorkItem::kCompleting)) {
      // The loop gave up on this message (over its time budget), published the
      // DEADLINE_EXCEEDED result and started a replacement worker: this thread
      // drops its result and retires.
      break;
    }
    item->Publish(std::move(result), WorkItem::kDone);
  }
  finished->store(true);
}

}  // namespace newsd
