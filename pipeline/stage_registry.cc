#include "pipeline/stage_registry.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace newsd {

StageRegistry& StageRegistry::Global() {
  static auto* registry = new StageRegistry();
  return *registry;
}

void StageRegistry::Register(absl::string_view name, StageFactory factory) {
  absl::MutexLock lock(&mu_);
  if (!factories_.emplace(std::string(name), std::move(factory)).second) {
    std::cerr << "newsd: stage '" << name << "' registered twice\n";
    std::abort();
  }
}

absl::StatusOr<StagePtr> StageRegistry::Create(const v1::StageConfig& config) const {
  StageFactory factory;
  {
    absl::MutexLock lock(&mu_);
    auto it = factories_.find(config.name());
    if (it == factories_.end()) {
      std::vector<std::string> names;
      for (const auto& [n, f] : factories_) names.push_back(n);
      return absl::NotFoundError(absl::StrCat("unknown stage '", config.name(),
                                              "'; registered stages: ",
                                              absl::StrJoin(names, ", ")));
    }
    factory = it->second;
  }
  return factory(config);
}

std::vector<std::string> StageRegistry::Names() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const auto& [n, f] : factories_) names.push_back(n);
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
