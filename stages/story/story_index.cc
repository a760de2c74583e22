#include "stages/story/story_index.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/hash/internal/city.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stages/story/story_time.h"

namespace newsd::stages {
namespace {

// Most recent articles kept per headline hash.
constexpr size_t kMaxHeadlineBucket = 16;

bool Newer(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return FromProtoTime(a) > FromProtoTime(b);
}

// Merges story record `in` into `s` (see story.proto for the rules).
void MergeStory(const v1::StoryRecord& in, v1::StoryRecord* s) {
  if (in.version() >= s->version()) {
    if (!in.latest_article_id().empty()) s->set_latest_article_id(in.latest_article_id());
    s->set_withheld(in.withheld());
    s->set_version(in.version());
  }
  if (s->first_article_id().empty()) s->set_first_article_id(in.first_article_id());
  if (in.killed() && !s->killed()) {
    s->set_killed(true);
    s->set_kill_reason(in.kill_reason());
    s->set_killed_by(in.killed_by());
    *s->mutable_killed_at() = in.killed_at();
  }
  if (in.has_first_seen() &&
      (!s->has_first_seen() || Newer(s->first_seen(), in.first_seen()))) {
    *s->mutable_first_seen() = in.first_seen();
  }
  if (Newer(in.last_seen(), s->last_seen())) *s->mutable_last_seen() = in.last_seen();
}

// Merges guid record `in` into `g`: the newer version wins, superseded_by sticks.
void MergeGuid(const v1::GuidRecord& in, v1::GuidRecord* g) {
  std::optional<int> order = CompareVersions(in, *g);
  const std::string superseded_by =
      g->superseded_by().empty() ? in.superseded_by() : g->superseded_by();
  const google::protobuf::Timestamp seen =
      Newer(in.seen_at(), g->seen_at()) ? in.seen_at() : g->seen_at();
  if (!order.has_value() || *order > 0) {
    *g = in;
  } else if (*order == 0) {
    if (g->article_id().empty()) g->set_article_id(in.article_id());
    if (g->story_id().empty()) g->set_story_id(in.story_id());
  }
  g->set_superseded_by(superseded_by);
  *g->mutable_seen_at() = seen;
}

// The time after which `entry`'s record expires.
absl::Time Deadline(const v1::StoryIndexEntry& e, const StoryIndexOptions& o) {
  switch (e.record_case()) {
    case v1::StoryIndexEntry::kGuid:
      return FromProtoTime(e.guid().seen_at()) + o.retention;
    case v1::StoryIndexEntry::kStory:
      return FromProtoTime(e.story().last_seen()) + o.retention;
    case v1::StoryIndexEntry::kContent:
      return FromProtoTime(e.content().seen_at()) + o.retention;
    case v1::StoryIndexEntry::kSignature:
      return FromProtoTime(e.signature().seen_at()) + o.window;
    case v1::StoryIndexEntry::kDecision:
      return FromProtoTime(e.decision().seen_at()) + o.window;
    case v1::StoryIndexEntry::kEmbargo:
      return FromProtoTime(e.embargo().embargo_until());
    case v1::StoryIndexEntry::kBatch:
      return FromProtoTime(e.batch().expires_at());
    default:
      return absl::InfiniteFuture();
  }
}

// google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z, nanos in [0, 1e9).
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
const absl::Time kMaxTimestamp =
    absl::FromUnixSeconds(kMaxTimestampSeconds) + absl::Nanoseconds(999999999);

bool ValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= kMinTimestampSeconds && t.seconds() <= kMaxTimestampSeconds &&
         t.nanos() >= 0 && t.nanos() < 1000000000;
}

// The timestamps of `entry`'s record, all of which must be valid.
absl::InlinedVector<const google::protobuf::Timestamp*, 3> Timestamps(
    const v1::StoryIndexEntry& e) {
  switch (e.record_case()) {
    case v1::StoryIndexEntry::kGuid:
      return {&e.guid().version_created(), &e.guid().seen_at()};
    case v1::StoryIndexEntry::kStory:
      return {&e.story().killed_at(), &e.story().first_seen(), &e.story().last_seen()};
    case v1::StoryIndexEntry::kContent:
      return {&e.content().seen_at()};
    case v1::StoryIndexEntry::kSignature:
      return {&e.signature().seen_at()};
    case v1::StoryIndexEntry::kEmbargo:
      return {&e.embargo().embargo_until(), &e.embargo().held_at()};
    case v1::StoryIndexEntry::kDecision:
      return {&e.decision().seen_at()};
    case v1::StoryIndexEntry::kBatch:
      return {&e.batch().expires_at()};
    case v1::StoryIndexEntry::RECORD_NOT_SET:
      break;
  }
  return {};
}

// Errors of Write/Apply that do not depend on the stored state: a bad or
// mismatched key, a signature of the wrong length, a timestamp outside
// google.protobuf.Timestamp's range.
absl::Status CheckEntry(const v1::StoryIndexEntry& entry, const std::string& key,
                        const StoryIndexOptions& options) {
  if (key.empty() || key.size() < 3 || key[1] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("story index: bad key \"", key, "\""));
  }
  if (entry.record_case() != v1::StoryIndexEntry::RECORD_NOT_SET && !entry.key().empty() &&
      entry.key() != key) {
    return absl::InvalidArgumentError(absl::StrCat(
        "story index: key \"", entry.key(), "\" does not match its record (\"", key, "\")"));
  }
  const size_t num_hashes = static_cast<size_t>(options.lsh_bands * options.lsh_rows);
  if (entry.has_signature() &&
      static_cast<size_t>(entry.signature().minhash_size()) != num_hashes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "story index: signature of ", entry.signature().article_id(), " has ",
        entry.signature().minhash_size(), " hashes, expected ", num_hashes,
        " (lsh_bands * lsh_rows)"));
  }
  for (const google::protobuf::Timestamp* t : Timestamps(entry)) {
    if (!ValidTimestamp(*t)) {
      return absl::InvalidArgumentError(
          absl::StrCat("story index: record \"", key, "\" has a timestamp out of range (",
                       t->seconds(), " s, ", t->nanos(), " ns)"));
    }
  }
  return absl::OkStatus();
}

