#include "pipeline/prometheus_stage_metrics.h"

#include <utility>

#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace newsd {

struct PrometheusStageMetrics::Adapter : StageCounter, StageHistogram {
  void Add(double v) override { counter->Increment(v); }
  void Observe(double v) override { histogram->Observe(v); }
  prometheus::Counter* counter = nullptr;
  prometheus::Histogram* histogram = nullptr;
};

PrometheusStageMetrics::PrometheusStageMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)) {}

PrometheusStageMetrics::~PrometheusStageMetrics() = default;

StageCounter* PrometheusStageMetrics::Counter(const std::string& full_name,
                                              const std::string& help) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Adapter>& a = metrics_[full_name];
  if (a == nullptr) {
    a = std::make_unique<Adapter>();
    a->counter = &prometheus::BuildCounter().Name(full_name).Help(help).Register(*registry_).Add({});
  }
  return a.get();
}

StageHistogram* PrometheusStageMetrics::Histogram(const std::string& full_name,
                                                  const std::string& help,
                                                  const std::vector<double>& bounds) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Adapter>& a = metrics_[full_name];
  if (a == nullptr) {
    a = std::make_unique<Adapter>();
    a->histogram = &prometheus::BuildHistogram()
                        .Name(full_name)
                        .Help(help)
                        .Register(*registry_)
                        .Add({}, prometheus::Histogram::BucketBoundaries(bounds));
  }
  return a.get();
}

}  // namespace newsd
