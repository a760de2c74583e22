// The Stage interface: one step of the extraction chain.
//
// A stage is constructed once from its StageConfig by the factory registered under
// its name (see stage_registry.h) and then shared, const, by all worker threads:
// Process() must be thread-safe and must not touch Kafka.
//
// Inputs that are not articles. Some inputs are well-formed but carry no article:
// a null value (a compaction tombstone on the input topic), a NewsML-G2
// conceptItem, planningItem or packageItem. They are neither errors nor events. A
// stage says so by returning NotAnArticle(kind, reason) from Process; the engine
// then publishes nothing for that article (no event, no dead letter), commits the
// message's offset in order like any processed message (exactly-once: in the
// transaction) and counts it in newsd_inputs_skipped_total{stage, kind};
// `newsd extract` prints "PATH: skipped by stage STAGE: not an article (KIND):
// REASON" on stderr and does not count it as a failure. Items of a multi-item
// message that are not articles while others are go to
// StageContext::skipped_items instead (the articles are published).
#ifndef NEWSD_PIPELINE_STAGE_H_
#define NEWSD_PIPELINE_STAGE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "newsd/v1/article.pb.h"
#include "pipeline/state_store.h"

namespace newsd {

// Analyses of one article that stages share without publishing them (the token
// stream of stages/common/tokens.h, built by the segment stage and read by the
// later NLP stages). Type-erased: the engine creates one empty holder per article
// (each fan-out article gets its own) and never looks inside; a stage stores at
// most one value per C++ type. A handful of entries at most, found by a linear
// scan (no map, no lock).
//
// Ownership: the holder owns its values; a pointer or reference to one stays
// valid until that type is erased or replaced, or the holder is destroyed.
// Thread-safety: none; one article is processed by one thread.
class Analyses {
 public:
  Analyses() = default;
  Analyses(const Analyses&) = delete;
  Analyses& operator=(const Analyses&) = delete;

  // The value of type T, or nullptr if none is stored.
  template <typename T>
  const T* Find() const {
    for (const Entry& e : entries_) {
      if (e.key == Key<T>()) return static_cast<const T*>(e.value.get());
    }
    return nullptr;
  }

  // Stores T{args...}, replacing a value of type T stored before; returns it.
  template <typename T, typename... Args>
  T& Emplace(Args&&... args) {
    std::shared_ptr<T> value = std::make_shared<T>(std::forward<Args>(args)...);
    T& ref = *value;
    for (Entry& e : entries_) {
      if (e.key == Key<T>()) {
        e.value = std::move(value);
        return ref;
      }
    }
    entries_.push_back(Entry{Key<T>(), std::move(value)});
    return ref;
  }

  // Drops the value of type T, if any (a stage that invalidates it).
  template <typename T>
  void Erase() {
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].key == Key<T>()) {
        entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
    }
  }

  // Number of values stored.
  size_t size() const { return entries_.size(); }

 private:
  // One distinct address per type: the key.
  template <typename T>
  static const void* Key() {
    static const char key = 0;
    return &key;
  }
  struct Entry {
    const void* key;
    std::shared_ptr<void> value;  // type-erased, deleted as a T
  };
  std::vector<Entry> entries_;
};

// What a stage may read besides the article: the raw message, independent of its
// transport (Kafka message, file in `newsd extract`, test literal).
struct StageContext {
  // The raw item bytes exactly as received (the Kafka value or the file contents).
  absl::string_view payload;
  // True when the transport delivered a null value (a Kafka tombstone), as opposed
  // to an empty one; `payload` is empty then.
  bool payload_is_null = false;
  // Transport headers as (name, value) pairs, in arrival order (Kafka headers;
  // empty in extract mode). Names are compared case-insensitively by readers.
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  // Processing start time of this message (wall clock).
  absl::Time now = absl::UnixEpoch();
  // Fan-out: a stage that finds several items in one message (a NewsML-G2
  // newsMessage, an RSS feed) fills `article` with the first item and appends the
  // others here, each a complete Article with `source` copied from `article` and
  // its own `id`. The engine runs every appended article through the remaining
  // stages and publishes one event per article (all acknowledged before the
  // message's offset is committed). Null when fan-out is not possible.
  std::vector<v1::Article>* more_articles = nullptr;
  // State changes: a stage with a state store (Stage::state_store) appends every
  // change it makes to its store while processing this message; the engine
  // persists them with the message's outputs (pipeline/state_store.h). Null when
  // nothing persists them (extract mode, tests): the stage then keeps its state in
  // memory only.
  std::vector<StateChange>* state_changes = nullptr;
  // Items of this message that are not articles while others are (a NewsML-G2
  // newsMessage holding a conceptItem besides newsItems): the stage leaves them out
  // of `article` and `more_articles` and appends one NotAnArticle(kind, reason)
  // status per item here; the engine counts each like a skipped message and
  // publishes the message's articles. Kept (and counted) also when Process returns
  // NotAnArticle for the message, ignored when it returns another error. Null when
  // nothing collects them (the stage may then flag the article instead).
  std::vector<absl::Status>* skipped_items = nullptr;
  // Analyses of the article being processed, shared with the later stages (see
  // Analyses): a fresh, empty holder per article, owned by the engine. Null when
  // nothing holds them (a stage called directly): a stage then builds what it
  // needs itself.
  Analyses* analyses = nullptr;
};

