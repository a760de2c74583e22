// StageMetricsBackend on a prometheus-cpp registry: the daemon's stage metrics,
// served on /metrics with the engine's. Each name is one family without labels.
// Thread-safety: Counter/Histogram registration is serialized by a mutex (chain
// construction only); the returned metrics are prometheus-cpp's (thread-safe).
#ifndef NEWSD_PIPELINE_PROMETHEUS_STAGE_METRICS_H_
#define NEWSD_PIPELINE_PROMETHEUS_STAGE_METRICS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/stage_metrics.h"
#include "prometheus/registry.h"

namespace newsd {

class PrometheusStageMetrics : public StageMetricsBackend {
 public:
  // `registry` must outlive this object and every stage using it.
  explicit PrometheusStageMetrics(std::shared_ptr<prometheus::Registry> registry);
  ~PrometheusStageMetrics() override;

  StageCounter* Counter(const std::string& full_name, const std::string& help) override;
  StageHistogram* Histogram(const std::string& full_name, const std::string& help,
                            const std::vector<double>& bounds) override;

 private:
  struct Adapter;
  std::shared_ptr<prometheus::Registry> registry_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Adapter>> metrics_ ABSL_GUARDED_BY(mu_);
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_PROMETHEUS_STAGE_METRICS_H_