bool WithinWindow(const google::protobuf::Timestamp& seen, absl::Time time,
                  absl::Duration window) {
  return absl::AbsDuration(FromProtoTime(seen) - time) <= window;
}

}  // namespace

std::optional<int> CompareVersions(const v1::GuidRecord& a, const v1::GuidRecord& b) {
  if (a.version() != 0 && b.version() != 0 && a.version() != b.version()) {
    return a.version() > b.version() ? 1 : -1;
  }
  if (a.has_version_created() && b.has_version_created()) {
    absl::Time ta = FromProtoTime(a.version_created());
    absl::Time tb = FromProtoTime(b.version_created());
    if (ta != tb) return ta > tb ? 1 : -1;
  }
  if (!a.etag().empty() && !b.etag().empty() && a.etag() != b.etag()) return std::nullopt;
  if (a.version() == b.version()) return 0;
  // One side has a version number, the other none: cannot tell.
  return std::nullopt;
}

std::string StoryIndexKey(const v1::StoryIndexEntry& entry) {
  switch (entry.record_case()) {
    case v1::StoryIndexEntry::kGuid:
      return absl::StrCat("g/", entry.guid().guid());
    case v1::StoryIndexEntry::kStory:
      return absl::StrCat("s/", entry.story().story_id());
    case v1::StoryIndexEntry::kContent:
      return absl::StrFormat("c/%016x", entry.content().content_hash());
    case v1::StoryIndexEntry::kSignature:
      return absl::StrCat("m/", entry.signature().article_id());
    case v1::StoryIndexEntry::kEmbargo:
      return absl::StrCat("e/", entry.embargo().article_id());
    case v1::StoryIndexEntry::kDecision:
      return absl::StrCat("d/", entry.decision().source_item());
    case v1::StoryIndexEntry::kBatch:
      return absl::StrCat(entry.batch().window() ? "w/" : "b/", entry.batch().item());
    case v1::StoryIndexEntry::RECORD_NOT_SET:
      break;
  }
  return entry.key();
}

InMemoryStoryIndex::InMemoryStoryIndex(StoryIndexOptions options, ChangeSink sink)
    : options_(options), sink_(std::move(sink)) {}

std::vector<uint64_t> InMemoryStoryIndex::BandKeys(
    const std::vector<uint32_t>& minhash) const {
  std::vector<uint64_t> keys;
  keys.reserve(options_.lsh_bands);
  const size_t rows = static_cast<size_t>(options_.lsh_rows);
  for (int b = 0; b < options_.lsh_bands; ++b) {
    const uint32_t* begin = minhash.data() + b * rows;
    keys.push_back(absl::hash_internal::CityHash64WithSeed(
        reinterpret_cast<const char*>(begin), rows * sizeof(uint32_t),
        static_cast<uint64_t>(b)));
  }
  return keys;
}

