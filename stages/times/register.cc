// Registers the "times" stage. Options:
//   languages  comma-separated primary language tags the English rules run for
//              (default "en"; "" and "und" always run).
#include <memory>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/times/times.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateTimesStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(config, {"languages"}); !s.ok()) return s;
  TimesOptions options;
  if (config.options().contains("languages")) {
    options.languages.clear();
    for (absl::string_view l : absl::StrSplit(GetStringOption(config, "languages", ""), ',',
                                              absl::SkipWhitespace())) {
      options.languages.emplace_back(absl::StripAsciiWhitespace(l));
    }
  }
  return StagePtr(std::make_unique<TimesStage>(std::move(options)));
}

const StageRegistration kReg("times", &CreateTimesStage);

}  // namespace
}  // namespace newsd::stages
