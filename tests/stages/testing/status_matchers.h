// gMock matchers for absl::Status / absl::StatusOr (Abseil 20220623 has none).
//
//   EXPECT_THAT(DoIt(), IsOk());
//   EXPECT_THAT(Parse("x"), IsOkAndHolds(42));
//   EXPECT_THAT(stage.Process(a, ctx),
//               StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL byte")));
#ifndef NEWSD_TESTS_STAGES_TESTING_STATUS_MATCHERS_H_
#define NEWSD_TESTS_STAGES_TESTING_STATUS_MATCHERS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace newsd::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status: " << status;
  return status.ok();
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status: " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

MATCHER_P2(StatusIs, code, message_matcher, "has a matching status code and message") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status: " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(status.message()),
                                       result_listener);
}

}  // namespace newsd::testing

#endif  // NEWSD_TESTS_STAGES_TESTING_STATUS_MATCHERS_H_
