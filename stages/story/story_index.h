// The story index: what the `story` stage remembers between articles (recent
// near-duplicate signatures within a time window, guid → latest version, stories
// and their kills, exact-content sightings, held embargoes).
//
// StoryIndex is the abstract store; InMemoryStoryIndex the thread-safe in-memory
// implementation, bounded by time. Every mutation emits the resulting record as a
// v1::StoryIndexEntry (proto/newsd/v1/story.proto) through the ChangeSink, and
// Apply() replays such entries without emitting, so the engine can persist and
// share the index through a Kafka compacted topic without the stage knowing Kafka:
//
//   sink  (this instance wrote)   → produce key = entry.key(), value = entry or null
//   changelog (any instance wrote) → index.Apply(entry)  (null value → Apply({key}))
//
// A batch entry (v1::StoryIndexBatch, keys "b/…" and "w/…") carries several
// records as one changelog record: its records are merged one by one, and only
// the batch is deleted from the changelog when it expires (its records expire in
// memory by their own times, without a tombstone each).
#ifndef NEWSD_STAGES_STORY_STORY_INDEX_H_
#define NEWSD_STAGES_STORY_STORY_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newsd/v1/story.pb.h"

namespace newsd::stages {

// Receives every change of a StoryIndex, in the order the index applied them.
// Called with the index's lock held: it must be quick (enqueue, don't block on
// I/O) and must not call back into the index. An entry without a record is a
// deletion (publish a tombstone for entry.key()).
using ChangeSink = std::function<void(const v1::StoryIndexEntry&)>;

// The changelog key of `entry`'s record: "g/<guid>", "s/<story_id>",
// "c/<16 hex digits>", "m/<article_id>", "e/<article_id>", "d/<source_item>",
// "b/<item>" (retention batch) or "w/<item>" (window batch); entry.key() when no
// record is set (a deletion).
std::string StoryIndexKey(const v1::StoryIndexEntry& entry);

// Orders two versions of one guid (only version, version_created and etag are
// read): > 0 if `a` is newer than `b`, < 0 if older, 0 if the same version;
// std::nullopt when they cannot be ordered (only differing etags, or a version
// number on one side only): callers then go by arrival order.
std::optional<int> CompareVersions(const v1::GuidRecord& a, const v1::GuidRecord& b);

// Sizes, for metrics (`newsd_story_index_records{kind}`) and tests.
struct StoryIndexStats {
  size_t guids = 0;
  size_t stories = 0;
  size_t killed_stories = 0;
  size_t contents = 0;
  size_t signatures = 0;
  size_t held_embargoes = 0;
  size_t decisions = 0;
  // Batch records (v1::StoryIndexBatch) not yet expired.
  size_t batches = 0;
  // Entries emitted through the sink since construction (writes + deletions).
  uint64_t changes_emitted = 0;
};

// Time bounds and LSH layout of an index. All instances sharing one changelog
// must use the same lsh_bands and lsh_rows (they define the signature length).
struct StoryIndexOptions {
  // Signatures and decisions older than this (relative to the time given to
  // Expire) are dropped; near-duplicate candidates must be within it of the
  // probe.
  absl::Duration window = absl::Hours(72);
  // Guid, story and content records are dropped this long after last seen.
  absl::Duration retention = absl::Hours(24 * 30);
  // MinHash-LSH banding: a signature has lsh_bands * lsh_rows values; two
  // signatures are candidates when one band of lsh_rows values is equal. With
  // 40 × 3 a pair of Jaccard similarity s is a candidate with probability
  // 1 − (1 − s³)⁴⁰: 0.98 at s = 0.45, 0.27 at s = 0.2.
  int lsh_bands = 40;
  int lsh_rows = 3;
  // Most recent articles kept per LSH bucket (bounds the work of templated
  // texts that share a band).
  size_t max_bucket_size = 64;
};

class StoryIndex {
 public:
  virtual ~StoryIndex() = default;

  // Mutation: merges `entry` into the index (same rules as Apply) and emits the
  // resulting record (or the deletion) through the sink; also stores it in
  // `merged` when given (for a batch: the batch of the merged records, with
  // expires_at set). `entry.key` may be empty when a record is set (it is
  // derived). Errors: kInvalidArgument for a key that does not match the record,
  // an empty deletion key, a signature of the wrong length, or a batch holding a
  // batch or a deletion (nothing of such a batch is merged).
  virtual absl::Status Write(const v1::StoryIndexEntry& entry,
                             v1::StoryIndexEntry* merged = nullptr) = 0;

  // Replay: merges `entry` (from the changelog) without emitting anything.
  // A deletion of a batch key drops the batch (not its records: they expire by
  // time); a deletion of a record's key drops a record written or applied on its
  // own, unless a batch holds it too (a record only batches hold stays: their
  // changelog records still hold it). Errors as Write.
  virtual absl::Status Apply(const v1::StoryIndexEntry& entry) = 0;

  // Drops signatures and decisions older than now − window, guid/story/content
  // records last seen before now − retention, embargo records whose
  // embargo_until is before now and batches whose expires_at is before now,
  // looking at no more than `limit` expiry candidates per call (the rest wait for
  // the next call; this bounds the time a caller holds its locks). Emits a
  // deletion for each dropped batch and for each dropped record that was written
  // or applied on its own (not in a batch: changelogs of newsd before batches);
  // a record that came in a batch leaves the changelog with its batch. Returns
  // the number of records dropped; the keys of the emitted deletions are appended
  // to `deleted` when given.
  virtual size_t Expire(absl::Time now, std::vector<std::string>* deleted = nullptr,
                        size_t limit = SIZE_MAX) = 0;

