// Registers the "segment" stage. Options: proto/newsd/v1/segment_options.proto.
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "newsd/v1/segment_options.pb.h"
#include "pipeline/stage_registry.h"
#include "stages/segment/segment.h"

namespace newsd::stages {
namespace {

absl::StatusOr<BuiltStage> CreateSegmentStage(const v1::SegmentStageOptions& o,
                                              const StageMetrics& /*metrics*/) {
  SegmentOptions options;
  options.locale = o.locale();
  for (absl::string_view a : absl::StrSplit(o.abbreviations(), ',', absl::SkipWhitespace())) {
    options.extra_abbreviations.emplace_back(absl::StripAsciiWhitespace(a));
  }
  options.publish_tokens = o.publish_tokens() == "true";
  absl::StatusOr<std::unique_ptr<SegmentStage>> stage = SegmentStage::Create(options);
  if (absl::IsInvalidArgument(stage.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("options[\"locale\"]: ", stage.status().message()));
  }
  if (!stage.ok()) return stage.status();
  return StagePtr(*std::move(stage));
}

const TypedStageRegistration<v1::SegmentStageOptions> kReg(
    "segment",
    StageContract{{"article.text"}, {"article.sentences", "analysis.tokens"}},
    &CreateSegmentStage);

}  // namespace
}  // namespace newsd::stages
