#include "tests/stages/entities/entity_testing.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace newsd::testing {

const v1::Entity* FindEntity(const v1::Article& a, absl::string_view name) {
  for (const v1::Entity& e : a.entities()) {
    if (e.name() == name) return &e;
  }
  return nullptr;
}

std::vector<std::string> MentionTexts(const v1::Entity& e) {
  std::vector<std::string> out;
  for (const v1::Mention& m : e.mentions()) out.push_back(m.text());
  return out;
}

std::vector<std::string> MentionTexts(const v1::Entity& e, v1::Mention::Kind kind) {
  std::vector<std::string> out;
  for (const v1::Mention& m : e.mentions()) {
    if (m.kind() == kind) out.push_back(m.text());
  }
  return out;
}

std::string DescribeEntities(const v1::Article& a) {
  std::string out;
  for (const v1::Entity& e : a.entities()) {
    absl::StrAppend(&out, e.id(), " ", e.type(), " '", e.name(), "' link=", e.link(),
                    " role=", e.role(), " [", absl::StrJoin(MentionTexts(e), "|"), "]\n");
  }
  return out;
}

}  // namespace newsd::testing
