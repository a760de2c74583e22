// Name → factory map for stages. Each stage folder's register.cc adds its factory at
// static-initialization time with a StageRegistration object:
//
//   const newsd::StageRegistration kRegistration("decode", &CreateDecodeStage);
//
// Stage libraries are linked as OBJECT libraries so that these registrations are not
// dropped by the linker.
#ifndef NEWSD_PIPELINE_STAGE_REGISTRY_H_
#define NEWSD_PIPELINE_STAGE_REGISTRY_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "newsd/v1/config.pb.h"
#include "pipeline/stage.h"

namespace newsd {

// Builds a stage from its config. Returns kInvalidArgument for a bad option (the
// message names the option key), kNotFound/kFailedPrecondition if required data is
// missing.
using StageFactory = std::function<absl::StatusOr<StagePtr>(const v1::StageConfig&)>;

class StageRegistry {
 public:
  static StageRegistry& Global();

  // Registers `factory` under `name`. Registering a name twice is a bug and aborts.
  void Register(absl::string_view name, StageFactory factory);

  // Creates the stage named config.name(). kNotFound if no such stage is registered.
  absl::StatusOr<StagePtr> Create(const v1::StageConfig& config) const;

  // Registered names, sorted.
  std::vector<std::string> Names() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, StageFactory, std::less<>> factories_ ABSL_GUARDED_BY(mu_);
};

// Registers a factory on construction; define one at namespace scope in register.cc.
struct StageRegistration {
  StageRegistration(absl::string_view name, StageFactory factory) {
    StageRegistry::Global().Register(name, std::move(factory));
  }
};

// Returns kInvalidArgument naming the first key of config.options() not in `known`.
// For factories: `RETURN_IF_ERROR(CheckStageOptions(config, {"max_bytes"}))`.
absl::Status CheckStageOptions(const v1::StageConfig& config,
                               std::initializer_list<absl::string_view> known);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STAGE_REGISTRY_H_
