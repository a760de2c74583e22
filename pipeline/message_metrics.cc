#include "pipeline/message_metrics.h"

namespace newsd {

MessageMetrics::MessageMetrics(Metrics* metrics, const std::vector<std::string>& stage_names,
                               const std::vector<std::string>& input_topics,
                               const std::string& output_topic)
    : published_(metrics->Published(output_topic)),
      changelog_produced_(metrics->ChangelogRecords("produced")),
      consumed_([metrics](const std::string& topic) -> prometheus::Counter& {
        return metrics->Consumed(topic);
      }),
      flags_([metrics](const std::string& flag) -> prometheus::Counter& {
        return metrics->ArticleFlags(flag);
      }),
      dead_letters_([metrics](const Labels2& l) -> prometheus::Counter& {
        return metrics->DeadLetters(l.first, l.second);
      }),
      skipped_([metrics](const Labels2& l) -> prometheus::Counter& {
        return metrics->InputsSkipped(l.first, l.second);
      }) {
  for (const std::string& name : stage_names) {
    stage_duration_.push_back(&metrics->StageDuration(name));
  }
  for (const std::string& topic : input_topics) consumed_.Get(topic);
}

void MessageMetrics::ObserveChainResult(const ChainResult& result) {
  auto observe = [&](const v1::ArticleEvent& event) {
    for (const std::string& flag : event.article().flags()) article_flags(flag).Increment();
  };
  if (!result.all_skipped) observe(result.event);  // flags of published articles
  for (const v1::ArticleEvent& event : result.more_events) observe(event);
  const auto& timings = result.event.stages();
  for (int i = 0; i < timings.size(); ++i) {
    prometheus::Histogram* duration = stage_duration(i);
    if (duration == nullptr) break;
    duration->Observe(timings[i].duration().seconds() + timings[i].duration().nanos() * 1e-9);
  }
}

}  // namespace newsd
