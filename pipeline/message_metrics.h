// MessageMetrics: the metrics the daemon updates per message, resolved once.
//
// Metrics (metrics.h) hands out label children under a mutex and a map lookup;
// that is fine for set-up and periodic gauges, not for every message. This struct
// holds the children the per-message path needs: those whose labels are known up
// front (output topic, chain stages, configured input topics) are resolved at
// construction; those whose labels appear with the traffic (a flag, a failing
// stage and status code, another input topic of a pattern subscription) are
// resolved at their first use and remembered (ChildCache). A series therefore
// appears exactly when it did when the daemon asked Metrics each time: names,
// labels and values are unchanged.
//
// Not thread-safe: used by the daemon's loop thread only. `metrics` must outlive it.
#ifndef NEWSD_PIPELINE_MESSAGE_METRICS_H_
#define NEWSD_PIPELINE_MESSAGE_METRICS_H_

#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/chain.h"
#include "pipeline/metrics.h"

namespace newsd {

// Label children of one family by label values (`Key`: a string or a pair of
// strings), each asked from Metrics once. The common case, the same labels as the
// previous call, costs one comparison; another label set seen before, a scan of
// the (few) sets seen so far; no mutex and no map lookup. Loop thread only.
template <typename Key, typename Metric>
class ChildCache {
 public:
  explicit ChildCache(std::function<Metric&(const Key&)> resolve) : resolve_(std::move(resolve)) {}

  Metric& Get(const Key& key) {
    if (last_ != nullptr && last_->first == key) return *last_->second;
    for (auto& entry : entries_) {
      if (entry.first == key) {
        last_ = &entry;
        return *entry.second;
      }
    }
    last_ = &entries_.emplace_back(key, &resolve_(key));  // deque: stable addresses
    return *last_->second;
  }

 private:
  std::function<Metric&(const Key&)> resolve_;
  std::deque<std::pair<Key, Metric*>> entries_;
  std::pair<Key, Metric*>* last_ = nullptr;
};

class MessageMetrics {
 public:
  using Labels2 = std::pair<std::string, std::string>;

  // Resolves newsd_events_published_total{topic=output_topic},
  // newsd_changelog_records_total{result="produced"} (Metrics creates it at 0),
  // newsd_stage_duration_seconds{stage} of each of `stage_names` (chain order) and
  // newsd_messages_consumed_total{topic} of each of `input_topics`: these series
  // exist (at 0) from here on.
  MessageMetrics(Metrics* metrics, const std::vector<std::string>& stage_names,
                 const std::vector<std::string>& input_topics, const std::string& output_topic);

  // newsd_messages_consumed_total{topic}
  prometheus::Counter& consumed(const std::string& topic) { return consumed_.Get(topic); }
  // newsd_events_published_total{topic=output_topic}
  prometheus::Counter& published() { return published_; }
  // newsd_stage_duration_seconds{stage} of the chain's `index`th stage; nullptr past
  // the last.
  prometheus::Histogram* stage_duration(size_t index) {
    return index < stage_duration_.size() ? stage_duration_[index] : nullptr;
  }
  // newsd_article_flags_total{flag}
  prometheus::Counter& article_flags(const std::string& flag) { return flags_.Get(flag); }
  // Observes a chain result the chain itself produced (not the time budget's):
  // newsd_article_flags_total of every published article's flags (none of an
  // all-skipped message's first article) and newsd_stage_duration_seconds of each
  // stage's timing in result.event.stages (chain order).
  void ObserveChainResult(const ChainResult& result);
  // newsd_dead_letters_total{stage,reason}
  prometheus::Counter& dead_letters(const std::string& stage, const std::string& reason) {
    return dead_letters_.Get({stage, reason});
  }
  // newsd_inputs_skipped_total{stage,kind}
  prometheus::Counter& inputs_skipped(const std::string& stage, const std::string& kind) {
    return skipped_.Get({stage, kind});
  }
  // newsd_changelog_records_total{result="produced"}
  prometheus::Counter& changelog_produced() { return changelog_produced_; }

 private:
  prometheus::Counter& published_;
  prometheus::Counter& changelog_produced_;
  std::vector<prometheus::Histogram*> stage_duration_;
  ChildCache<std::string, prometheus::Counter> consumed_;
  ChildCache<std::string, prometheus::Counter> flags_;
  ChildCache<Labels2, prometheus::Counter> dead_letters_;
  ChildCache<Labels2, prometheus::Counter> skipped_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_MESSAGE_METRICS_H_