void InMemoryStoryIndex::IndexSignatureLocked(const v1::SignatureRecord& s) {
  std::vector<uint32_t> mh(s.minhash().begin(), s.minhash().end());
  for (uint64_t key : BandKeys(mh)) {
    std::vector<std::string>& bucket = buckets_[key];
    bucket.push_back(s.article_id());
    if (bucket.size() > options_.max_bucket_size) bucket.erase(bucket.begin());
  }
  if (s.headline_hash() != 0) {
    std::vector<std::string>& ids = headlines_[s.headline_hash()];
    ids.push_back(s.article_id());
    if (ids.size() > kMaxHeadlineBucket) ids.erase(ids.begin());
  }
}

void InMemoryStoryIndex::UnindexSignatureLocked(const v1::SignatureRecord& s) {
  auto erase_from = [&](auto& map, uint64_t key) {
    auto it = map.find(key);
    if (it == map.end()) return;
    std::vector<std::string>& ids = it->second;
    ids.erase(std::remove(ids.begin(), ids.end(), s.article_id()), ids.end());
    if (ids.empty()) map.erase(it);
  };
  std::vector<uint32_t> mh(s.minhash().begin(), s.minhash().end());
  for (uint64_t key : BandKeys(mh)) erase_from(buckets_, key);
  if (s.headline_hash() != 0) erase_from(headlines_, s.headline_hash());
}

void InMemoryStoryIndex::CountLocked(const v1::StoryIndexEntry& e, int delta) {
  auto add = [delta](size_t& n) { n = static_cast<size_t>(static_cast<int64_t>(n) + delta); };
  switch (e.record_case()) {
    case v1::StoryIndexEntry::kGuid: add(stats_.guids); break;
    case v1::StoryIndexEntry::kStory:
      add(stats_.stories);
      if (e.story().killed()) add(stats_.killed_stories);
      break;
    case v1::StoryIndexEntry::kContent: add(stats_.contents); break;
    case v1::StoryIndexEntry::kSignature: add(stats_.signatures); break;
    case v1::StoryIndexEntry::kEmbargo: add(stats_.held_embargoes); break;
    case v1::StoryIndexEntry::kDecision: add(stats_.decisions); break;
    case v1::StoryIndexEntry::kBatch: add(stats_.batches); break;
    case v1::StoryIndexEntry::RECORD_NOT_SET: break;
  }
}

void InMemoryStoryIndex::EraseLocked(const std::string& key) {
  auto it = records_.find(key);
  if (it == records_.end()) return;
  CountLocked(it->second, -1);
  if (it->second.has_signature()) UnindexSignatureLocked(it->second.signature());
  records_.erase(it);
  standalone_.erase(key);
}

void InMemoryStoryIndex::ScheduleExpiryLocked(const std::string& key,
                                              const v1::StoryIndexEntry& stored) {
  absl::Time deadline = Deadline(stored, options_);
  if (deadline != absl::InfiniteFuture()) expiry_.emplace(deadline, key);
}

absl::Status InMemoryStoryIndex::MergeBatchLocked(const v1::StoryIndexEntry& entry,
                                                  const std::string& key,
                                                  v1::StoryIndexEntry* out) {
  const v1::StoryIndexBatch& in = entry.batch();
  // Checked before anything is merged: a bad batch changes nothing.
  absl::Time expires = FromProtoTime(in.expires_at());
  for (const v1::StoryIndexEntry& record : in.entries()) {
    if (record.record_case() == v1::StoryIndexEntry::RECORD_NOT_SET ||
        record.record_case() == v1::StoryIndexEntry::kBatch) {
      return absl::InvalidArgumentError(absl::StrCat(
          "story index: batch \"", key, "\" holds a ",
          record.has_batch() ? "batch" : "deletion", " (\"", StoryIndexKey(record), "\")"));
    }
    if (absl::Status s = CheckEntry(record, StoryIndexKey(record), options_); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("batch \"", key, "\": ", s.message()));
    }
    expires = std::max(expires, Deadline(record, options_));
  }
  // A deadline past Timestamp's range (a record seen in 9999) stays representable.
  expires = std::min(expires, kMaxTimestamp);
  v1::StoryIndexBatch* merged = out->mutable_batch();
  merged->set_item(in.item());
  merged->set_window(in.window());
  for (const v1::StoryIndexEntry& record : in.entries()) {
    if (absl::Status s = MergeLocked(record, /*in_batch=*/true, merged->add_entries());
        !s.ok()) {
      return s;
    }
  }
  // The index keeps the batch's key and expiry, not its records (they are
  // stored under their own keys).
  auto [it, inserted] = records_.try_emplace(key);
  v1::StoryIndexBatch* stored = it->second.mutable_batch();
  if (inserted) {
    it->second.set_key(key);
    stored->set_item(in.item());
    stored->set_window(in.window());
    CountLocked(it->second, +1);
  }
  if (inserted || FromProtoTime(stored->expires_at()) < expires) {
    *stored->mutable_expires_at() = ToProtoTime(expires);
    ScheduleExpiryLocked(key, it->second);
  }
  *merged->mutable_expires_at() = stored->expires_at();
  return absl::OkStatus();
}

