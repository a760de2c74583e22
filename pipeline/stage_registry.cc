#include "pipeline/stage_registry.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pipeline/stage_options.h"

namespace newsd {

StageRegistry& StageRegistry::Global() {
  static auto* registry = new StageRegistry();
  return *registry;
}

void StageRegistry::Register(absl::string_view name, StageFactory factory) {
  absl::MutexLock lock(&mu_);
  if (typed_.count(name) > 0 || !factories_.emplace(std::string(name), std::move(factory)).second) {
    std::cerr << "newsd: stage '" << name << "' registered twice\n";
    std::abort();
  }
}

void StageRegistry::Register(absl::string_view name, StageSpec spec) {
  if (absl::Status s = CheckOptionsDescriptor(*spec.options_prototype->GetDescriptor());
      !s.ok()) {
    std::cerr << "newsd: stage '" << name << "': " << s.message() << "\n";
    std::abort();
  }
  absl::MutexLock lock(&mu_);
  if (factories_.count(name) > 0 || !typed_.emplace(std::string(name), std::move(spec)).second) {
    std::cerr << "newsd: stage '" << name << "' registered twice\n";
    std::abort();
  }
}

absl::StatusOr<StagePtr> StageRegistry::Create(const v1::StageConfig& config) const {
  return Create(config, NoopStageMetrics::Global());
}

absl::StatusOr<StagePtr> StageRegistry::Create(const v1::StageConfig& config,
                                               StageMetricsBackend& metrics) const {
  StageFactory factory;
  const StageSpec* spec = nullptr;
  {
    absl::MutexLock lock(&mu_);
    // Registrations happen before main and entries are never removed: the spec
    // stays valid without the lock.
    if (auto it = typed_.find(config.name()); it != typed_.end()) {
      spec = &it->second;
    } else if (auto it = factories_.find(config.name()); it != factories_.end()) {
      factory = it->second;
    } else {
      return absl::NotFoundError(absl::StrCat("unknown stage '", config.name(),
                                              "'; registered stages: ",
                                              absl::StrJoin(NamesLocked(), ", ")));
    }
  }
  if (spec == nullptr) {
    if (config.typed_options_case() != v1::StageConfig::TYPED_OPTIONS_NOT_SET) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stage '", config.name(), "' takes no typed options; give them as `options` entries"));
    }
    return factory(config);
  }
  std::unique_ptr<google::protobuf::Message> options(spec->options_prototype->New());
  if (absl::Status s = ResolveStageOptions(config, *options); !s.ok()) return s;
  absl::StatusOr<BuiltStage> built = spec->factory(*options, StageMetrics(&metrics, config.name()));
  if (!built.ok()) return built.status();
  return StagePtr(std::make_unique<DeclaredStage>(std::move(built->stage), spec->contract,
                                                  std::move(built->observer)));
}

const google::protobuf::Descriptor* StageRegistry::OptionsDescriptor(
    absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = typed_.find(name);
  return it == typed_.end() ? nullptr : it->second.options_prototype->GetDescriptor();
}

std::vector<std::string> StageRegistry::Names() const {
  absl::MutexLock lock(&mu_);
  return NamesLocked();
}

std::vector<std::string> StageRegistry::NamesLocked() const {
  std::vector<std::string> names;
  for (const auto& [n, f] : factories_) names.push_back(n);
  for (const auto& [n, s] : typed_) names.push_back(n);
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status CheckStageOptions(const v1::StageConfig& config,
                               std::initializer_list<absl::string_view> known) {
  for (const auto& [key, value] : config.options()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("options[\"", key, "\"]: unknown option for stage '",
                       config.name(), "'; known: ", absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

}  // namespace newsd
