#include "stages/common/options.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

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
  uint64_t value = 0;
  if (!absl::SimpleAtoi(*raw, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat("options[\"", key,
                                                   "\"]: expected an integer in [", min,
                                                   ", ", max, "], got \"", *raw, "\""));
  }
  return value;
}

absl::StatusOr<double> GetDoubleOption(const v1::StageConfig& config,
                                       absl::string_view key, double default_value,
                                       double min, double max) {
  const std::string* raw = Find(config, key);
  if (raw == nullptr) return default_value;
  double value = 0;
  if (!absl::SimpleAtod(*raw, &value) || !std::isfinite(value) || value < min ||
      value > max) {
    return absl::InvalidArgumentError(absl::StrCat("options[\"", key,
                                                   "\"]: expected a number in [", min,
                                                   ", ", max, "], got \"", *raw, "\""));
  }
  return value;
}

std::string GetStringOption(const v1::StageConfig& config, absl::string_view key,
                            absl::string_view default_value) {
  const std::string* raw = Find(config, key);
  return raw == nullptr ? std::string(default_value) : *raw;
}

}  // namespace newsd::stages