void InMemoryStoryIndex::EmitLocked(const v1::StoryIndexEntry& entry) {
  ++stats_.changes_emitted;
  if (sink_) sink_(entry);
}

absl::Status InMemoryStoryIndex::MergeLocked(const v1::StoryIndexEntry& entry, bool in_batch,
                                             v1::StoryIndexEntry* out) {
  const std::string key = StoryIndexKey(entry);
  if (absl::Status s = CheckEntry(entry, key, options_); !s.ok()) return s;
  out->Clear();
  out->set_key(key);
  if (entry.record_case() == v1::StoryIndexEntry::RECORD_NOT_SET) {
    // The deletion of a record of its own on the changelog. A record that a
    // batch holds stays (that batch is still on the changelog; the record
    // expires by time), so that a restarted instance has the same state.
    auto stored = records_.find(key);
    auto own = standalone_.find(key);
    if ((stored != records_.end() && stored->second.has_batch()) ||
        (own != standalone_.end() && !own->second)) {
      EraseLocked(key);
    } else if (own != standalone_.end()) {
      standalone_.erase(own);
    }
    return absl::OkStatus();
  }
  if (entry.has_batch()) return MergeBatchLocked(entry, key, out);
  auto it = records_.find(key);
  if (auto own = standalone_.find(key); own != standalone_.end()) {
    own->second = own->second || in_batch;
  } else if (!in_batch) {
    // Also in a batch if it was stored before (records not in standalone_ came
    // in batches).
    standalone_.emplace(key, it != records_.end());
  }
  if (it == records_.end()) {
    v1::StoryIndexEntry& stored = records_[key];
    stored = entry;
    stored.set_key(key);
    if (stored.has_signature()) IndexSignatureLocked(stored.signature());
    CountLocked(stored, +1);
    it = records_.find(key);
  } else {
    v1::StoryIndexEntry& stored = it->second;
    switch (entry.record_case()) {
      case v1::StoryIndexEntry::kGuid:
        MergeGuid(entry.guid(), stored.mutable_guid());
        break;
      case v1::StoryIndexEntry::kStory: {
        const bool was_killed = stored.story().killed();
        MergeStory(entry.story(), stored.mutable_story());
        if (!was_killed && stored.story().killed()) ++stats_.killed_stories;
        break;
      }
      case v1::StoryIndexEntry::kContent:
        if (Newer(stored.content().seen_at(), entry.content().seen_at())) {
          *stored.mutable_content() = entry.content();
        }
        break;
      case v1::StoryIndexEntry::kSignature:
        UnindexSignatureLocked(stored.signature());
        *stored.mutable_signature() = entry.signature();
        IndexSignatureLocked(stored.signature());
        break;
      case v1::StoryIndexEntry::kEmbargo:
        *stored.mutable_embargo() = entry.embargo();
        break;
      case v1::StoryIndexEntry::kDecision:
        // The first decision for an input stands (a replay must not change it).
        break;
      case v1::StoryIndexEntry::kBatch:
      case v1::StoryIndexEntry::RECORD_NOT_SET:
        break;
    }
  }
  ScheduleExpiryLocked(key, it->second);
  *out = it->second;
  return absl::OkStatus();
}

absl::Status InMemoryStoryIndex::Write(const v1::StoryIndexEntry& entry,
                                       v1::StoryIndexEntry* merged) {
  absl::MutexLock lock(&mu_);
  v1::StoryIndexEntry result;
  if (absl::Status s = MergeLocked(entry, /*in_batch=*/false, &result); !s.ok()) return s;
  EmitLocked(result);
  if (merged != nullptr) *merged = std::move(result);
  return absl::OkStatus();
}

absl::Status InMemoryStoryIndex::Apply(const v1::StoryIndexEntry& entry) {
  absl::MutexLock lock(&mu_);
  v1::StoryIndexEntry merged;
  return MergeLocked(entry, /*in_batch=*/false, &merged);
}

