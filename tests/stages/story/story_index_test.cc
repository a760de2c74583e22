// StoryIndex: merge rules, change records, replay, expiry; text features.
#include "stages/story/story_index.h"

#include <vector>

#include "gtest/gtest.h"
#include "stages/story/story_text.h"
#include "stages/story/story_time.h"

namespace newsd::stages {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

v1::StoryIndexEntry GuidEntry(const std::string& guid, uint32_t version, const std::string& id) {
  v1::StoryIndexEntry e;
  v1::GuidRecord* g = e.mutable_guid();
  g->set_guid(guid);
  g->set_version(version);
  g->set_article_id(id);
  g->set_story_id(guid);
  *g->mutable_seen_at() = ToProtoTime(kT0);
  return e;
}

TEST(StoryIndexTest, WriteEmitsMergedRecordAndApplyReplays) {
  std::vector<v1::StoryIndexEntry> log;
  InMemoryStoryIndex index({}, [&](const v1::StoryIndexEntry& e) { log.push_back(e); });
  ASSERT_TRUE(index.Write(GuidEntry("g1", 3, "a3")).ok());
  ASSERT_TRUE(index.Write(GuidEntry("g1", 2, "a2")).ok());  // older: does not win
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].key(), "g/g1");
  EXPECT_EQ(log[1].guid().version(), 3u);
  EXPECT_EQ(log[1].guid().article_id(), "a3");

  InMemoryStoryIndex replica({});
  for (auto it = log.rbegin(); it != log.rend(); ++it) ASSERT_TRUE(replica.Apply(*it).ok());
  ASSERT_TRUE(replica.FindGuid("g1").has_value());
  EXPECT_EQ(replica.FindGuid("g1")->article_id(), "a3");
  EXPECT_EQ(replica.Stats().changes_emitted, 0u);
}

TEST(StoryIndexTest, KilledIsStickyAndDeletionRemoves) {
  InMemoryStoryIndex index({});
  v1::StoryIndexEntry killed;
  killed.mutable_story()->set_story_id("s");
  killed.mutable_story()->set_killed(true);
  killed.mutable_story()->set_version(1);
  v1::StoryIndexEntry later = killed;
  later.mutable_story()->set_killed(false);
  later.mutable_story()->set_version(2);
  ASSERT_TRUE(index.Apply(killed).ok());
  ASSERT_TRUE(index.Apply(later).ok());
  EXPECT_TRUE(index.FindStory("s")->killed());
  EXPECT_EQ(index.FindStory("s")->version(), 2u);
  v1::StoryIndexEntry tombstone;
  tombstone.set_key("s/s");
  ASSERT_TRUE(index.Apply(tombstone).ok());
  EXPECT_FALSE(index.FindStory("s").has_value());
}

TEST(StoryIndexTest, RejectsMismatchedKeyAndWrongSignatureLength) {
  InMemoryStoryIndex index({});
  v1::StoryIndexEntry e = GuidEntry("g1", 1, "a");
  e.set_key("g/other");
  EXPECT_EQ(index.Write(e).code(), absl::StatusCode::kInvalidArgument);
  v1::StoryIndexEntry s;
  s.mutable_signature()->set_article_id("a");
  s.mutable_signature()->add_minhash(1);
  EXPECT_EQ(index.Write(s).code(), absl::StatusCode::kInvalidArgument);
}

TEST(StoryIndexTest, ExpireDropsOldSignaturesWithTombstones) {
  std::vector<v1::StoryIndexEntry> log;
  StoryIndexOptions options;
  options.window = absl::Hours(1);
  InMemoryStoryIndex index(options, [&](const v1::StoryIndexEntry& e) { log.push_back(e); });
  std::vector<std::string> tokens = NormalizedTokens("one two three four five six seven");
  v1::StoryIndexEntry s;
  s.mutable_signature()->set_article_id("a");
  s.mutable_signature()->set_story_id("a");
  std::vector<uint32_t> mh = MinHash(tokens, 5, 120);
  s.mutable_signature()->mutable_minhash()->Assign(mh.begin(), mh.end());
  *s.mutable_signature()->mutable_seen_at() = ToProtoTime(kT0);
  ASSERT_TRUE(index.Write(s).ok());
  EXPECT_EQ(index.FindSimilar(mh, kT0, 5).size(), 1u);
  EXPECT_EQ(index.Expire(kT0 + absl::Minutes(59)), 0u);
  EXPECT_EQ(index.Expire(kT0 + absl::Minutes(61)), 1u);
  EXPECT_TRUE(index.FindSimilar(mh, kT0, 5).empty());
  EXPECT_EQ(log.back().key(), "m/a");
  EXPECT_EQ(log.back().record_case(), v1::StoryIndexEntry::RECORD_NOT_SET);
}

