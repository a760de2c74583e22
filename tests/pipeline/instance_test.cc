#include "pipeline/instance.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

std::string Host() {
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  return host;
}

TEST(InstanceTest, DefaultTransactionalIdIsUniquePerInstanceOnAHost) {
  v1::PipelineConfig config;
  config.mutable_kafka()->set_group_id("newsd");
  config.set_metrics_address("127.0.0.1:9464");
  EXPECT_EQ(DefaultTransactionalId(config, "eu"), absl::StrCat("newsd-", Host(), "-eu"));
  EXPECT_EQ(DefaultTransactionalId(config, ""), absl::StrCat("newsd-", Host(), "-9464"));
  config.set_metrics_address("127.0.0.1:9465");
  EXPECT_EQ(DefaultTransactionalId(config, ""), absl::StrCat("newsd-", Host(), "-9465"));
  config.set_metrics_address("");
  EXPECT_EQ(DefaultTransactionalId(config, ""), absl::StrCat("newsd-", Host()));
}

TEST(InstanceTest, ASecondLockOnTheSameIdIsRefusedUntilTheFirstIsReleased) {
  const std::string dir = ::testing::TempDir();
  const std::string id = absl::StrCat("grp-host/", getpid());  // '/' must not make a path
  {
    absl::StatusOr<InstanceLock> first = InstanceLock::Acquire(dir, id);
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_THAT(first->path(), HasSubstr(absl::StrCat("newsd-grp-host_", getpid(), ".lock")));
    absl::StatusOr<InstanceLock> second = InstanceLock::Acquire(dir, id);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
    EXPECT_THAT(second.status().message(), HasSubstr(absl::StrCat("(pid ", getpid(), ")")));
    EXPECT_THAT(second.status().message(), HasSubstr(id));
    EXPECT_TRUE(InstanceLock::Acquire(dir, id + "-other").ok());
    InstanceLock moved = *std::move(first);  // still held after a move
    EXPECT_FALSE(InstanceLock::Acquire(dir, id).ok());
  }
  EXPECT_TRUE(InstanceLock::Acquire(dir, id).ok());
}

TEST(InstanceTest, AnUnusableDirectoryIsAClearError) {
  absl::StatusOr<InstanceLock> lock = InstanceLock::Acquire("/nonexistent/dir", "x");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(lock.status().message(), HasSubstr("/nonexistent/dir/newsd-x.lock"));
}

}  // namespace
}  // namespace newsd
