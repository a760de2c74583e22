// The "story" stage: which story an article belongs to, what it replaces, and
// whether the story was killed or the item is embargoed.
//
// Reads Article.id, text, headline and paragraph spans, published_at, wire (guid,
// version, version_created, etag, pub_status, embargo_until, previous_guid,
// previous_status, signals), so it runs after decode (DefaultConfig: after
// "times"). Sets Article.story and adds flags. Decisions, in order:
//  1. Same wire guid as an earlier item: the same story. A newer version
//     (CompareVersions: version, else versionCreated, else arrival) supersedes the
//     story's current item; an older one, or any item of a guid that a later item
//     replaced, is flagged "stale" and supersedes nothing; the same version again
//     is flagged "version_repeated" (duplicate_of = the earlier item, similarity 1).
//  2. NITF management-doc-idref (wire.previous_guid): joins the story of that
//     guid (or starts story id = previous_guid) and supersedes it; flag
//     "replaces_canceled" when management-idref-status is canceled. The earlier
//     guid is recorded as superseded, so it is stale if it arrives afterwards.
//  3. Otherwise by content, within the time window: an item whose headline has a
//     version marker ("CORRECTED -", "(CORRECTED)", "UPDATE 2-", "REFILE-";
//     signal sig:correction / sig:update / wire:refile, which the decode stage
//     sets when it takes such a label off the headline) or is a kill notice joins the
//     most similar earlier item at estimated Jaccard >= version_threshold, else the
//     latest one with the same headline once the markers are stripped, and
//     supersedes the story's current item (flags "correction", "update",
//     "refile"); any other item whose body matches an earlier one exactly (in the
//     retention) or at >= threshold joins its story as a duplicate (duplicate_of,
//     similarity). Otherwise it starts a story; story_id = Article.id.
// The body compared (exact hash and MinHash over word shingles) is the
// paragraphs without what each agency's copy of a story has of its own: the
// dateline and byline spans when they lie in the body, agency tags ("(Reuters)",
// "(AFP)", a dateline ending with one that the decode stage missed), and credit,
// byline and copyright paragraphs (story_text.h: StripAgencyTags, IsCreditLine);
// so Reuters' and AFP's copies of one text are duplicates. (Signatures recorded
// by a release before this rule differ for items that had such lines in their
// body; others are unchanged.)
// duplicate_of only ever names an item earlier in input order: by offset within
// one Kafka partition, else by item time (InputPosition, story.proto). Items are
// processed in parallel, so a later item may be recorded first; an earlier item
// that then matches it is not linked to it (both start stories, or the earlier
// one joins an earlier match) rather than linked forward.
// Kills: pub_status canceled (NewsML-G2/ninjs pubStatus, NITF management-status)
// or a textual kill notice (story_text.h) → flags "kill" and "retraction", story
// killed in the index (sticky); pub_status withheld → flags "withheld" and
// "retraction", story withheld until a newer usable version. Any later item of a
// killed story gets flag "killed_story". Embargo: wire.embargo_until after the
// processing time (StageContext::now) → flag "embargoed" and an EmbargoRecord in
// the index, Story.hold_until = embargo_until: the engine holds the event until
// then (README "Story state").
// Story.retracted is set on kill and withheld items and on any later item of a
// killed story: the engine follows their event with a tombstone for story_id.
// Story.version: 1 (or the wire version) for a new story, the story's highest
// version + 1 (at least the wire version) for a superseding item, unchanged for a
// duplicate, the wire version (0 if none) for a stale item.
//
// Item time (windows, retention): published_at, else StageContext::now; a
// published_at more than max_clock_skew after now counts as now. Expiry follows
// the highest item time seen.
//
// Options (register.cc): threshold (0.8), version_threshold (0.45),
// shingle_words (5), window ("72h"), retention ("720h"), lsh_bands (40),
// lsh_rows (3).
//
// Idempotence: the decision for an input item is recorded under its Kafka
// position (DecisionRecord "d/<topic>/<partition>/<offset>/<article id>"); the
// same item processed again (redelivery, aborted transaction, rebalance) gets the
// recorded Story and flags and changes nothing else.
//
// State: the index is the stage's state store "story" (Stage::state_store).
// What the stage writes for one item goes to StageContext::state_changes as at
// most two StoryIndexBatch entries (key "b/<item>": story, guid and content
// records, kept for the retention; "w/<item>": signature, decision, embargo,
// kept for the window; value = the serialized StoryIndexEntry), and the
// deletions of expired batches (and of records of an older per-key changelog)
// as nullopt values. Restore() merges changelog records into the index
// (StoryIndex::Apply). Expiry looks at no more than 64 candidates per item.
#ifndef NEWSD_STAGES_STORY_STORY_H_
#define NEWSD_STAGES_STORY_STORY_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pipeline/stage.h"
#include "stages/story/story_index.h"

namespace newsd::stages {

struct StoryOptions {
  // Estimated Jaccard similarity (word shingles of the body) at or above which an
  // item without version marker is a duplicate of an earlier one; in (0, 1].
  double threshold = 0.8;
  // The same for items with a version marker or kill notice (corrections rewrite
  // part of the text); in (0, 1].
  double version_threshold = 0.45;
  // Words per shingle, 1..16.
  int shingle_words = 5;
  // Window, retention and LSH layout of the index the stage creates.
  StoryIndexOptions index;
  // A published_at later than now + this is not trusted as the item time.
  absl::Duration max_clock_skew = absl::Hours(1);
};

class StoryStage final : public Stage {
 public:
  // `index` null: the stage makes an InMemoryStoryIndex with options.index.
  // Errors: kInvalidArgument for out-of-range options or an index whose
  // lsh_bands * lsh_rows is not 1..1024.
  static absl::StatusOr<std::unique_ptr<StoryStage>> Create(StoryOptions options,
                                                           StoryIndexPtr index = nullptr);
  ~StoryStage() override;

  absl::string_view name() const override { return "story"; }
  // The store "story": Restore() parses a serialized v1::StoryIndexEntry (nullopt
  // value: the deletion of `key`) and applies it; kInvalidArgument for bytes that
  // do not parse or a record the index rejects. Sizes(): guids, stories,
  // killed_stories, contents, signatures, embargoes, decisions.
  StateStore* state_store() const override { return store_.get(); }

  // See the file comment. Thread-safe: text features are computed in parallel,
  // the look-up-and-record step is serialised by one mutex. Errors:
  // kInvalidArgument if a headline or paragraph span is out of range of text;
  // kInternal if the index rejects a record (a bug).
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

  const StoryIndexPtr& index() const { return index_; }
  const StoryOptions& options() const { return options_; }

 private:
  StoryStage(StoryOptions options, StoryIndexPtr index);

  const StoryOptions options_;
  const StoryIndexPtr index_;
  const std::unique_ptr<StateStore> store_;
  // Serialises decide-and-record so that two copies processed at once by two
  // workers do not both start a story.
  mutable absl::Mutex mu_;
  mutable absl::Time high_water_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_STORY_STORY_H_
