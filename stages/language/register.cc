// Registers the "language" stage. Options:
//   min_confidence  in [0, 1]: below it the language is "und" (default 0).
#include <memory>

#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/language/language.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateLanguageStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(config, {"min_confidence"}); !s.ok()) return s;
  LanguageOptions options;
  absl::StatusOr<double> min_confidence =
      GetDoubleOption(config, "min_confidence", options.min_confidence, 0.0, 1.0);
  if (!min_confidence.ok()) return min_confidence.status();
  options.min_confidence = *min_confidence;
  return std::make_unique<LanguageStage>(options);
}

const StageRegistration kReg("language", &CreateLanguageStage);

}  // namespace
}  // namespace newsd::stages
