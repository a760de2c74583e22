// Registers the "entities" stage. Options:
//   min_city_population  smallest city kept in the gazetteer (default 15000;
//                        capitals are always kept; the build keeps >= 15000);
//   min_confidence       entities below this confidence are dropped (default 0.5);
//   languages            comma-separated primary language tags the rules run for
//                        (default "en"; "" and "und" always run).
#include <memory>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/entities/entities.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateEntitiesStage(const v1::StageConfig& config) {
  if (absl::Status s =
          CheckStageOptions(config, {"min_city_population", "min_confidence", "languages"});
      !s.ok()) {
    return s;
  }
  EntitiesOptions options;
  absl::StatusOr<uint64_t> population = GetUint64Option(
      config, "min_city_population", options.min_city_population, 15000, 100000000);
  if (!population.ok()) return population.status();
  options.min_city_population = *population;
  absl::StatusOr<double> confidence =
      GetDoubleOption(config, "min_confidence", options.min_confidence, 0, 1);
  if (!confidence.ok()) return confidence.status();
  options.min_confidence = *confidence;
  if (config.options().contains("languages")) {
    options.languages.clear();
    for (absl::string_view l : absl::StrSplit(GetStringOption(config, "languages", ""), ',',
                                              absl::SkipWhitespace())) {
      options.languages.emplace_back(absl::StripAsciiWhitespace(l));
    }
  }
  absl::StatusOr<std::unique_ptr<EntitiesStage>> stage = EntitiesStage::Create(options);
  if (!stage.ok()) return stage.status();
  return StagePtr(*std::move(stage));
}

const StageRegistration kReg("entities", &CreateEntitiesStage);

}  // namespace
}  // namespace newsd::stages
