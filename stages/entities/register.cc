// Registers the "entities" stage. Options: proto/newsd/v1/entities_options.proto.
// Metric: newsd_stage_entities_entities_total (entities found; divided by the
// stage's article count, the mean entities per article).
#include <memory>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "newsd/v1/entities_options.pb.h"
#include "pipeline/stage_registry.h"
#include "stages/entities/entities.h"

namespace newsd::stages {
namespace {

absl::StatusOr<BuiltStage> CreateEntitiesStage(const v1::EntitiesStageOptions& o,
                                               const StageMetrics& metrics) {
  EntitiesOptions options;
  options.min_city_population = o.min_city_population();
  options.min_confidence = o.min_confidence();
  options.languages.clear();
  for (absl::string_view l : absl::StrSplit(o.languages(), ',', absl::SkipWhitespace())) {
    options.languages.emplace_back(absl::StripAsciiWhitespace(l));
  }
  absl::StatusOr<std::unique_ptr<EntitiesStage>> stage = EntitiesStage::Create(options);
  if (!stage.ok()) return stage.status();
  StageCounter* entities = metrics.Counter("entities_total", "Entities found in articles.");
  return BuiltStage(StagePtr(*std::move(stage)), [entities](const v1::Article& article) {
    if (article.entities_size() > 0) entities->Add(article.entities_size());
  });
}

const TypedStageRegistration<v1::EntitiesStageOptions> kReg(
    "entities", StageContract{{"article.text"}, {"article.entities"}},
    &CreateEntitiesStage);

}  // namespace
}  // namespace newsd::stages
