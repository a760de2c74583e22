// Registers the "language" stage. Options:
//   min_confidence       in [0, 1]: below it the language is "und" (default 0);
//   secondary_min_share  in [0.01, 1]: the share of the text a second language
//                        needs to be reported as Article.secondary_language
//                        (default 0.1).
#include <memory>

#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/language/language.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateLanguageStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(config, {"min_confidence", "secondary_min_share"});
      !s.ok()) {
    return s;
  }
  LanguageOptions options;
  absl::StatusOr<double> min_confidence =
      GetDoubleOption(config, "min_confidence", options.min_confidence, 0.0, 1.0);
  if (!min_confidence.ok()) return min_confidence.status();
  options.min_confidence = *min_confidence;
  absl::StatusOr<double> secondary_min_share =
      GetDoubleOption(config, "secondary_min_share", options.secondary_min_share, 0.01, 1.0);
  if (!secondary_min_share.ok()) return secondary_min_share.status();
  options.secondary_min_share = *secondary_min_share;
  return std::make_unique<LanguageStage>(options);
}

const StageRegistration kReg("language", &CreateLanguageStage);

}  // namespace
}  // namespace newsd::stages
