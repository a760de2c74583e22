#include "stages/common/options.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOkAndHolds;
using ::newsd::testing::StatusIs;

v1::StageConfig Config(std::initializer_list<std::pair<const std::string, std::string>> opts) {
  v1::StageConfig config;
  config.set_name("test");
  for (const auto& [k, v] : opts) (*config.mutable_options())[k] = v;
  return config;
}

TEST(OptionsTest, Uint64) {
  EXPECT_THAT(GetUint64Option(Config({}), "max_bytes", 7, 1, 100), IsOkAndHolds(7u));
  EXPECT_THAT(GetUint64Option(Config({{"max_bytes", "42"}}), "max_bytes", 7, 1, 100),
              IsOkAndHolds(42u));
  EXPECT_THAT(GetUint64Option(Config({{"max_bytes", "lots"}}), "max_bytes", 7, 1, 100),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "options[\"max_bytes\"]: expected an integer in [1, 100], got \"lots\""));
  EXPECT_THAT(GetUint64Option(Config({{"max_bytes", "0"}}), "max_bytes", 7, 1, 100),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("got \"0\"")));
  EXPECT_THAT(GetUint64Option(Config({{"max_bytes", "-5"}}), "max_bytes", 7, 1, 100),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("got \"-5\"")));
}

TEST(OptionsTest, Double) {
  EXPECT_THAT(GetDoubleOption(Config({{"min", "0.25"}}), "min", 0, 0, 1), IsOkAndHolds(0.25));
  EXPECT_THAT(GetDoubleOption(Config({{"min", "1.5"}}), "min", 0, 0, 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "options[\"min\"]: expected a number in [0, 1], got \"1.5\""));
  EXPECT_THAT(GetDoubleOption(Config({{"min", "nan"}}), "min", 0, 0, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("nan")));
}

TEST(OptionsTest, String) {
  EXPECT_EQ(GetStringOption(Config({}), "locale", "en"), "en");
  EXPECT_EQ(GetStringOption(Config({{"locale", "de"}}), "locale", "en"), "de");
}

}  // namespace
}  // namespace newsd::stages
