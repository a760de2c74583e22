// Test helpers for entity expectations, shared by the entities unit tests and the
// golden test.
#ifndef NEWSD_TESTS_STAGES_ENTITIES_ENTITY_TESTING_H_
#define NEWSD_TESTS_STAGES_ENTITIES_ENTITY_TESTING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "newsd/v1/article.pb.h"

namespace newsd::testing {

// The first entity of `a` with canonical name `name`, or nullptr.
const v1::Entity* FindEntity(const v1::Article& a, absl::string_view name);

// The surface texts of the mentions of `e`, in order.
std::vector<std::string> MentionTexts(const v1::Entity& e);

// The surface texts of the mentions of `e` of one kind (names, pronouns or
// definite descriptions), in order.
std::vector<std::string> MentionTexts(const v1::Entity& e, v1::Mention::Kind kind);

// One line per entity ("e1 PERSON 'Sergey Lavrov' link= role=... [m1|m2]"), for
// SCOPED_TRACE.
std::string DescribeEntities(const v1::Article& a);

}  // namespace newsd::testing

#endif  // NEWSD_TESTS_STAGES_ENTITIES_ENTITY_TESTING_H_
