// Registers the "quotes" stage. Options: proto/newsd/v1/quotes_options.proto.
// Metric: newsd_stage_quotes_without_speaker_total (quotes found without a speaker).
#include <memory>

#include "newsd/v1/quotes_options.pb.h"
#include "pipeline/stage_registry.h"
#include "stages/quotes/quotes.h"

namespace newsd::stages {
namespace {

absl::StatusOr<BuiltStage> CreateQuotesStage(const v1::QuotesStageOptions& o,
                                             const StageMetrics& metrics) {
  QuotesOptions options;
  options.scare_max_words = static_cast<uint32_t>(o.scare_max_words());
  StageCounter* without_speaker =
      metrics.Counter("without_speaker_total", "Quotes found without a speaker.");
  return BuiltStage(std::make_unique<QuotesStage>(options),
                    [without_speaker](const v1::Article& article) {
                      int n = 0;
                      for (const v1::Quote& q : article.quotes()) n += q.speaker().empty();
                      if (n > 0) without_speaker->Add(n);
                    });
}

const TypedStageRegistration<v1::QuotesStageOptions> kReg(
    "quotes", StageContract{{"article.text"}, {"article.quotes"}},
    &CreateQuotesStage);

}  // namespace
}  // namespace newsd::stages
