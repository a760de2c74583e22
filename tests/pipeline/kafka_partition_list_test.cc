// RdKafkaPartitionList: owns librdkafka partition objects (a leak or double free
// shows under the sanitizer builds).
#include "pipeline/kafka_partition_list.h"

#include <utility>

#include "gtest/gtest.h"
#include "pipeline/kafka_source.h"

namespace newsd {
namespace {

TEST(RdKafkaPartitionListTest, AddKeepsTopicPartitionAndOffset) {
  RdKafkaPartitionList list;
  EXPECT_TRUE(list.empty());
  list.Add("a", 3, 42);
  RdKafka::TopicPartition& b = list.Add("b", 0);
  EXPECT_EQ(b.offset(), RdKafka::Topic::OFFSET_INVALID);
  b.set_offset(RdKafka::Topic::OFFSET_BEGINNING);  // what seek-to-committed does
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list.get()[0]->topic(), "a");
  EXPECT_EQ(list.get()[0]->partition(), 3);
  EXPECT_EQ(list.get()[0]->offset(), 42);
  EXPECT_EQ(list.get()[1]->topic(), "b");
  EXPECT_EQ(list.get()[1]->offset(), RdKafka::Topic::OFFSET_BEGINNING);
}

TEST(RdKafkaPartitionListTest, MovesOwnership) {
  RdKafkaPartitionList a;
  a.Add("t", 1, 7);
  const RdKafka::TopicPartition* element = a.get()[0];
  RdKafkaPartitionList b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b.get()[0], element);  // the same object, not a copy
  RdKafkaPartitionList c;
  c.Add("u", 2);
  c = std::move(b);  // c's own element is destroyed, b's taken
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c.get()[0]->topic(), "t");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

// Elements librdkafka's calls append (e.g. assignment()) belong to the list too.
TEST(RdKafkaPartitionListTest, OwnsWhatIsAppendedThroughGet) {
  RdKafkaPartitionList list;
  list.get().push_back(RdKafka::TopicPartition::create("x", 5));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ((*list.begin())->partition(), 5);
}

TEST(RdKafkaPartitionListTest, ToRdKafkaConvertsInOrder) {
  const RdKafkaPartitionList list = ToRdKafka({{"in", 0}, {"in", 2}, {"other", 1}});
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list.get()[1]->topic(), "in");
  EXPECT_EQ(list.get()[1]->partition(), 2);
  EXPECT_EQ(list.get()[2]->topic(), "other");
  EXPECT_EQ(list.get()[2]->offset(), RdKafka::Topic::OFFSET_INVALID);
}

}  // namespace
}  // namespace newsd
