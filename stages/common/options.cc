#include "stages/common/options.h"

#include "absl/strings/str_cat.h"
#include "pipeline/stage_options.h"

namespace newsd::stages {
namespace {

const std::string* Find(const v1::StageConfig& config, absl::string_view key) {
  auto it = config.options().find(std::string(key));
  return it == config.options().end() ? nullptr : &it->second;
}

}  // namespace

absl::StatusOr<uint64_t> GetUint64Option(const v1::StageConfig& config,
                                         absl::string_view key, uint64_t default_value,
                                         uint64_t min, uint64_t max) {
  const std::string* raw = Find(config, key);
  if (raw == nullptr) return default_value;
  return ParseUint64Option(absl::StrCat("options[\"", key, "\"]"), *raw, min, max);
}

absl::StatusOr<double> GetDoubleOption(const v1::StageConfig& config,
                                       absl::string_view key, double default_value,
                                       double min, double max) {
  const std::string* raw = Find(config, key);
  if (raw == nullptr) return default_value;
  return ParseDoubleOption(absl::StrCat("options[\"", key, "\"]"), *raw, min, max);
}

std::string GetStringOption(const v1::StageConfig& config, absl::string_view key,
                            absl::string_view default_value) {
  const std::string* raw = Find(config, key);
  return raw == nullptr ? std::string(default_value) : *raw;
}

}  // namespace newsd::stages