  // Queries (copies; consistent per call).
  virtual std::optional<v1::GuidRecord> FindGuid(absl::string_view guid) const = 0;
  virtual std::optional<v1::StoryRecord> FindStory(absl::string_view story_id) const = 0;
  virtual std::optional<v1::ContentRecord> FindContent(uint64_t content_hash) const = 0;
  virtual std::optional<v1::DecisionRecord> FindDecision(
      absl::string_view source_item) const = 0;
  // Signatures sharing at least one LSH band with `minhash` and seen within
  // [time − window, time + window], with their estimated Jaccard similarity
  // (share of equal positions), best first, at most `limit`.
  virtual std::vector<std::pair<v1::SignatureRecord, double>> FindSimilar(
      const std::vector<uint32_t>& minhash, absl::Time time, size_t limit) const = 0;
  // The most recent signature with this headline hash within the window of `time`.
  virtual std::optional<v1::SignatureRecord> FindHeadline(uint64_t headline_hash,
                                                          absl::Time time) const = 0;
  // Held embargoes, soonest embargo_until first.
  virtual std::vector<v1::EmbargoRecord> HeldEmbargoes() const = 0;

  virtual StoryIndexStats Stats() const = 0;
  virtual const StoryIndexOptions& options() const = 0;
};

using StoryIndexPtr = std::shared_ptr<StoryIndex>;

// Thread-safe in-memory StoryIndex. Memory is bounded by time: about 600 bytes
// per signature in the window (120 hashes) and 150 bytes per guid, story or
// content record in the retention.
class InMemoryStoryIndex final : public StoryIndex {
 public:
  // `sink` may be empty (changes are then not reported).
  explicit InMemoryStoryIndex(StoryIndexOptions options, ChangeSink sink = nullptr);

  absl::Status Write(const v1::StoryIndexEntry& entry,
                     v1::StoryIndexEntry* merged = nullptr) override;
  absl::Status Apply(const v1::StoryIndexEntry& entry) override;
  size_t Expire(absl::Time now, std::vector<std::string>* deleted = nullptr,
                size_t limit = SIZE_MAX) override;

  std::optional<v1::GuidRecord> FindGuid(absl::string_view guid) const override;
  std::optional<v1::StoryRecord> FindStory(absl::string_view story_id) const override;
  std::optional<v1::ContentRecord> FindContent(uint64_t content_hash) const override;
  std::optional<v1::DecisionRecord> FindDecision(absl::string_view source_item) const override;
  std::vector<std::pair<v1::SignatureRecord, double>> FindSimilar(
      const std::vector<uint32_t>& minhash, absl::Time time, size_t limit) const override;
  std::optional<v1::SignatureRecord> FindHeadline(uint64_t headline_hash,
                                                  absl::Time time) const override;
  std::vector<v1::EmbargoRecord> HeldEmbargoes() const override;
  StoryIndexStats Stats() const override;
  const StoryIndexOptions& options() const override { return options_; }

 private:
  // Merges and returns the stored result (or a deletion) in `out`. `in_batch`:
  // the entry is one record of a batch (its deletion is not emitted on expiry).
  absl::Status MergeLocked(const v1::StoryIndexEntry& entry, bool in_batch,
                           v1::StoryIndexEntry* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // MergeLocked for a batch entry: merges each record, keeps the batch's key and
  // expiry (not its records) and returns the batch of merged records.
  absl::Status MergeBatchLocked(const v1::StoryIndexEntry& entry, const std::string& key,
                                v1::StoryIndexEntry* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues `key` for expiry at the deadline of its stored record.
  void ScheduleExpiryLocked(const std::string& key, const v1::StoryIndexEntry& stored)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds `delta` to the count of `e`'s kind in stats_ (kept as records come and
  // go, so that Stats() is O(1): it is read every second for the gauges).
  void CountLocked(const v1::StoryIndexEntry& e, int delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexSignatureLocked(const v1::SignatureRecord& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnindexSignatureLocked(const v1::SignatureRecord& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EmitLocked(const v1::StoryIndexEntry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Band keys of a signature (one per band).
  std::vector<uint64_t> BandKeys(const std::vector<uint32_t>& minhash) const;

  const StoryIndexOptions options_;
  const ChangeSink sink_;

  mutable absl::Mutex mu_;
  // key → record, for every kind (the key prefix says which).
  absl::flat_hash_map<std::string, v1::StoryIndexEntry> records_ ABSL_GUARDED_BY(mu_);
  // Expiry queue: (time the key's record was last written with, key). Entries
  // whose record has since been rewritten with a later time are skipped.
  std::multimap<absl::Time, std::string> expiry_ ABSL_GUARDED_BY(mu_);
  // Keys of records written or applied outside a batch (records of their own on
  // the changelog: their expiry is emitted as a deletion) → whether a batch holds
  // the record too. A key that is absent came only in batches.
  absl::flat_hash_map<std::string, bool> standalone_ ABSL_GUARDED_BY(mu_);
  // LSH bucket → article ids (oldest first, at most max_bucket_size).
  absl::flat_hash_map<uint64_t, std::vector<std::string>> buckets_ ABSL_GUARDED_BY(mu_);
  // headline hash → article ids with that headline (oldest first, capped too).
  absl::flat_hash_map<uint64_t, std::vector<std::string>> headlines_ ABSL_GUARDED_BY(mu_);
  // Record counts by kind and changes emitted, kept up to date.
  StoryIndexStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_STORY_STORY_INDEX_H_
