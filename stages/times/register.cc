// Registers the "times" stage. Options: proto/newsd/v1/times_options.proto.
#include <memory>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "newsd/v1/times_options.pb.h"
#include "pipeline/stage_registry.h"
#include "stages/times/times.h"

namespace newsd::stages {
namespace {

absl::StatusOr<BuiltStage> CreateTimesStage(const v1::TimesStageOptions& o,
                                            const StageMetrics& /*metrics*/) {
  TimesOptions options;
  options.languages.clear();
  for (absl::string_view l : absl::StrSplit(o.languages(), ',', absl::SkipWhitespace())) {
    options.languages.emplace_back(absl::StripAsciiWhitespace(l));
  }
  return StagePtr(std::make_unique<TimesStage>(std::move(options)));
}

const TypedStageRegistration<v1::TimesStageOptions> kReg(
    "times", StageContract{{"article.text"}, {"article.times"}}, &CreateTimesStage);

}  // namespace
}  // namespace newsd::stages
