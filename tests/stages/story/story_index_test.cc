// StoryIndex: merge rules, change records, replay, expiry; text features.
#include "stages/story/story_index.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
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
  EXPECT_EQ(index.Stats().stories, 1u);
  EXPECT_EQ(index.Stats().killed_stories, 1u);
  v1::StoryIndexEntry tombstone;
  tombstone.set_key("s/s");
  ASSERT_TRUE(index.Apply(tombstone).ok());
  EXPECT_FALSE(index.FindStory("s").has_value());
  EXPECT_EQ(index.Stats().stories, 0u);
  EXPECT_EQ(index.Stats().killed_stories, 0u);
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

v1::StoryIndexEntry SignatureEntry(const std::string& id, absl::Time seen) {
  v1::StoryIndexEntry e;
  v1::SignatureRecord* s = e.mutable_signature();
  s->set_article_id(id);
  s->set_story_id(id);
  std::vector<uint32_t> mh = MinHash(NormalizedTokens("one two three four five six " + id), 5, 120);
  s->mutable_minhash()->Assign(mh.begin(), mh.end());
  *s->mutable_seen_at() = ToProtoTime(seen);
  return e;
}

v1::StoryIndexEntry Batch(const std::string& item, bool window,
                          std::vector<v1::StoryIndexEntry> records) {
  v1::StoryIndexEntry e;
  e.mutable_batch()->set_item(item);
  e.mutable_batch()->set_window(window);
  for (v1::StoryIndexEntry& r : records) *e.mutable_batch()->add_entries() = std::move(r);
  return e;
}

TEST(StoryIndexTest, BatchIsOneChangeAndOnlyTheBatchGetsATombstone) {
  std::vector<v1::StoryIndexEntry> log;
  StoryIndexOptions options;
  options.window = absl::Hours(1);
  options.retention = absl::Hours(10);
  InMemoryStoryIndex index(options, [&](const v1::StoryIndexEntry& e) { log.push_back(e); });
  ASSERT_TRUE(index.Write(GuidEntry("g1", 3, "a3")).ok());
  v1::StoryIndexEntry merged;
  ASSERT_TRUE(index
                  .Write(Batch("news.raw/0/7/a2", false,
                               {GuidEntry("g1", 2, "a2"), SignatureEntry("a2", kT0)}),
                         &merged)
                  .ok());
  // One change for the batch, with the merged records (the older guid version
  // did not win) and the latest expiry of its records (the guid's retention).
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].key(), "b/news.raw/0/7/a2");
  ASSERT_EQ(log[1].batch().entries_size(), 2);
  EXPECT_EQ(log[1].batch().entries(0).key(), "g/g1");
  EXPECT_EQ(log[1].batch().entries(0).guid().article_id(), "a3");
  EXPECT_EQ(log[1].batch().entries(1).key(), "m/a2");
  EXPECT_EQ(FromProtoTime(log[1].batch().expires_at()), kT0 + absl::Hours(10));
  EXPECT_EQ(merged.SerializeAsString(), log[1].SerializeAsString());
  EXPECT_EQ(index.Stats().batches, 1u);

  // A replica applies the batch like its records.
  InMemoryStoryIndex replica(options);
  ASSERT_TRUE(replica.Apply(log[1]).ok());
  ASSERT_TRUE(replica.Apply(log[1]).ok());  // a replayed record counts once
  EXPECT_EQ(replica.FindGuid("g1")->article_id(), "a3");
  EXPECT_EQ(replica.Stats().signatures, 1u);
  EXPECT_EQ(replica.Stats().guids, 1u);
  EXPECT_EQ(replica.Stats().batches, 1u);

  // After the window: the signature is gone, without a tombstone of its own.
  std::vector<std::string> deleted;
  EXPECT_EQ(index.Expire(kT0 + absl::Hours(2), &deleted), 1u);
  EXPECT_TRUE(deleted.empty());
  EXPECT_EQ(index.Stats().signatures, 0u);
  EXPECT_EQ(log.size(), 2u);
  // After the retention: the guid (written alone: a tombstone) and the batch
  // (a tombstone) go.
  EXPECT_EQ(index.Expire(kT0 + absl::Hours(11), &deleted), 2u);
  EXPECT_THAT(deleted, ::testing::UnorderedElementsAre("g/g1", "b/news.raw/0/7/a2"));
  EXPECT_EQ(index.Stats().batches, 0u);
  EXPECT_EQ(index.Stats().guids, 0u);
  // The replica saw g/g1 only in the batch: only the batch gets a tombstone.
  deleted.clear();
  replica.Expire(kT0 + absl::Hours(11), &deleted);
  EXPECT_THAT(deleted, ::testing::ElementsAre("b/news.raw/0/7/a2"));
}

