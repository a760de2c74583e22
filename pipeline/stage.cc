#include "pipeline/stage.h"

#include "absl/strings/cord.h"

namespace newsd {

const std::vector<std::string>& Stage::Requires() const {
  static const auto* none = new std::vector<std::string>();
  return *none;
}

const std::vector<std::string>& Stage::Provides() const { return Stage::Requires(); }

absl::Status NotAnArticle(absl::string_view kind, absl::string_view reason) {
  absl::Status status = absl::InvalidArgumentError(reason);
  status.SetPayload(kNotAnArticlePayload, absl::Cord(kind.empty() ? "unspecified" : kind));
  return status;
}

bool IsNotAnArticle(const absl::Status& status) {
  // Debian's Abseil returns its own optional type here: `auto`.
  auto payload = status.GetPayload(kNotAnArticlePayload);
  return !status.ok() && payload.has_value();
}

std::string NotAnArticleKind(const absl::Status& status) {
  if (status.ok()) return "";
  auto payload = status.GetPayload(kNotAnArticlePayload);
  return payload ? std::string(*payload) : std::string();
}

}  // namespace newsd
