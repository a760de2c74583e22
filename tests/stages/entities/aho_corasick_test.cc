#include "stages/entities/aho_corasick.h"

#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd::stages {
namespace {

using ::testing::UnorderedElementsAre;
using Match = TokenAhoCorasick::Match;

std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> All(const TokenAhoCorasick& ac,
                                                          std::vector<uint32_t> text) {
  std::vector<Match> matches;
  ac.FindAll(text, &matches);
  std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> out;
  for (const Match& m : matches) out.emplace_back(m.begin, m.end, m.pattern);
  return out;
}

TEST(TokenAhoCorasickTest, FindsOverlappingAndNestedPatterns) {
  TokenAhoCorasick ac;
  // 1 = "un", 2 = "security", 3 = "council", 4 = "general"
  const uint32_t un = ac.Add({1});
  const uint32_t unsc = ac.Add({1, 2, 3});
  const uint32_t council = ac.Add({3});
  const uint32_t security_council = ac.Add({2, 3});
  EXPECT_EQ(ac.Add({1, 2, 3}), unsc);  // same sequence, same id
  ac.Build();
  EXPECT_THAT(All(ac, {9, 1, 2, 3, 0, 3}),
              UnorderedElementsAre(std::make_tuple(1, 2, un), std::make_tuple(1, 4, unsc),
                                   std::make_tuple(2, 4, security_council),
                                   std::make_tuple(3, 4, council),
                                   std::make_tuple(5, 6, council)));
}

TEST(TokenAhoCorasickTest, FailureLinksRecoverAfterAPartialMatch) {
  TokenAhoCorasick ac;
  const uint32_t abc = ac.Add({1, 2, 3});
  const uint32_t bd = ac.Add({2, 4});
  ac.Build();
  // "1 2 4": the partial "1 2" falls back to "2" and completes "2 4".
  EXPECT_THAT(All(ac, {1, 2, 4, 1, 2, 3}),
              UnorderedElementsAre(std::make_tuple(1, 3, bd), std::make_tuple(3, 6, abc)));
  EXPECT_TRUE(All(ac, {}).empty());
  EXPECT_TRUE(All(ac, {0, 0, 7}).empty());
}

}  // namespace
}  // namespace newsd::stages