// A status saying "this input is not an article: skip it" (see the top of this
// file). `kind` is a short snake_case label naming what the input is
// ("tombstone", "newsml_g2_concept"; "" becomes "unspecified"); it becomes a
// metric label value, so a stage uses a small fixed set of them. `reason` is a sentence for logs and `newsd
// extract` ("NewsML-G2 conceptItem: a concept, not a news item"). The code is
// kInvalidArgument, so that code which does not look for the mark treats the input
// as bad (a dead letter, the behaviour before the mark existed); the kind travels
// as the status payload kNotAnArticlePayload.
absl::Status NotAnArticle(absl::string_view kind, absl::string_view reason);

// The payload type URL under which NotAnArticle stores the kind.
inline constexpr absl::string_view kNotAnArticlePayload = "newsd.not_an_article";

// True when `status` was made by NotAnArticle.
bool IsNotAnArticle(const absl::Status& status);

// The kind given to NotAnArticle; "" when `status` is not such a status.
std::string NotAnArticleKind(const absl::Status& status);

class Stage {
 public:
  virtual ~Stage() = default;

  // The registered name ("decode", "segment", ...), used in metrics and dead letters.
  virtual absl::string_view name() const = 0;

  // True for a stage that turns StageContext::payload into the article (decode).
  // A chain must start with one: every later stage only reads the article.
  virtual bool reads_payload() const { return false; }

  // The stage's contract with the chain: the article fields and analyses it reads
  // (Requires) and fills (Provides), as names from the vocabulary below. Chain::Create
  // refuses a stage whose every required name no earlier stage provides (the stage
  // reading the payload provides what it decodes). Only what a stage cannot do its
  // job without is required; fields it reads when present (the language, sentences,
  // entities) are not. Both default to none (a stage registered without a contract).
  //
  // Vocabulary ("article.<field>" is the Article proto field of that name; an
  // "analysis.<name>" is shared through StageContext and not necessarily published):
  //   article.text, article.headline, article.paragraphs, article.dateline,
  //   article.wire, article.published_at, article.format   filled by decode
  //   article.sentences        segment          article.language    language
  //   article.entities         entities         article.quotes      quotes
  //   article.times            times            article.story       story
  //   analysis.tokens          segment: the article's token stream in
  //                            StageContext::analyses (code-point spans, sentence
  //                            index, folded form, shape), built once for every later
  //                            stage; entities, quotes, times and story read it but
  //                            build it themselves when absent, so do not require it
  // Thread-safe; the vectors are the stage's own (stable for its lifetime).
  virtual const std::vector<std::string>& Requires() const;
  virtual const std::vector<std::string>& Provides() const;

  // The stage's state store, if it keeps state between messages (owned by the
  // stage, thread-safe); nullptr for a stateless stage.
  virtual StateStore* state_store() const { return nullptr; }

  // Reads and enriches `article` in place.
  // Returns OK to continue the chain. NotAnArticle(kind, reason) stops the chain
  // for this article and skips it (no event, no dead letter; see the top of this
  // file). Any other status stops the chain and sends the raw message to the
  // dead-letter topic with this stage's name and the status code:
  //   kInvalidArgument  the input is bad (unparseable, empty, wrong encoding);
  //   kResourceExhausted the input exceeds a configured limit;
  //   kInternal         a bug in the stage.
  // Articles appended to ctx.more_articles are dropped when Process returns a
  // non-OK status.
  virtual absl::Status Process(v1::Article& article, const StageContext& ctx) const = 0;
};

using StagePtr = std::unique_ptr<const Stage>;

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STAGE_H_