size_t InMemoryStoryIndex::Expire(absl::Time now, std::vector<std::string>* deleted,
                                  size_t limit) {
  absl::MutexLock lock(&mu_);
  size_t dropped = 0;
  for (size_t looked = 0; looked < limit && !expiry_.empty() && expiry_.begin()->first < now;
       ++looked) {
    auto node = expiry_.extract(expiry_.begin());
    auto it = records_.find(node.mapped());
    // Skip queue entries of records rewritten since (they have a later entry).
    if (it == records_.end() || Deadline(it->second, options_) != node.key()) continue;
    // A record of its own on the changelog (a batch, or one written alone)
    // needs a tombstone; a record that came in a batch goes with its batch.
    const bool emit = it->second.has_batch() || standalone_.contains(node.mapped());
    EraseLocked(node.mapped());
    ++dropped;
    if (!emit) continue;
    v1::StoryIndexEntry deletion;
    deletion.set_key(node.mapped());
    EmitLocked(deletion);
    if (deleted != nullptr) deleted->push_back(deletion.key());
  }
  return dropped;
}

std::optional<v1::GuidRecord> InMemoryStoryIndex::FindGuid(absl::string_view guid) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(absl::StrCat("g/", guid));
  if (it == records_.end()) return std::nullopt;
  return it->second.guid();
}

std::optional<v1::StoryRecord> InMemoryStoryIndex::FindStory(
    absl::string_view story_id) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(absl::StrCat("s/", story_id));
  if (it == records_.end()) return std::nullopt;
  return it->second.story();
}

std::optional<v1::DecisionRecord> InMemoryStoryIndex::FindDecision(
    absl::string_view source_item) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(absl::StrCat("d/", source_item));
  if (it == records_.end()) return std::nullopt;
  return it->second.decision();
}

std::optional<v1::ContentRecord> InMemoryStoryIndex::FindContent(
    uint64_t content_hash) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(absl::StrFormat("c/%016x", content_hash));
  if (it == records_.end()) return std::nullopt;
  return it->second.content();
}

std::vector<std::pair<v1::SignatureRecord, double>> InMemoryStoryIndex::FindSimilar(
    const std::vector<uint32_t>& minhash, absl::Time time, size_t limit) const {
  std::vector<std::pair<v1::SignatureRecord, double>> result;
  const size_t n = static_cast<size_t>(options_.lsh_bands * options_.lsh_rows);
  if (minhash.size() != n) return result;
  std::vector<uint64_t> keys = BandKeys(minhash);
  absl::MutexLock lock(&mu_);
  absl::flat_hash_set<absl::string_view> seen;
  for (uint64_t key : keys) {
    auto bucket = buckets_.find(key);
    if (bucket == buckets_.end()) continue;
    for (const std::string& id : bucket->second) {
      if (!seen.insert(id).second) continue;
      auto rec = records_.find(absl::StrCat("m/", id));
      if (rec == records_.end()) continue;
      const v1::SignatureRecord& s = rec->second.signature();
      if (!WithinWindow(s.seen_at(), time, options_.window)) continue;
      size_t equal = 0;
      for (size_t i = 0; i < n; ++i) equal += s.minhash(static_cast<int>(i)) == minhash[i];
      result.emplace_back(s, static_cast<double>(equal) / static_cast<double>(n));
    }
  }
  // Best first; among equals the earliest (the original rather than a copy).
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return FromProtoTime(a.first.seen_at()) < FromProtoTime(b.first.seen_at());
  });
  if (result.size() > limit) result.resize(limit);
  return result;
}

std::optional<v1::SignatureRecord> InMemoryStoryIndex::FindHeadline(uint64_t headline_hash,
                                                                    absl::Time time) const {
  absl::MutexLock lock(&mu_);
  auto it = headlines_.find(headline_hash);
  if (it == headlines_.end()) return std::nullopt;
  for (auto id = it->second.rbegin(); id != it->second.rend(); ++id) {
    auto rec = records_.find(absl::StrCat("m/", *id));
    if (rec == records_.end()) continue;
    if (WithinWindow(rec->second.signature().seen_at(), time, options_.window)) {
      return rec->second.signature();
    }
  }
  return std::nullopt;
}

std::vector<v1::EmbargoRecord> InMemoryStoryIndex::HeldEmbargoes() const {
  std::vector<v1::EmbargoRecord> held;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, entry] : records_) {
      if (entry.has_embargo()) held.push_back(entry.embargo());
    }
  }
  std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) {
    return FromProtoTime(a.embargo_until()) < FromProtoTime(b.embargo_until());
  });
  return held;
}

StoryIndexStats InMemoryStoryIndex::Stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace newsd::stages
