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

}  // namespace newsd
