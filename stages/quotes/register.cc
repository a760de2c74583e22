// Registers the "quotes" stage. Options:
//   scare_max_words  a quote of at most this many words inside a sentence with no
//                    cue is a SCARE quote (1..20, default 3).
#include <memory>

#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/quotes/quotes.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateQuotesStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(config, {"scare_max_words"}); !s.ok()) return s;
  QuotesOptions options;
  absl::StatusOr<uint64_t> words =
      GetUint64Option(config, "scare_max_words", options.scare_max_words, 1, 20);
  if (!words.ok()) return words.status();
  options.scare_max_words = static_cast<uint32_t>(*words);
  return StagePtr(std::make_unique<QuotesStage>(options));
}

const StageRegistration kReg("quotes", &CreateQuotesStage);

}  // namespace
}  // namespace newsd::stages
