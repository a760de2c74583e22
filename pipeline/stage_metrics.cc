#include "pipeline/stage_metrics.h"

namespace newsd {
namespace {

class NoopCounter : public StageCounter {
 public:
  void Add(double) override {}
};

class NoopHistogram : public StageHistogram {
 public:
  void Observe(double) override {}
};

// Lock-free sum with a compare-and-swap loop (std::atomic<double>::fetch_add is C++20
// for floating point but not in every standard library).
void AtomicAdd(std::atomic<double>& a, double v) {
  double old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

}  // namespace

struct InMemoryStageMetrics::Metric : StageCounter, StageHistogram {
  void Add(double v) override { AtomicAdd(sum, v); }
  void Observe(double v) override {
    AtomicAdd(sum, v);
    count.fetch_add(1, std::memory_order_relaxed);
  }
  std::atomic<double> sum{0};
  std::atomic<int64_t> count{0};
  bool histogram = false;
};

NoopStageMetrics& NoopStageMetrics::Global() {
  static auto* metrics = new NoopStageMetrics();
  return *metrics;
}

StageCounter* NoopStageMetrics::Counter(const std::string&, const std::string&) {
  static auto* counter = new NoopCounter();
  return counter;
}

StageHistogram* NoopStageMetrics::Histogram(const std::string&, const std::string&,
                                            const std::vector<double>&) {
  static auto* histogram = new NoopHistogram();
  return histogram;
}

InMemoryStageMetrics::InMemoryStageMetrics() = default;
InMemoryStageMetrics::~InMemoryStageMetrics() = default;

StageCounter* InMemoryStageMetrics::Counter(const std::string& full_name, const std::string&) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Metric>& m = metrics_[full_name];
  if (m == nullptr) m = std::make_unique<Metric>();
  return m.get();
}

StageHistogram* InMemoryStageMetrics::Histogram(const std::string& full_name,
                                                const std::string&,
                                                const std::vector<double>&) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Metric>& m = metrics_[full_name];
  if (m == nullptr) m = std::make_unique<Metric>();
  m->histogram = true;
  return m.get();
}

double InMemoryStageMetrics::Value(absl::string_view full_name) const {
  absl::MutexLock lock(&mu_);
  auto it = metrics_.find(full_name);
  return it == metrics_.end() ? -1 : it->second->sum.load();
}

int64_t InMemoryStageMetrics::Count(absl::string_view full_name) const {
  absl::MutexLock lock(&mu_);
  auto it = metrics_.find(full_name);
  return it == metrics_.end() || !it->second->histogram ? -1 : it->second->count.load();
}

std::vector<std::string> InMemoryStageMetrics::Names() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const auto& [name, m] : metrics_) names.push_back(name);
  return names;
}

}  // namespace newsd
