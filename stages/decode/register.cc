// Registers the "decode" stage. Options:
//   max_bytes  largest accepted value in bytes, 1..1073741824 (default 8388608).
#include <memory>

#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/decode/decode.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateDecodeStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(config, {"max_bytes"}); !s.ok()) return s;
  DecodeOptions options;
  absl::StatusOr<uint64_t> max_bytes =
      GetUint64Option(config, "max_bytes", options.max_bytes, 1, uint64_t{1} << 30);
  if (!max_bytes.ok()) return max_bytes.status();
  options.max_bytes = *max_bytes;
  return std::make_unique<DecodeStage>(options);
}

const StageRegistration kReg("decode", &CreateDecodeStage);

}  // namespace
}  // namespace newsd::stages
