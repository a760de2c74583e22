#include "stages/story/story.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "stages/common/tokens.h"
#include "stages/common/unicode.h"
#include "stages/story/story_text.h"
#include "stages/story/story_time.h"

namespace newsd::stages {
namespace {

void AddFlag(v1::Article& article, absl::string_view flag) {
  for (const std::string& f : article.flags()) {
    if (f == flag) return;
  }
  article.add_flags(std::string(flag));
}

// Bodies with fewer word tokens are compared together with their headline.
constexpr size_t kShortBodyTokens = 40;

// Expiry candidates looked at per item (StoryIndex::Expire's limit): a jump in
// item time (an archive, a feed back after an outage) expires a backlog a few
// dozen records per item instead of all at once under the stage's lock. An item
// adds at most 8 records, so the backlog still shrinks.
constexpr size_t kExpireLimit = 64;

// Text features, computed before taking the stage lock.
struct Features {
  HeadlineInfo headline;
  bool kill_notice = false;
  uint64_t content_hash = 0;
  uint64_t headline_hash = 0;
  std::vector<uint32_t> minhash;
};

// `analysis`: the article's shared token stream when the chain built one (its
// code point → byte offsets), else nullptr (offsets are then counted here).
absl::StatusOr<Features> ComputeFeatures(const v1::Article& article,
                                         const StoryOptions& options,
                                         const TextAnalysis* analysis) {
  Features f;
  const std::string& text = article.text();
  // Ill-formed text: offsets as CodePointCursor counts them, as before.
  if (analysis != nullptr && analysis->invalid_utf8_at.has_value()) analysis = nullptr;
  absl::string_view headline;
  if (article.headline().end() > article.headline().begin()) {
    std::optional<absl::string_view> h =
        analysis != nullptr
            ? analysis->Substr(text, article.headline().begin(), article.headline().end())
            : CodePointSubstr(text, article.headline().begin(), article.headline().end());
    if (!h) return absl::InvalidArgumentError("story: headline span out of range of text");
    headline = *h;
  }
  // The body as shingled: its paragraphs without what two agencies' copies of
  // one story do not share (story_text.h): the dateline ("FRANKFURT, March 5
  // (Reuters) -"; resends on another day differ there too) and the byline when
  // they lie in the body, agency tags ("(AFP)"), and credit and copyright lines.
  std::string body;
  absl::string_view first_paragraph;
  const v1::Span& dl = article.dateline().span();
  const v1::Span& by = article.byline();
  // Cuts `cut` (code points of `text`) out of paragraph `p` = [p_begin, p_end) if
  // it lies within it; true if it did.
  // Byte offset in paragraph `p` (starting at code point p_begin of the text) of
  // code point `cp` of the text, p_begin <= cp; before any cut at or before cp.
  auto byte_in = [analysis](absl::string_view p, uint32_t p_begin, uint32_t cp) -> size_t {
    if (analysis == nullptr) return CodePointToByteOffset(p, cp - p_begin);
    return analysis->byte_offsets[cp] - analysis->byte_offsets[p_begin];
  };
  auto cut_out = [&byte_in](std::string& p, uint32_t p_begin, uint32_t p_end,
                            const v1::Span& cut) {
    if (cut.end() <= cut.begin() || cut.begin() < p_begin || cut.end() > p_end) return false;
    const size_t from = byte_in(p, p_begin, cut.begin());
    const size_t to = byte_in(p, p_begin, cut.end());
    p.replace(from, to - from, " ");
    return true;
  };
  CodePointCursor cursor(text);
  for (int i = 0; i < article.paragraphs_size(); ++i) {
    const v1::Span& span = article.paragraphs(i);
    std::optional<absl::string_view> p =
        analysis != nullptr ? analysis->Substr(text, span.begin(), span.end())
                            : cursor.Substr(span.begin(), span.end());
    if (!p) return absl::InvalidArgumentError("story: paragraph span out of range of text");
    std::string paragraph(*p);
    if (i == 0) {
      first_paragraph = *p;
      // A kill notice is looked for after a dateline opening the body.
      if (dl.end() > dl.begin() && dl.begin() == span.begin() && dl.end() <= span.end()) {
        first_paragraph.remove_prefix(byte_in(*p, span.begin(), dl.end()));
      }
    }
    // The later cut first, so that the earlier one's offsets stay right.
    const bool byline_first = by.begin() < dl.begin();
    bool cut = cut_out(paragraph, span.begin(), span.end(), byline_first ? dl : by);
    cut = cut_out(paragraph, span.begin(), span.end(), byline_first ? by : dl) || cut;
    if (IsCreditLine(paragraph)) continue;
    // The first paragraph kept may open with a dateline the decode stage missed
    // ("PARIS, 3 mai (AFP) -"), unless one was cut out of it.
    const bool first = body.empty() && !cut;
    absl::StrAppend(&body, body.empty() ? "" : "\n\n", StripAgencyTags(paragraph, first));
  }
  f.headline = ParseHeadline(headline);
  for (const std::string& signal : article.wire().signals()) {
    if (signal == "sig:correction") f.headline.correction = true;
    if (signal == "sig:update") f.headline.update = true;
    // The decode stage's signal for a REFILE-/RPT- label it took off the headline.
    if (signal == "wire:refile") f.headline.refile = true;
  }
  f.kill_notice = f.headline.kill || IsKillNotice(first_paragraph);
  // A short body (a dividend notice, a price line) is mostly template: the
  // headline then takes part in the comparison, so that two companies' notices
  // with the same figures do not match.
  // Only long bodies get an exact-content record (kept for the retention, far
  // beyond the window): a short recurring bulletin ("FED SETS ONE BILLION DLR
  // CUSTOMER REPURCHASE") is a new event each day, not a resend.
  std::vector<std::string> tokens = NormalizedTokens(body);
  if (tokens.size() >= kShortBodyTokens) f.content_hash = TokensHash(tokens);
  if (tokens.size() < kShortBodyTokens) {
    std::vector<std::string> with_headline = NormalizedTokens(f.headline.base);
    with_headline.insert(with_headline.end(), tokens.begin(), tokens.end());
    tokens = std::move(with_headline);
  }
  f.headline_hash = TokensHash(NormalizedTokens(f.headline.base));
  f.minhash = MinHash(tokens, options.shingle_words,
                      options.index.lsh_bands * options.index.lsh_rows);
  return f;
}

v1::StoryIndexEntry Entry(v1::StoryRecord r) {
  v1::StoryIndexEntry e;
  *e.mutable_story() = std::move(r);
  return e;
}
v1::StoryIndexEntry Entry(v1::GuidRecord r) {
  v1::StoryIndexEntry e;
  *e.mutable_guid() = std::move(r);
  return e;
}

// The story index as the engine's state store "story".
class StoryIndexStore final : public StateStore {
 public:
  explicit StoryIndexStore(StoryIndex* index) : index_(index) {}
  absl::string_view name() const override { return "story"; }

