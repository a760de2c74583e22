// Metrics a stage registers at construction, without knowing the backend.
//
// A stage factory receives a StageMetrics scope (its own stage name) and registers
// its counters and histograms once; the stage keeps the returned pointers and
// updates them per article. Every metric is named newsd_stage_<stage>_<name>
// (`name` in snake_case; a counter's ends in "_total"). The backend is
// prometheus-cpp in the daemon (pipeline/prometheus_stage_metrics.h), nothing in
// `newsd extract` and benchmarks (NoopStageMetrics), and an in-memory map in tests
// (InMemoryStageMetrics). Knows nothing of NLP or Kafka.
//
// Thread-safety: registration happens during chain construction (one thread);
// StageCounter::Add and StageHistogram::Observe are thread-safe. A counter Add is a
// lock-free atomic in every backend; a prometheus histogram Observe takes a mutex,
// so a per-article histogram is a choice to weigh against the hot path.
#ifndef NEWSD_PIPELINE_STAGE_METRICS_H_
#define NEWSD_PIPELINE_STAGE_METRICS_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace newsd {

// A monotonically increasing count. Owned by the backend, which outlives the chain.
class StageCounter {
 public:
  virtual ~StageCounter() = default;
  // Adds `value` (>= 0).
  virtual void Add(double value) = 0;
};

// A distribution over fixed bucket upper bounds. Owned by the backend.
class StageHistogram {
 public:
  virtual ~StageHistogram() = default;
  virtual void Observe(double value) = 0;
};

// Where stage metrics go. Registering one full name twice returns the same metric.
class StageMetricsBackend {
 public:
  virtual ~StageMetricsBackend() = default;
  virtual StageCounter* Counter(const std::string& full_name, const std::string& help) = 0;
  // `bounds`: increasing bucket upper bounds (+Inf is implied).
  virtual StageHistogram* Histogram(const std::string& full_name, const std::string& help,
                                    const std::vector<double>& bounds) = 0;
};

// One stage's view of a backend: prefixes every name with newsd_stage_<stage>_.
// Cheap to copy; the backend must outlive it and every metric it returned.
class StageMetrics {
 public:
  StageMetrics(StageMetricsBackend* backend, absl::string_view stage)
      : backend_(backend), prefix_(absl::StrCat("newsd_stage_", stage, "_")) {}

  // newsd_stage_<stage>_<name>; never null.
  StageCounter* Counter(absl::string_view name, absl::string_view help) const {
    return backend_->Counter(absl::StrCat(prefix_, name), std::string(help));
  }
  StageHistogram* Histogram(absl::string_view name, absl::string_view help,
                            const std::vector<double>& bounds) const {
    return backend_->Histogram(absl::StrCat(prefix_, name), std::string(help), bounds);
  }

 private:
  StageMetricsBackend* backend_;
  std::string prefix_;
};

// Discards everything. Global() lives for the whole process.
class NoopStageMetrics : public StageMetricsBackend {
 public:
  static NoopStageMetrics& Global();
  StageCounter* Counter(const std::string&, const std::string&) override;
  StageHistogram* Histogram(const std::string&, const std::string&,
                            const std::vector<double>&) override;
};

// Keeps counters and histogram sums in memory, for tests.
class InMemoryStageMetrics : public StageMetricsBackend {
 public:
  InMemoryStageMetrics();
  ~InMemoryStageMetrics() override;
  StageCounter* Counter(const std::string& full_name, const std::string& help) override;
  StageHistogram* Histogram(const std::string& full_name, const std::string& help,
                            const std::vector<double>& bounds) override;

  // A counter's value, or a histogram's sum; -1 if `full_name` is not registered.
  double Value(absl::string_view full_name) const;
  // A histogram's number of observations; -1 if not registered.
  int64_t Count(absl::string_view full_name) const;
  // Registered names, sorted.
  std::vector<std::string> Names() const;

 private:
  struct Metric;
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Metric>, std::less<>> metrics_ ABSL_GUARDED_BY(mu_);
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STAGE_METRICS_H_