TEST(StoryIndexTest, CompareVersions) {
  v1::GuidRecord a, b;
  a.set_version(2);
  b.set_version(1);
  EXPECT_EQ(CompareVersions(a, b), 1);
  EXPECT_EQ(CompareVersions(b, a), -1);
  a.set_version(0);
  b.set_version(0);
  *a.mutable_version_created() = ToProtoTime(kT0);
  *b.mutable_version_created() = ToProtoTime(kT0 + absl::Minutes(1));
  EXPECT_EQ(CompareVersions(a, b), -1);
  a.clear_version_created();
  b.clear_version_created();
  a.set_etag("x");
  b.set_etag("x");
  EXPECT_EQ(CompareVersions(a, b), 0);
  b.set_etag("y");
  EXPECT_FALSE(CompareVersions(a, b).has_value());
}

TEST(StoryTextTest, HeadlinePrefixes) {
  HeadlineInfo h = ParseHeadline("CORRECTED - PEGASUS GOLD INC<PGULF> 4TH QTR NET");
  EXPECT_TRUE(h.correction);
  EXPECT_EQ(h.base, "PEGASUS GOLD INC<PGULF> 4TH QTR NET");
  h = ParseHeadline("(CORRECTED)-IVORY COAST CONFIRMS PRESENCE AT TALKS");
  EXPECT_TRUE(h.correction);
  EXPECT_EQ(h.base, "IVORY COAST CONFIRMS PRESENCE AT TALKS");
  h = ParseHeadline("UPDATE 2-REFILE-Oil prices rise");
  EXPECT_TRUE(h.update);
  EXPECT_TRUE(h.refile);
  EXPECT_EQ(h.update_number, 2u);
  EXPECT_EQ(h.base, "Oil prices rise");
  h = ParseHeadline("Oil prices rise (CORRECTED)");
  EXPECT_TRUE(h.correction);
  EXPECT_EQ(h.base, "Oil prices rise");
  h = ParseHeadline("KILL - Oil prices rise");
  EXPECT_TRUE(h.kill);
  EXPECT_EQ(h.base, "Oil prices rise");
  EXPECT_FALSE(ParseHeadline("GUNMEN KILL FIVE IN ATTACK").kill);
  EXPECT_FALSE(ParseHeadline("Kill switch debate").kill);
  EXPECT_FALSE(ParseHeadline("UPDATE ON TALKS").update);
  EXPECT_TRUE(IsKillNotice("Please note: DO NOT USE this story."));
  EXPECT_FALSE(IsKillNotice("Do not use the old figures, he said."));
}

TEST(StoryTextTest, MinHashEstimatesJaccard) {
  // 100 distinct words; b shares the first 80 → 1-word shingles Jaccard 80/120.
  std::vector<std::string> a, b;
  for (int i = 0; i < 100; ++i) a.push_back("w" + std::to_string(i));
  for (int i = 0; i < 80; ++i) b.push_back("w" + std::to_string(i));
  for (int i = 0; i < 20; ++i) b.push_back("x" + std::to_string(i));
  double sim = MinHashSimilarity(MinHash(a, 1, 1024), MinHash(b, 1, 1024));
  EXPECT_NEAR(sim, 80.0 / 120.0, 0.05);
  EXPECT_EQ(MinHashSimilarity(MinHash(a, 5, 120), MinHash(a, 5, 120)), 1.0);
  // Value i does not depend on the signature length (nor on whether it falls in a
  // vectorised block of 8 or the scalar tail): a short signature is a prefix.
  const std::vector<uint32_t> full = MinHash(a, 5, 1024);
  const std::vector<uint32_t> short13 = MinHash(a, 5, 13);
  EXPECT_EQ(short13, std::vector<uint32_t>(full.begin(), full.begin() + 13));
  EXPECT_EQ(NormalizedTokens("U.S. Fed's \"Rate\"-cut"),
            (std::vector<std::string>{"u", "s", "fed", "s", "rate", "cut"}));
}

}  // namespace
}  // namespace newsd::stages
