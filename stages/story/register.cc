// Registers the "story" stage. Options:
//   threshold          near-duplicate similarity, (0, 1] (default 0.8);
//   version_threshold  similarity for CORRECTED/UPDATE/REFILE/kill items (0.45);
//   shingle_words      words per shingle, 1..16 (default 5);
//   window             near-duplicate time window, absl duration ("72h");
//   retention          guid/story/content records kept ("720h", >= window);
//   lsh_bands, lsh_rows MinHash-LSH layout (40 × 3; product at most 1024).
// The stage owns an in-memory index; the engine persists and shares it through
// the changelog topic (the stage's state store "story", see story.h).
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/story/story.h"

namespace newsd::stages {
namespace {

absl::StatusOr<absl::Duration> GetDurationOption(const v1::StageConfig& config,
                                                 absl::string_view key,
                                                 absl::Duration default_value) {
  if (!config.options().contains(std::string(key))) return default_value;
  const std::string& value = config.options().at(std::string(key));
  absl::Duration d;
  if (!absl::ParseDuration(value, &d) || d <= absl::ZeroDuration() ||
      d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options[\"", key, "\"]: expected a positive duration such as \"72h\", got \"", value,
        "\""));
  }
  return d;
}

absl::StatusOr<StagePtr> CreateStoryStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(config, {"threshold", "version_threshold",
                                                  "shingle_words", "window", "retention",
                                                  "lsh_bands", "lsh_rows"});
      !s.ok()) {
    return s;
  }
  StoryOptions options;
  absl::StatusOr<double> threshold =
      GetDoubleOption(config, "threshold", options.threshold, 0.01, 1);
  if (!threshold.ok()) return threshold.status();
  options.threshold = *threshold;
  absl::StatusOr<double> version_threshold =
      GetDoubleOption(config, "version_threshold", options.version_threshold, 0.01, 1);
  if (!version_threshold.ok()) return version_threshold.status();
  options.version_threshold = *version_threshold;
  absl::StatusOr<uint64_t> words =
      GetUint64Option(config, "shingle_words", options.shingle_words, 1, 16);
  if (!words.ok()) return words.status();
  options.shingle_words = static_cast<int>(*words);
  absl::StatusOr<absl::Duration> window =
      GetDurationOption(config, "window", options.index.window);
  if (!window.ok()) return window.status();
  options.index.window = *window;
  absl::StatusOr<absl::Duration> retention =
      GetDurationOption(config, "retention", options.index.retention);
  if (!retention.ok()) return retention.status();
  if (*retention < *window) {
    return absl::InvalidArgumentError("options[\"retention\"]: must be at least the window");
  }
  options.index.retention = *retention;
  absl::StatusOr<uint64_t> bands =
      GetUint64Option(config, "lsh_bands", options.index.lsh_bands, 1, 1024);
  if (!bands.ok()) return bands.status();
  absl::StatusOr<uint64_t> rows =
      GetUint64Option(config, "lsh_rows", options.index.lsh_rows, 1, 1024);
  if (!rows.ok()) return rows.status();
  if (*bands * *rows > 1024) {
    return absl::InvalidArgumentError(
        "options[\"lsh_bands\"] * options[\"lsh_rows\"]: at most 1024 hashes");
  }
  options.index.lsh_bands = static_cast<int>(*bands);
  options.index.lsh_rows = static_cast<int>(*rows);
  absl::StatusOr<std::unique_ptr<StoryStage>> stage = StoryStage::Create(options);
  if (!stage.ok()) return stage.status();
  return StagePtr(*std::move(stage));
}

const StageRegistration kReg("story", &CreateStoryStage);

}  // namespace
}  // namespace newsd::stages
