// Registers the "language" stage. Options: proto/newsd/v1/language_options.proto.
// Metric: newsd_stage_language_undetermined_total (articles whose language is "und").
#include <memory>

#include "newsd/v1/language_options.pb.h"
#include "pipeline/stage_registry.h"
#include "stages/language/language.h"

namespace newsd::stages {
namespace {

absl::StatusOr<BuiltStage> CreateLanguageStage(const v1::LanguageStageOptions& o,
                                               const StageMetrics& metrics) {
  LanguageOptions options;
  options.min_confidence = o.min_confidence();
  options.secondary_min_share = o.secondary_min_share();
  StageCounter* undetermined = metrics.Counter(
      "undetermined_total", "Articles whose language could not be determined (\"und\").");
  return BuiltStage(std::make_unique<LanguageStage>(options),
                    [undetermined](const v1::Article& article) {
                      if (article.language() == "und") undetermined->Add(1);
                    });
}

const TypedStageRegistration<v1::LanguageStageOptions> kReg(
    "language", StageContract{{"article.text"}, {"article.language"}},
    &CreateLanguageStage);

}  // namespace
}  // namespace newsd::stages
