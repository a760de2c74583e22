// Name → factory map for stages. Each stage folder's register.cc adds its factory at
// static-initialization time with a TypedStageRegistration object, naming the
// stage's options message (proto/newsd/v1/<stage>_options.proto) and its contract:
//
//   absl::StatusOr<BuiltStage> CreateDecodeStage(const v1::DecodeStageOptions& o,
//                                                const StageMetrics& metrics);
//   const newsd::TypedStageRegistration<v1::DecodeStageOptions> kRegistration(
//       "decode", StageContract{/*required=*/{}, /*provided=*/{"article.text", ...}},
//       &CreateDecodeStage);
//
// The registry resolves the StageConfig into the options message (typed form or
// `options` map, defaults and ranges from the descriptor: pipeline/stage_options.h)
// before calling the factory, so a factory only copies values and checks what
// spans several fields. StageRegistration (a factory of the raw StageConfig, no
// contract) remains for test stages.
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
#include "google/protobuf/message.h"
#include "pipeline/declared_stage.h"
#include "pipeline/stage.h"
#include "pipeline/stage_metrics.h"

namespace newsd {

// Builds a stage from its config. Returns kInvalidArgument for a bad option (the
// message names the option key), kNotFound/kFailedPrecondition if required data is
// missing.
using StageFactory = std::function<absl::StatusOr<StagePtr>(const v1::StageConfig&)>;

// What a typed factory builds: the stage and, optionally, a function run on each
// article it processed successfully (to update the stage's metrics).
struct BuiltStage {
  BuiltStage(StagePtr s) : stage(std::move(s)) {}  // NOLINT: implicit on purpose
  BuiltStage(StagePtr s, ArticleObserver o) : stage(std::move(s)), observer(std::move(o)) {}
  StagePtr stage;
  ArticleObserver observer;
};

// Builds a stage from its resolved options (every field set, in range) and its
// metrics scope. kInvalidArgument naming the option for checks across fields.
using TypedStageFactory = std::function<absl::StatusOr<BuiltStage>(
    const google::protobuf::Message& options, const StageMetrics& metrics)>;

// Everything registered for a typed stage.
struct StageSpec {
  const google::protobuf::Message* options_prototype = nullptr;  // a default instance
  StageContract contract;
  TypedStageFactory factory;
};

class StageRegistry {
 public:
  static StageRegistry& Global();

  // Registers `factory` under `name`. Registering a name twice is a bug and aborts.
  void Register(absl::string_view name, StageFactory factory);

  // Registers a typed stage. Aborts if `name` is taken or its options message fails
  // CheckOptionsDescriptor (pipeline/stage_options.h).
  void Register(absl::string_view name, StageSpec spec);

  // Creates the stage named config.name(), registering its metrics in `metrics`
  // (which must outlive the stage). kNotFound if no such stage is registered;
  // kInvalidArgument for bad options (ResolveStageOptions, the factory) or typed
  // options given to an untyped stage. A typed stage comes wrapped in a
  // DeclaredStage carrying its contract.
  absl::StatusOr<StagePtr> Create(const v1::StageConfig& config,
                                  StageMetricsBackend& metrics) const;
  // The same with NoopStageMetrics.
  absl::StatusOr<StagePtr> Create(const v1::StageConfig& config) const;

  // The options message type of a typed stage; nullptr for an untyped or unknown one.
  const google::protobuf::Descriptor* OptionsDescriptor(absl::string_view name) const;

  // Registered names, sorted.
  std::vector<std::string> Names() const;

 private:
  std::vector<std::string> NamesLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  mutable absl::Mutex mu_;
  std::map<std::string, StageFactory, std::less<>> factories_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, StageSpec, std::less<>> typed_ ABSL_GUARDED_BY(mu_);
};

// Registers a typed stage on construction; define one at namespace scope in
// register.cc. `Options` is the generated options message.
template <typename Options>
struct TypedStageRegistration {
  using Factory = absl::StatusOr<BuiltStage> (*)(const Options&, const StageMetrics&);
  TypedStageRegistration(absl::string_view name, StageContract contract, Factory factory) {
    StageSpec spec;
    spec.options_prototype = &Options::default_instance();
    spec.contract = std::move(contract);
    spec.factory = [factory](const google::protobuf::Message& options,
                             const StageMetrics& metrics) {
      return factory(static_cast<const Options&>(options), metrics);
    };
    StageRegistry::Global().Register(name, std::move(spec));
  }
};

// Registers a factory on construction; define one at namespace scope in register.cc.
struct StageRegistration {
  StageRegistration(absl::string_view name, StageFactory factory) {
    StageRegistry::Global().Register(name, std::move(factory));
  }
};

// Returns kInvalidArgument naming the first key of config.options() not in `known`.
// For untyped factories (test stages): `RETURN_IF_ERROR(CheckStageOptions(config, {"max_bytes"}))`.
absl::Status CheckStageOptions(const v1::StageConfig& config,
                               std::initializer_list<absl::string_view> known);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STAGE_REGISTRY_H_
