// Typed access to StageConfig.options (string → string) by key, for code that reads
// the untyped map directly. Stage factories do not: the registry resolves their
// typed options message from the descriptor (pipeline/stage_options.h), and these
// helpers parse with the same functions, so both give the same errors.
// Every error is kInvalidArgument and names the option key, as
//   options["max_bytes"]: expected an integer in [1, 1073741824], got "lots"
// Unknown keys are rejected separately with newsd::CheckStageOptions.
#ifndef NEWSD_STAGES_COMMON_OPTIONS_H_
#define NEWSD_STAGES_COMMON_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newsd/v1/config.pb.h"

namespace newsd::stages {

// The option `key` parsed as a base-10 unsigned integer in [min, max], or
// `default_value` if the option is absent.
absl::StatusOr<uint64_t> GetUint64Option(const v1::StageConfig& config,
                                         absl::string_view key, uint64_t default_value,
                                         uint64_t min, uint64_t max);

// The option `key` parsed as a finite decimal number in [min, max], or
// `default_value` if the option is absent.
absl::StatusOr<double> GetDoubleOption(const v1::StageConfig& config,
                                       absl::string_view key, double default_value,
                                       double min, double max);

// The option `key` verbatim, or `default_value` if absent.
std::string GetStringOption(const v1::StageConfig& config, absl::string_view key,
                            absl::string_view default_value);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_COMMON_OPTIONS_H_
