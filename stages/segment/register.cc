// Registers the "segment" stage. Options:
//   locale         BCP-47 tag of the sentence rules (default "en");
//   abbreviations  comma-separated extra abbreviations that never end a sentence,
//                  with their period ("Calif.,Gov.");
//   publish_tokens "true" to publish the article's token stream as Article.tokens
//                  (default "false": the tokens are only shared with later stages).
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
  if (absl::Status s = CheckStageOptions(config, {"locale", "abbreviations", "publish_tokens"}); !s.ok()) {
    return s;
  }
  SegmentOptions options;
  options.locale = GetStringOption(config, "locale", options.locale);
  for (absl::string_view a : absl::StrSplit(GetStringOption(config, "abbreviations", ""), ',',
                                            absl::SkipWhitespace())) {
    options.extra_abbreviations.emplace_back(absl::StripAsciiWhitespace(a));
  }
  const std::string publish = GetStringOption(config, "publish_tokens", "false");
  if (publish != "true" && publish != "false") {
    return absl::InvalidArgumentError(absl::StrCat(
        "options[\"publish_tokens\"]: expected \"true\" or \"false\", got \"", publish, "\""));
  }
  options.publish_tokens = publish == "true";
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
