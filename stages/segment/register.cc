// Registers the "segment" stage. Options:
//   locale         BCP-47 tag of the sentence rules (default "en");
//   abbreviations  comma-separated extra abbreviations that never end a sentence,
//                  with their period ("Calif.,Gov.").
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/segment/segment.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateSegmentStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(config, {"locale", "abbreviations"}); !s.ok()) {
    return s;
  }
  SegmentOptions options;
  options.locale = GetStringOption(config, "locale", options.locale);
  for (absl::string_view a : absl::StrSplit(GetStringOption(config, "abbreviations", ""), ',',
                                            absl::SkipWhitespace())) {
    options.extra_abbreviations.emplace_back(absl::StripAsciiWhitespace(a));
  }
  absl::StatusOr<std::unique_ptr<SegmentStage>> stage = SegmentStage::Create(options);
  if (absl::IsInvalidArgument(stage.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("options[\"locale\"]: ", stage.status().message()));
  }
  if (!stage.ok()) return stage.status();
  return StagePtr(*std::move(stage));
}

const StageRegistration kReg("segment", &CreateSegmentStage);

}  // namespace
}  // namespace newsd::stages
