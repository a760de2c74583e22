// Registers the "story" stage. Options: proto/newsd/v1/story_options.proto; the
// checks across fields (retention >= window, lsh_bands * lsh_rows <= 1024) are here.
// The stage owns an in-memory index; the engine persists and shares it through
// the changelog topic (the stage's state store "story", see story.h).
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "newsd/v1/story_options.pb.h"
#include "pipeline/stage_registry.h"
#include "stages/story/story.h"

namespace newsd::stages {
namespace {

// A duration option (already checked by the registry: positive and finite).
absl::Duration Duration(const std::string& value) {
  absl::Duration d;
  absl::ParseDuration(value, &d);
  return d;
}

absl::StatusOr<BuiltStage> CreateStoryStage(const v1::StoryStageOptions& o,
                                            const StageMetrics& /*metrics*/) {
  StoryOptions options;
  options.threshold = o.threshold();
  options.version_threshold = o.version_threshold();
  options.shingle_words = static_cast<int>(o.shingle_words());
  options.index.window = Duration(o.window());
  options.index.retention = Duration(o.retention());
  if (options.index.retention < options.index.window) {
    return absl::InvalidArgumentError("options[\"retention\"]: must be at least the window");
  }
  if (o.lsh_bands() * o.lsh_rows() > 1024) {
    return absl::InvalidArgumentError(
        "options[\"lsh_bands\"] * options[\"lsh_rows\"]: at most 1024 hashes");
  }
  options.index.lsh_bands = static_cast<int>(o.lsh_bands());
  options.index.lsh_rows = static_cast<int>(o.lsh_rows());
  absl::StatusOr<std::unique_ptr<StoryStage>> stage = StoryStage::Create(options);
  if (!stage.ok()) return stage.status();
  return StagePtr(*std::move(stage));
}

const TypedStageRegistration<v1::StoryStageOptions> kReg(
    "story", StageContract{{"article.text"}, {"article.story"}}, &CreateStoryStage);

}  // namespace
}  // namespace newsd::stages
