#include "pipeline/worker_pool.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

std::shared_ptr<WorkItem> Item(int64_t offset) {
  RawMessage m;
  m.topic = "news.raw";
  m.partition = 0;
  m.offset = offset;
  m.value = absl::StrCat("value ", offset);
  return std::make_shared<WorkItem>(std::move(m));
}

ChainResult ResultWithId(const std::string& id) {
  ChainResult r;
  r.event.mutable_article()->set_id(id);
  return r;
}

// Waits until `pred` holds (at most 10 s).
template <typename Pred>
bool WaitFor(Pred pred) {
  const absl::Time end = absl::Now() + absl::Seconds(10);
  while (!pred()) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST(WorkerPoolTest, RunsEveryItemAndPublishesTheChainResult) {
  WorkerPoolOptions options;
  options.threads = 2;
  WorkerPool pool(
      [](const RawMessage& m, absl::Time) { return ResultWithId(absl::StrCat("id-", m.value)); },
      options);
  std::vector<std::shared_ptr<WorkItem>> items;
  for (int64_t o = 0; o < 20; ++o) {
    items.push_back(Item(o));
    pool.Submit(items.back());
  }
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& item : items) {
      if (!item->ready()) return false;
    }
    return true;
  }));
  for (int64_t o = 0; o < 20; ++o) {
    EXPECT_TRUE(items[o]->done());
    EXPECT_FALSE(items[o]->abandoned());
    EXPECT_EQ(items[o]->result().event.article().id(), absl::StrCat("id-value ", o));
    EXPECT_FALSE(items[o]->result().failure.has_value());
  }
  EXPECT_TRUE(pool.AbandonOverdue(absl::Now() + absl::Hours(1)).empty());  // all done
  EXPECT_EQ(pool.outstanding(), 0u);  // ready items are forgotten
  EXPECT_EQ(pool.workers_started(), 2u);
}

