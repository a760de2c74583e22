// HeldEvents: the engine's store of events held for their embargo.
#include "pipeline/held_events.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace newsd {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

v1::HeldEvent Held(const std::string& id, absl::Time release_at, int32_t partition) {
  v1::HeldEvent held;
  held.mutable_event()->mutable_article()->set_id(id);
  held.mutable_release_at()->set_seconds(absl::ToUnixSeconds(release_at));
  held.set_input_topic("news.raw");
  held.set_input_partition(partition);
  return held;
}

std::vector<std::string> Ids(const std::vector<v1::HeldEvent>& events) {
  std::vector<std::string> ids;
  for (const v1::HeldEvent& h : events) ids.push_back(HeldEvents::KeyOf(h));
  return ids;
}

TEST(HeldEventsTest, OnlyDueEventsOfOwnedPartitionsAreTakenSoonestFirst) {
  HeldEvents held;
  held.Hold(Held("late", kT0 + absl::Minutes(10), 0));
  held.Hold(Held("b", kT0 + absl::Minutes(2), 0));
  held.Hold(Held("a", kT0 + absl::Minutes(1), 0));
  held.Hold(Held("other", kT0 + absl::Minutes(1), 1));
  auto partition0 = [](const std::string& topic, int32_t p) { return topic == "news.raw" && p == 0; };
  EXPECT_TRUE(held.TakeDue(kT0, partition0).empty());
  EXPECT_EQ(Ids(held.TakeDue(kT0 + absl::Minutes(5), partition0)),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(held.size(), 2u);  // "late" and the other partition's
  EXPECT_EQ(held.Sizes(), (std::vector<std::pair<std::string, double>>{{"events", 2}}));
}

TEST(HeldEventsTest, RestoreReturnAndLateCopiesOfReleasedRecords) {
  HeldEvents held;
  const v1::HeldEvent a = Held("a", kT0, 0);
  ASSERT_TRUE(held.Restore("a", a.SerializeAsString()).ok());
  EXPECT_EQ(held.Restore("x", std::string("\xff\xff garbage")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(held.Restore("y", v1::HeldEvent().SerializeAsString()).code(),
            absl::StatusCode::kInvalidArgument);  // no article id
  auto all = [](const std::string&, int32_t) { return true; };
  std::vector<v1::HeldEvent> due = held.TakeDue(kT0, all);
  ASSERT_EQ(Ids(due), std::vector<std::string>{"a"});
  // A late copy of the record the release deletes is ignored ...
  ASSERT_TRUE(held.Restore("a", a.SerializeAsString()).ok());
  EXPECT_EQ(held.size(), 0u);
  // ... but an aborted release puts the event back, and a tombstone removes it.
  held.Return(due);
  EXPECT_EQ(held.size(), 1u);
  ASSERT_TRUE(held.Restore("a", std::nullopt).ok());
  EXPECT_EQ(held.size(), 0u);
}

}  // namespace
}  // namespace newsd
