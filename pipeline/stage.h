// The Stage interface: one step of the extraction chain.
//
// A stage is constructed once from its StageConfig by the factory registered under
// its name (see stage_registry.h) and then shared, const, by all worker threads:
// Process() must be thread-safe and must not touch Kafka.
#ifndef NEWSD_PIPELINE_STAGE_H_
#define NEWSD_PIPELINE_STAGE_H_

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
};

class Stage {
 public:
  virtual ~Stage() = default;

  // The registered name ("decode", "segment", ...), used in metrics and dead letters.
  virtual absl::string_view name() const = 0;

  // True for a stage that turns StageContext::payload into the article (decode).
  // A chain must start with one: every later stage only reads the article.
  virtual bool reads_payload() const { return false; }

  // The stage's state store, if it keeps state between messages (owned by the
  // stage, thread-safe); nullptr for a stateless stage.
  virtual StateStore* state_store() const { return nullptr; }

  // Reads and enriches `article` in place.
  // Returns OK to continue the chain. Any other status stops the chain and sends the
  // raw message to the dead-letter topic with this stage's name and the status code:
  //   kInvalidArgument  the input is bad (unparseable, empty, wrong encoding);
  //   kResourceExhausted the input exceeds a configured limit;
  //   kInternal         a bug in the stage.
  virtual absl::Status Process(v1::Article& article, const StageContext& ctx) const = 0;
};

using StagePtr = std::unique_ptr<const Stage>;

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STAGE_H_