// The race of the old Slot::result(): a worker abandoned by the time budget went on
// to write `worker_result` while the loop read the result (and result() then
// switched from the DEADLINE_EXCEEDED result to the late chain result). Here the
// stage returns only after the item was abandoned: the published result must be the
// DEADLINE_EXCEEDED one, at the same address, before and after the worker returned.
TEST(WorkerPoolTest, AbandonedItemKeepsItsDeadlineResultWhenTheWorkerReturnsLate) {
  auto abandoned = std::make_shared<absl::Notification>();
  auto returned = std::make_shared<std::atomic<bool>>(false);
  WorkerPoolOptions options;
  options.threads = 1;
  options.time_budget = absl::Milliseconds(20);
  options.shutdown_grace = absl::Seconds(10);
  std::shared_ptr<WorkItem> item = Item(7);
  {
    WorkerPool pool(
        [abandoned, returned](const RawMessage& m, absl::Time) {
          if (m.offset == 7) abandoned->WaitForNotification();
          ChainResult late = ResultWithId("late chain result");
          returned->store(true);
          return late;
        },
        options);
    pool.Submit(item);
    ASSERT_TRUE(WaitFor([&] { return item->state() == WorkItem::kRunning; }));
    EXPECT_TRUE(pool.AbandonOverdue(item->started() + absl::Milliseconds(19)).empty());
    std::vector<std::shared_ptr<WorkItem>> over =
        pool.AbandonOverdue(item->started() + absl::Milliseconds(20));
    ASSERT_EQ(over.size(), 1u);
    EXPECT_EQ(over[0], item);
    ASSERT_TRUE(item->ready());
    ASSERT_TRUE(item->abandoned());
    const ChainResult* published = &item->result();
    ASSERT_TRUE(published->failure.has_value());
    EXPECT_EQ(published->failure->stage, "chain");
    EXPECT_EQ(published->failure->status.code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_EQ(published->event.article().id(), "news.raw/0/7");
    EXPECT_EQ(pool.workers_started(), 2u);  // a replacement for the stuck worker

    abandoned->Notify();  // the stage returns now, after the abandonment
    ASSERT_TRUE(WaitFor([&] { return returned->load(); }));
    // The replacement worker still runs new items.
    std::shared_ptr<WorkItem> next = Item(8);
    pool.Submit(next);
    ASSERT_TRUE(WaitFor([&] { return next->ready(); }));
    EXPECT_TRUE(next->done());
    // Destroying the pool joins both workers: the late one has fully returned.
  }
  EXPECT_TRUE(item->abandoned());
  EXPECT_EQ(&item->result(), &item->result());
  ASSERT_TRUE(item->result().failure.has_value());
  EXPECT_EQ(item->result().failure->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(item->result().event.article().id(), "news.raw/0/7");
}

// Items finishing right at the budget: each is published exactly once, either by
// its worker (the chain result) or by the time budget (DEADLINE_EXCEEDED), and the
// result never changes afterwards. (Meant for the TSan build too.)
TEST(WorkerPoolTest, WorkerAndBudgetRacingPublishExactlyOneResult) {
  WorkerPoolOptions options;
  options.threads = 4;
  options.time_budget = absl::Microseconds(300);
  options.shutdown_grace = absl::Seconds(10);
  std::vector<std::shared_ptr<WorkItem>> items;
  std::vector<std::string> first_seen;
  {
    WorkerPool pool(
        [](const RawMessage& m, absl::Time) {
          absl::SleepFor(absl::Microseconds(100 * (m.offset % 6)));
          return ResultWithId(absl::StrCat("chain ", m.offset));
        },
        options);
    for (int64_t o = 0; o < 200; ++o) {
      items.push_back(Item(o));
      pool.Submit(items.back());
    }
    size_t abandoned = 0;
    ASSERT_TRUE(WaitFor([&] {
      abandoned += pool.AbandonOverdue(absl::Now()).size();
      for (const auto& item : items) {
        if (!item->ready()) return false;
      }
      return true;
    }));
    for (const auto& item : items) first_seen.push_back(item->result().event.article().id());
    EXPECT_EQ(pool.workers_started(), 4u + abandoned);
  }
  size_t done = 0, abandoned = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const WorkItem& item = *items[i];
    const int64_t o = item.message.offset;
    EXPECT_EQ(item.result().event.article().id(), first_seen[i]);  // unchanged
    if (item.done()) {
      ++done;
      EXPECT_EQ(first_seen[i], absl::StrCat("chain ", o));
      EXPECT_FALSE(item.result().failure.has_value());
    } else {
      ASSERT_TRUE(item.abandoned());
      ++abandoned;
      EXPECT_EQ(first_seen[i], absl::StrCat("news.raw/0/", o));
      ASSERT_TRUE(item.result().failure.has_value());
      EXPECT_EQ(item.result().failure->status.code(), absl::StatusCode::kDeadlineExceeded);
    }
  }
  EXPECT_EQ(done + abandoned, items.size());
}

TEST(WorkerPoolTest, QueuedItemsAreNotOverBudgetAndCancelledOnesNeverRun) {
  auto release = std::make_shared<absl::Notification>();
  // Item 1 waits for the Cancel below: the replacement worker, free as soon as
  // AbandonOverdue starts it, must not reach item 2 before it is cancelled.
  auto cancelled = std::make_shared<absl::Notification>();
  auto ran = std::make_shared<std::vector<int64_t>>();  // one worker at a time writes it
  WorkerPoolOptions options;
  options.threads = 1;
  options.time_budget = absl::Seconds(60);
  WorkerPool pool(
      [release, cancelled, ran](const RawMessage& m, absl::Time) {
        if (m.offset == 0) release->WaitForNotification();
        if (m.offset == 1) cancelled->WaitForNotification();
        ran->push_back(m.offset);
        return ResultWithId("ok");
      },
      options);
  std::vector<std::shared_ptr<WorkItem>> items;
  for (int64_t o = 0; o < 4; ++o) {
    items.push_back(Item(o));
    pool.Submit(items.back());
  }
  ASSERT_TRUE(WaitFor([&] { return items[0]->state() == WorkItem::kRunning; }));
  // Hours later the running item is over budget; queued ones have not started.
  std::vector<std::shared_ptr<WorkItem>> over = pool.AbandonOverdue(absl::Now() + absl::Hours(1));
  ASSERT_EQ(over.size(), 1u);
  EXPECT_EQ(over[0], items[0]);
  // Item 1 may already be with the replacement worker; 2 and 3 have not started.
  for (int o = 2; o < 4; ++o) EXPECT_EQ(items[o]->state(), WorkItem::kQueued);
  EXPECT_NE(items[1]->state(), WorkItem::kAbandoned);
  pool.Cancel([](const WorkItem& item) { return item.message.offset == 2; });
  EXPECT_EQ(pool.outstanding(), 2u);  // 1 and 3
  cancelled->Notify();
  // The replacement worker runs 1 and 3 while the first one is still stuck.
  ASSERT_TRUE(WaitFor([&] { return items[1]->ready() && items[3]->ready(); }));
  release->Notify();
  EXPECT_TRUE(items[1]->done());
  EXPECT_TRUE(items[3]->done());
  EXPECT_EQ(items[2]->state(), WorkItem::kQueued);  // cancelled: never ran
  pool.Shutdown();  // joins: `ran` is complete
  EXPECT_EQ(*ran, (std::vector<int64_t>{1, 3, 0}));  // 0 returned last, after release
  EXPECT_TRUE(items[0]->abandoned());
}

TEST(WorkerPoolTest, WorkerStuckAtShutdownIsDetached) {
  auto release = std::make_shared<absl::Notification>();
  auto started = std::make_shared<absl::Notification>();
  const int detached_before = WorkerPool::DetachedWorkers();
  auto item = Item(0);
  {
    WorkerPoolOptions options;
    options.threads = 1;
    options.shutdown_grace = absl::Milliseconds(50);
    WorkerPool pool(
        [release, started](const RawMessage&, absl::Time) {
          started->Notify();
          release->WaitForNotification();
          return ResultWithId("late");
        },
        options);
    pool.Submit(item);
    started->WaitForNotification();
  }  // destroyed while the worker is inside the stage
  EXPECT_EQ(WorkerPool::DetachedWorkers(), detached_before + 1);
  release->Notify();  // the detached worker returns and publishes (nobody waits for it)
  ASSERT_TRUE(WaitFor([&] { return item->ready(); }));
  EXPECT_TRUE(item->done());
  EXPECT_EQ(item->result().event.article().id(), "late");
}

}  // namespace
}  // namespace newsd