TEST(StoryIndexTest, PerKeyDeletionDropsOnlyWhatNoBatchHolds) {
  std::vector<v1::StoryIndexEntry> log;
  StoryIndexOptions options;
  options.retention = absl::Hours(10);
  InMemoryStoryIndex index(options, [&](const v1::StoryIndexEntry& e) { log.push_back(e); });
  v1::StoryIndexEntry deletion;
  // Applied alone only: its tombstone deletes it.
  ASSERT_TRUE(index.Apply(GuidEntry("alone", 1, "a")).ok());
  deletion.set_key("g/alone");
  ASSERT_TRUE(index.Apply(deletion).ok());
  EXPECT_FALSE(index.FindGuid("alone").has_value());
  // Only in a batch: a per-key tombstone (an older newsd's) leaves it.
  ASSERT_TRUE(index.Apply(Batch("i1", false, {GuidEntry("batched", 1, "b")})).ok());
  deletion.set_key("g/batched");
  ASSERT_TRUE(index.Apply(deletion).ok());
  EXPECT_TRUE(index.FindGuid("batched").has_value());
  // Alone and in a batch: the tombstone ends its life of its own, not the record,
  // which then expires without a tombstone of its own.
  ASSERT_TRUE(index.Apply(GuidEntry("both", 1, "c")).ok());
  ASSERT_TRUE(index.Apply(Batch("i2", false, {GuidEntry("both", 1, "c")})).ok());
  deletion.set_key("g/both");
  ASSERT_TRUE(index.Apply(deletion).ok());
  EXPECT_TRUE(index.FindGuid("both").has_value());
  std::vector<std::string> deleted;
  index.Expire(kT0 + absl::Hours(11), &deleted);
  EXPECT_THAT(deleted, ::testing::UnorderedElementsAre("b/i1", "b/i2"));
  EXPECT_FALSE(index.FindGuid("both").has_value());
  EXPECT_EQ(index.Stats().guids, 0u);
}

TEST(StoryIndexTest, BadBatchChangesNothing) {
  InMemoryStoryIndex index({});
  v1::StoryIndexEntry deletion;
  deletion.set_key("g/g1");
  EXPECT_EQ(index.Write(Batch("i", false, {GuidEntry("g1", 1, "a"), deletion})).code(),
            absl::StatusCode::kInvalidArgument);
  v1::StoryIndexEntry short_signature = SignatureEntry("a", kT0);
  short_signature.mutable_signature()->mutable_minhash()->RemoveLast();
  EXPECT_EQ(index.Write(Batch("i", true, {GuidEntry("g1", 1, "a"), short_signature})).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Apply(Batch("i", false, {GuidEntry("g1", 1, "a"), Batch("j", true, {})}))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(index.FindGuid("g1").has_value());
  EXPECT_EQ(index.Stats().batches, 0u);
}

TEST(StoryIndexTest, ExpireLooksAtNoMoreThanItsLimit) {
  StoryIndexOptions options;
  options.window = absl::Hours(1);
  InMemoryStoryIndex index(options);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(index.Write(SignatureEntry(absl::StrCat("a", i), kT0)).ok());
  }
  std::vector<std::string> deleted;
  EXPECT_EQ(index.Expire(kT0 + absl::Hours(2), &deleted, 4), 4u);
  EXPECT_EQ(index.Stats().signatures, 6u);
  EXPECT_EQ(index.Expire(kT0 + absl::Hours(2), &deleted, 4), 4u);
  EXPECT_EQ(index.Expire(kT0 + absl::Hours(2), &deleted, 4), 2u);
  EXPECT_EQ(deleted.size(), 10u);  // written alone: each has its tombstone
  EXPECT_EQ(index.Stats().signatures, 0u);
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

TEST(StoryTextTest, CreditLines) {
  for (absl::string_view line : {
           "(Reporting by Jean Dupont; Editing by Mark Smith)",
           "Reporting by Jean Dupont in Paris; Writing by Tom Brown; Editing by Mark Smith",
           "Additional reporting by Ana Lopez",
           "Jane Smith in London contributed to this report.",
           "By Jean Dupont",
           "By JANE DOE Associated Press",
           "jd/ms/dl",
           "str-jm/ach",
           "AFP",
           "-- Reuters",
           "(AP)",
           "Copyright 2023 The Associated Press. All rights reserved. This material may "
           "not be published, broadcast, rewritten or redistributed.",
           "\u00a9 Agence France-Presse",
           "Our Standards: The Thomson Reuters Trust Principles.",
       }) {
    EXPECT_TRUE(IsCreditLine(line)) << line;
  }
  for (absl::string_view line : {
           "France and Germany agreed on Wednesday to set up a joint defence fund.",
           "By Tuesday, officials said, the fund would be in place.",
           "\"This is a historic step,\" Macron said.",
           "Reuters reported the deal on Tuesday.",
           "AFP and Reuters both reported the deal.",
           "The fund, he said, is a copyright of nobody.",
           "",
       }) {
    EXPECT_FALSE(IsCreditLine(line)) << line;
  }
}

TEST(StoryTextTest, AgencyTags) {
  EXPECT_EQ(StripAgencyTags("PARIS, 3 mai (AFP) - La France et l'Allemagne", true),
            "La France et l'Allemagne");
  EXPECT_EQ(StripAgencyTags("PARIS (AP) \u2014 France and Germany", true), "France and Germany");
  // Not the first paragraph: only the tag goes.
  EXPECT_EQ(StripAgencyTags("PARIS (AP) \u2014 France and Germany", false),
            "PARIS \u2014 France and Germany");
  EXPECT_EQ(StripAgencyTags("Officials said (Reuters/AP) the deal was done.", false),
            "Officials said the deal was done.");
  EXPECT_EQ(StripAgencyTags("Shares of Apple (AAPL.O) rose.", true),
            "Shares of Apple (AAPL.O) rose.");
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