  absl::Status Restore(absl::string_view key, std::optional<absl::string_view> value) override {
    v1::StoryIndexEntry entry;
    if (!value) {
      entry.set_key(std::string(key));
    } else if (value->empty()) {
      // Compaction keeps an empty value (only a null value is a tombstone).
      return absl::InvalidArgumentError(absl::StrCat(
          "story: changelog value of \"", key, "\" is empty (a deletion is a null value)"));
    } else if (!entry.ParseFromArray(value->data(), static_cast<int>(value->size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("story: changelog value of \"", key, "\" is not a StoryIndexEntry"));
    } else if (entry.key().empty()) {
      entry.set_key(std::string(key));
    } else if (entry.key() != key) {
      // Compaction and tombstones go by the Kafka key: a value filed under
      // another key would never be deleted.
      return absl::InvalidArgumentError(absl::StrCat("story: changelog key \"", key,
                                                     "\" holds a value keyed \"",
                                                     entry.key(), "\""));
    }
    return index_->Apply(entry);
  }

  std::vector<std::pair<std::string, double>> Sizes() const override {
    const StoryIndexStats s = index_->Stats();
    return {{"guids", static_cast<double>(s.guids)},
            {"stories", static_cast<double>(s.stories)},
            {"killed_stories", static_cast<double>(s.killed_stories)},
            {"contents", static_cast<double>(s.contents)},
            {"signatures", static_cast<double>(s.signatures)},
            {"embargoes", static_cast<double>(s.held_embargoes)},
            {"decisions", static_cast<double>(s.decisions)},
            {"batches", static_cast<double>(s.batches)}};
  }

 private:
  StoryIndex* const index_;
};

// Appends a write or deletion of the index to the message's state changes.
void RecordChange(const v1::StoryIndexEntry& entry, const StageContext& ctx) {
  if (ctx.state_changes == nullptr) return;
  StateChange change{"story", entry.key(), std::nullopt};
  if (entry.record_case() != v1::StoryIndexEntry::RECORD_NOT_SET) {
    change.value = entry.SerializeAsString();
  }
  ctx.state_changes->push_back(std::move(change));
}

// Whether a recorded item (item time `recorded_time`, input position `recorded`)
// comes after this item (`time`, `self`) in input order: by offset within one Kafka
// partition, else by item time (publication time, else processing time; equal
// times are not "after"). Items are processed in parallel, so a later item can be
// recorded first; a duplicate link never points to it.
bool ComesAfter(const google::protobuf::Timestamp& recorded_time,
                const v1::InputPosition& recorded, absl::Time time,
                const v1::InputPosition& self) {
  if (!recorded.topic().empty() && recorded.topic() == self.topic() &&
      recorded.partition() == self.partition()) {
    return recorded.offset() > self.offset();
  }
  return FromProtoTime(recorded_time) > time;
}

}  // namespace

StoryStage::StoryStage(StoryOptions options, StoryIndexPtr index)
    : options_(options),
      index_(std::move(index)),
      store_(std::make_unique<StoryIndexStore>(index_.get())) {}

StoryStage::~StoryStage() = default;

absl::StatusOr<std::unique_ptr<StoryStage>> StoryStage::Create(StoryOptions options,
                                                               StoryIndexPtr index) {
  if (!(options.threshold > 0 && options.threshold <= 1) ||
      !(options.version_threshold > 0 && options.version_threshold <= 1)) {
    return absl::InvalidArgumentError("story: thresholds must be in (0, 1]");
  }
  if (options.shingle_words < 1 || options.shingle_words > 16) {
    return absl::InvalidArgumentError("story: shingle_words must be in [1, 16]");
  }
  if (index == nullptr) index = std::make_shared<InMemoryStoryIndex>(options.index);
  options.index = index->options();
  const int n = options.index.lsh_bands * options.index.lsh_rows;
  if (options.index.lsh_bands < 1 || options.index.lsh_rows < 1 || n > 1024) {
    return absl::InvalidArgumentError("story: lsh_bands * lsh_rows must be in [1, 1024]");
  }
  return std::unique_ptr<StoryStage>(new StoryStage(options, std::move(index)));
}

absl::Status StoryStage::Process(v1::Article& article, const StageContext& ctx) const {
  absl::StatusOr<Features> features =
      ComputeFeatures(article, options_, FindTextAnalysis(article, ctx.analyses));
  if (!features.ok()) return features.status();
  const Features& f = *features;
  const v1::Wire& wire = article.wire();
  const std::string& id = article.id();

  absl::Time item_time = ctx.now;
  if (article.has_published_at()) {
    absl::Time published = FromProtoTime(article.published_at());
    if (published <= ctx.now + options_.max_clock_skew) item_time = published;
  }
  const google::protobuf::Timestamp item_ts = ToProtoTime(item_time);

  v1::InputPosition input;  // unset outside Kafka
  if (!article.source().topic().empty() && article.source().partition() >= 0) {
    input.set_topic(article.source().topic());
    input.set_partition(article.source().partition());
    input.set_offset(article.source().offset());
  }
  v1::GuidRecord version;  // this item's version, as a guid record
  version.set_guid(wire.guid());
  version.set_version(wire.version());
  if (wire.has_version_created()) *version.mutable_version_created() = wire.version_created();
  version.set_etag(wire.etag());
  version.set_article_id(id);
  *version.mutable_seen_at() = item_ts;
  if (!input.topic().empty()) *version.mutable_input() = input;

  const bool kill = wire.pub_status() == v1::PUB_STATUS_CANCELED || f.kill_notice;
  const bool withheld = wire.pub_status() == v1::PUB_STATUS_WITHHELD;
  const bool versioned = f.headline.versioned() || f.kill_notice;

  const bool embargoed =
      wire.has_embargo_until() && FromProtoTime(wire.embargo_until()) > ctx.now;
  auto set_hold = [&] {
    if (embargoed) {
      *article.mutable_story()->mutable_hold_until() = wire.embargo_until();
    } else {
      article.mutable_story()->clear_hold_until();
    }
  };
  std::string source_item;
  if (!article.source().topic().empty() && article.source().partition() >= 0) {
    source_item = absl::StrCat(article.source().topic(), "/", article.source().partition(), "/",
                               article.source().offset(), "/", id);
  }
  const int flags_before = article.flags_size();

  absl::MutexLock lock(&mu_);
  // The same input item again: the recorded decision, nothing new recorded.
  if (!source_item.empty()) {
    if (std::optional<v1::DecisionRecord> d = index_->FindDecision(source_item)) {
      *article.mutable_story() = d->story();
      for (const std::string& flag : d->flags()) AddFlag(article, flag);
      set_hold();
      return absl::OkStatus();
    }
  }
  high_water_ = std::max(high_water_, item_time);
  std::vector<std::string> expired;
  index_->Expire(high_water_, &expired, kExpireLimit);
  for (std::string& key : expired) {
    v1::StoryIndexEntry deletion;
    deletion.set_key(std::move(key));
    RecordChange(deletion, ctx);
  }

  enum class Kind { kNew, kNewer, kStale, kRepeat, kReplaces, kVersion, kDuplicate };
  Kind kind = Kind::kNew;
  std::string story_id;
  std::string duplicate_of;
  double similarity = 0;

  // 1. Same guid.
  std::optional<v1::GuidRecord> known;
  if (!wire.guid().empty()) known = index_->FindGuid(wire.guid());
  if (known) {
    story_id = known->story_id();
    std::optional<int> order = CompareVersions(version, *known);
    if (!known->superseded_by().empty() || (order && *order < 0)) {
      kind = Kind::kStale;
    } else if (order && *order == 0 && !known->article_id().empty()) {
      kind = Kind::kRepeat;
      // (A copy later in the input, processed first, is not what this one repeats.)
      if (!ComesAfter(known->seen_at(), known->input(), item_time, input)) {
        duplicate_of = known->article_id();
        similarity = 1;
      }
    } else {
      kind = Kind::kNewer;
    }
  }
  // 2. NITF management-doc-idref.
  if (kind == Kind::kNew && !wire.previous_guid().empty() && wire.previous_guid() != wire.guid()) {
    std::optional<v1::GuidRecord> previous = index_->FindGuid(wire.previous_guid());
    story_id = previous && !previous->story_id().empty() ? previous->story_id()
                                                          : wire.previous_guid();
    kind = Kind::kReplaces;
  }
  // 3. Content.
  if (kind == Kind::kNew) {
    std::optional<std::pair<std::string, std::string>> best;  // (story, article)
    if (f.content_hash != 0) {
      if (std::optional<v1::ContentRecord> c = index_->FindContent(f.content_hash);
          c && c->article_id() != id && !ComesAfter(c->seen_at(), c->input(), item_time, input)) {
        best.emplace(c->story_id(), c->article_id());
        similarity = 1;
      }
    }
    if (!best && !f.minhash.empty()) {
      for (auto& [sig, sim] : index_->FindSimilar(f.minhash, item_time, 4)) {
        if (sig.article_id() == id ||
            ComesAfter(sig.seen_at(), sig.input(), item_time, input)) {
          continue;
        }
        best.emplace(sig.story_id(), sig.article_id());
        similarity = sim;
        break;
      }
    }
    if (versioned) {
      if (best && similarity >= options_.version_threshold) {
        story_id = best->first;
        kind = Kind::kVersion;
      } else if (std::optional<v1::SignatureRecord> h =
                     f.headline_hash ? index_->FindHeadline(f.headline_hash, item_time)
                                     : std::nullopt;
                 h && h->article_id() != id) {
        story_id = h->story_id();
        kind = Kind::kVersion;
      }
      similarity = 0;
    } else if (best && similarity >= options_.threshold) {
      story_id = best->first;
      duplicate_of = best->second;
      kind = Kind::kDuplicate;
    } else {
      similarity = 0;
    }
  }
  if (kind == Kind::kNew) story_id = id;

  // The story as it was before this item.
  std::optional<v1::StoryRecord> before = index_->FindStory(story_id);
  v1::StoryRecord story;
  if (before) {
    story = *before;
  } else {
    story.set_story_id(story_id);
    story.set_first_article_id(kind == Kind::kReplaces ? wire.previous_guid() : id);
    *story.mutable_first_seen() = item_ts;
  }
  const bool was_killed = story.killed();
  std::string supersedes;
  uint32_t story_version = 0;
  switch (kind) {
    case Kind::kNew:
      story_version = std::max<uint32_t>(1, wire.version());
      break;
    case Kind::kStale:
      story_version = wire.version();
      break;
    case Kind::kRepeat:
    case Kind::kDuplicate:
      story_version = std::max<uint32_t>(1, story.version());
      break;
    case Kind::kNewer:
    case Kind::kReplaces:
    case Kind::kVersion:
      supersedes = story.latest_article_id();
      if (supersedes.empty() && kind == Kind::kReplaces) supersedes = wire.previous_guid();
      if (supersedes.empty() && known) supersedes = known->article_id();
      // A replaced guid never seen here was version 1 of the story.
      story_version = std::max<uint32_t>(
          std::max<uint32_t>(story.version(), kind == Kind::kReplaces ? 1 : 0) + 1,
          wire.version());
      break;
  }
  const bool supersedes_story = kind == Kind::kNew || kind == Kind::kNewer ||
                                kind == Kind::kReplaces || kind == Kind::kVersion;
  if (supersedes_story) {
    story.set_latest_article_id(id);
    story.set_version(story_version);
    story.set_withheld(withheld);
  }
  if (kill) {
    story.set_killed(true);
    if (!was_killed) {
      story.set_kill_reason(wire.pub_status() == v1::PUB_STATUS_CANCELED ? "pub_status_canceled"
                                                                          : "kill_notice");
      story.set_killed_by(id);
      *story.mutable_killed_at() = item_ts;
    }
  }
  if (withheld && !supersedes_story && kind != Kind::kStale) story.set_withheld(true);
  if (FromProtoTime(story.last_seen()) < item_time) *story.mutable_last_seen() = item_ts;

  // Record: what is kept for the retention in one batch, what is kept for the
  // window in another (v1::StoryIndexBatch: one changelog record each).
  const std::string& item = source_item.empty() ? id : source_item;
  v1::StoryIndexEntry retained_batch;
  v1::StoryIndexEntry windowed_batch;
  for (v1::StoryIndexEntry* b : {&retained_batch, &windowed_batch}) {
    b->mutable_batch()->set_item(item);
    b->mutable_batch()->set_window(b == &windowed_batch);
  }
  auto* retained = retained_batch.mutable_batch()->mutable_entries();
  auto* windowed = windowed_batch.mutable_batch()->mutable_entries();
  *retained->Add() = Entry(story);
  if (!wire.guid().empty() && kind != Kind::kStale && kind != Kind::kRepeat) {
    version.set_story_id(story_id);
    *retained->Add() = Entry(version);
  }
  if (kind == Kind::kReplaces) {
    v1::GuidRecord previous;
    previous.set_guid(wire.previous_guid());
    previous.set_story_id(story_id);
    previous.set_superseded_by(id);
    *previous.mutable_seen_at() = item_ts;
    *retained->Add() = Entry(std::move(previous));
  }
  if (kind != Kind::kStale && f.content_hash != 0) {
    v1::ContentRecord* c = retained->Add()->mutable_content();
    c->set_content_hash(f.content_hash);
    c->set_article_id(id);
    c->set_story_id(story_id);
    *c->mutable_seen_at() = item_ts;
    if (!input.topic().empty()) *c->mutable_input() = input;
  }
  if (kind != Kind::kStale && !f.minhash.empty()) {
    v1::SignatureRecord* sig = windowed->Add()->mutable_signature();
    sig->set_article_id(id);
    sig->set_story_id(story_id);
    sig->mutable_minhash()->Assign(f.minhash.begin(), f.minhash.end());
    sig->set_headline_hash(f.headline_hash);
    sig->set_content_hash(f.content_hash);
    *sig->mutable_seen_at() = item_ts;
    if (!input.topic().empty()) *sig->mutable_input() = input;
  }
  if (embargoed) {
    v1::EmbargoRecord* h = windowed->Add()->mutable_embargo();
    h->set_article_id(id);
    h->set_story_id(story_id);
    *h->mutable_embargo_until() = wire.embargo_until();
    *h->mutable_held_at() = ToProtoTime(ctx.now);
  }

  // Publish on the article.
  v1::Story* out = article.mutable_story();
  out->set_story_id(story_id);
  out->set_duplicate_of(duplicate_of);
  out->set_similarity(static_cast<float>(similarity));
  out->set_supersedes(supersedes);
  out->set_version(story_version);
  out->set_stale(kind == Kind::kStale);
  if (kind == Kind::kStale) AddFlag(article, "stale");
  if (kind == Kind::kRepeat) AddFlag(article, "version_repeated");
  if (kind == Kind::kReplaces && wire.previous_status() == v1::PUB_STATUS_CANCELED) {
    AddFlag(article, "replaces_canceled");
  }
  if (f.headline.correction) AddFlag(article, "correction");
  if (f.headline.update) AddFlag(article, "update");
  if (f.headline.refile) AddFlag(article, "refile");
  if (kill) {
    AddFlag(article, "kill");
    AddFlag(article, "retraction");
  }
  if (withheld) {
    AddFlag(article, "withheld");
    AddFlag(article, "retraction");
  }
  if (was_killed) AddFlag(article, "killed_story");
  if (embargoed) AddFlag(article, "embargoed");
  out->set_retracted(kill || withheld || was_killed);
  set_hold();

  if (!source_item.empty()) {
    v1::DecisionRecord* d = windowed->Add()->mutable_decision();
    d->set_source_item(source_item);
    *d->mutable_story() = *out;
    for (int i = flags_before; i < article.flags_size(); ++i) d->add_flags(article.flags(i));
    *d->mutable_seen_at() = item_ts;
  }
  for (const v1::StoryIndexEntry* batch : {&retained_batch, &windowed_batch}) {
    if (batch->batch().entries().empty()) continue;
    v1::StoryIndexEntry merged;
    if (absl::Status s = index_->Write(*batch, &merged); !s.ok()) {
      return absl::InternalError(absl::StrCat("story: ", s.message()));
    }
    RecordChange(merged, ctx);
  }
  return absl::OkStatus();
}

}  // namespace newsd::stages
