#include "pipeline/stage.h"

#include <string>

#include "gtest/gtest.h"

namespace newsd {
namespace {

struct Words {
  std::string text;
};
struct Count {
  int n = 0;
};

TEST(AnalysesTest, StartsEmpty) {
  Analyses a;
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.Find<Words>(), nullptr);
}

TEST(AnalysesTest, KeepsOneValuePerType) {
  Analyses a;
  a.Emplace<Words>(Words{"one two"});
  a.Emplace<Count>(Count{2});
  ASSERT_NE(a.Find<Words>(), nullptr);
  ASSERT_NE(a.Find<Count>(), nullptr);
  EXPECT_EQ(a.Find<Words>()->text, "one two");
  EXPECT_EQ(a.Find<Count>()->n, 2);
  EXPECT_EQ(a.size(), 2u);
}

TEST(AnalysesTest, EmplaceReplacesAndReturnsTheStoredValue) {
  Analyses a;
  Count& first = a.Emplace<Count>(Count{1});
  EXPECT_EQ(&first, a.Find<Count>());
  Count& second = a.Emplace<Count>(Count{5});
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(&second, a.Find<Count>());
  EXPECT_EQ(a.Find<Count>()->n, 5);
}

TEST(AnalysesTest, EraseDropsOnlyThatType) {
  Analyses a;
  a.Emplace<Words>(Words{"x"});
  a.Emplace<Count>(Count{3});
  a.Erase<Words>();
  EXPECT_EQ(a.Find<Words>(), nullptr);
  ASSERT_NE(a.Find<Count>(), nullptr);
  EXPECT_EQ(a.Find<Count>()->n, 3);
  a.Erase<Words>();  // absent: nothing happens
  EXPECT_EQ(a.size(), 1u);
}

TEST(AnalysesTest, ValuesAreDestroyedWithTheHolder) {
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  {
    Analyses a;
    a.Emplace<std::shared_ptr<int>>(std::move(alive));
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace newsd
