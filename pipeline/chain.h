// The chain: the ordered stages of the pipeline, run on one raw message at a time.
// Knows nothing of Kafka or of what the stages extract.
#ifndef NEWSD_PIPELINE_CHAIN_H_
#define NEWSD_PIPELINE_CHAIN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "newsd/v1/config.pb.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/stage.h"
#include "pipeline/stage_metrics.h"

namespace newsd {

// A raw input message, transport-neutral (filled from a Kafka message or a file).
struct RawMessage {
  std::string topic;        // "" in extract mode
  int32_t partition = -1;   // -1 when not from Kafka
  int64_t offset = -1;      // -1 when not from Kafka
  std::optional<absl::Time> timestamp;  // Kafka timestamp, if any
  std::string key;          // message key bytes (file path in extract mode)
  std::string value;        // raw article bytes
  bool value_is_null = false;  // Kafka tombstone (null value)
  std::vector<std::pair<std::string, std::string>> headers;
};

// Why the chain stopped on a message.
struct ChainFailure {
  std::string stage;    // registered name of the stage that failed
  absl::Status status;  // its non-OK status
};

// An input a stage skipped as not an article (pipeline/stage.h, NotAnArticle).
struct ChainSkip {
  std::string stage;   // registered name of the stage that skipped it
  std::string kind;    // NotAnArticleKind ("tombstone", "newsml_g2_concept", ...)
  std::string reason;  // the status message
};

struct ChainResult {
  // The event (article filled as far as the chain got; stage timings included).
  v1::ArticleEvent event;
  // Further events when a stage fanned the message out into several articles
  // (StageContext::more_articles), in item order. Empty for the usual 1:1 case.
  std::vector<v1::ArticleEvent> more_events;
  // Set when a stage rejected the message: it goes to the dead-letter topic (and
  // `skipped` means nothing).
  std::optional<ChainFailure> failure;
  // Inputs the stages skipped as not articles, in the order met: an article of the
  // message (its Process returned NotAnArticle; the article has no event), then
  // the items that stage left out (StageContext::skipped_items).
  std::vector<ChainSkip> skipped;
  // True when every article of the message was skipped: nothing is published for
  // it, neither an event nor a dead letter (`event` then holds the first article
  // as far as the chain got, `more_events` is empty). False when `failure` is set.
  bool all_skipped = false;
  // Changes the stages made to their state stores (StageContext::state_changes),
  // in the order made, also when a later stage failed.
  std::vector<StateChange> state_changes;
};

class Chain {
 public:
  // Builds every stage of `stages` in order through the StageRegistry, registering
  // the stages' metrics in `metrics` (NoopStageMetrics when null; it must outlive
  // the chain).
  // Errors: kInvalidArgument if the list is empty, does not start with a stage that
  // reads the payload (Stage::reads_payload), a stage's options are bad, or a stage
  // requires an input no earlier stage provides (Stage::Requires; message
  // "stages[i]: stage 'S' requires 'article.x', which no earlier stage provides");
  // kNotFound for an unknown stage name. Every message starts with "stages[i]".
  static absl::StatusOr<std::unique_ptr<Chain>> Create(
      const google::protobuf::RepeatedPtrField<v1::StageConfig>& stages,
      StageMetricsBackend* metrics = nullptr);

  // Runs all stages on `message`. Thread-safe. If a stage fans out, every extra
  // article runs through the stages after it; the first failure on any of them
  // fails the whole message (it goes to the dead-letter topic as one unit). A
  // stage returning NotAnArticle drops that article only (recorded in `skipped`;
  // the next article becomes `event` when the first one is dropped); the message
  // is skipped as a whole (`all_skipped`) when no article is left.
  // The article starts with `source` filled from the message; `id` =
  // "topic/partition/offset", else the key (extract mode), else
  // "item-<CityHash64 of the value, 16 hex digits>" (never empty); `published_at`
  // from a valid RFC 3339 `published-at` header (an invalid one adds the flag
  // "published_at_header_invalid"); `source.content_type` from the `content-type`
  // header. Header values and keys are bytes: ill-formed UTF-8 in them is replaced
  // by U+FFFD before it reaches a string field (pipeline/utf8.h; a content-type so
  // repaired adds the flag "content_type_header_invalid_utf8").
  ChainResult Run(const RawMessage& message, absl::Time now) const;

  // Stage names in chain order.
  std::vector<std::string> StageNames() const;

  // The stages' state stores (Stage::state_store), in chain order.
  std::vector<StateStore*> StateStores() const;

 private:
  explicit Chain(std::vector<StagePtr> stages) : stages_(std::move(stages)) {}
  // Runs stages_[first..] on `event`'s article; appends fanned-out articles to
  // `more` with the index of the stage to resume at, and skips (a NotAnArticle
  // status, then the stage's StageContext::skipped_items) to `skipped`. Returns the
  // status that stopped the chain, NotAnArticle included.
  std::optional<ChainFailure> RunFrom(size_t first, v1::ArticleEvent& event,
                                      StageContext& ctx,
                                      std::vector<std::pair<size_t, v1::Article>>* more,
                                      std::vector<ChainSkip>* skipped) const;
  std::vector<StagePtr> stages_;
};

// Case-insensitive lookup of the first header named `name`; nullptr if absent.
const std::string* FindHeader(
    const std::vector<std::pair<std::string, std::string>>& headers,
    absl::string_view name);

// The pipeline version string stamped on every event (CMake PROJECT_VERSION).
absl::string_view PipelineVersion();

}  // namespace newsd

#endif  // NEWSD_PIPELINE_CHAIN_H_
