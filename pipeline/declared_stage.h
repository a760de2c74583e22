// A stage with its contract: wraps a stage built by a factory with the Requires /
// Provides names registered for it (pipeline/stage.h) and, optionally, a function
// run on every article the stage processed successfully (a stage's metrics, see
// pipeline/stage_metrics.h), so that a stage's logic need not know either.
// Everything else (name, payload, state store, Process) is the wrapped stage's.
#ifndef NEWSD_PIPELINE_DECLARED_STAGE_H_
#define NEWSD_PIPELINE_DECLARED_STAGE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/stage.h"

namespace newsd {

// The article fields and analyses a stage reads and fills (pipeline/stage.h).
struct StageContract {
  std::vector<std::string> required;  // Stage::Requires
  std::vector<std::string> provided;  // Stage::Provides
};

// Called after a successful Process with the article it filled; must be
// thread-safe and cheap (it runs per article on the workers).
using ArticleObserver = std::function<void(const v1::Article&)>;

class DeclaredStage : public Stage {
 public:
  // `observer` may be empty.
  DeclaredStage(StagePtr stage, StageContract contract, ArticleObserver observer = {})
      : stage_(std::move(stage)),
        contract_(std::move(contract)),
        observer_(std::move(observer)) {}

  absl::string_view name() const override { return stage_->name(); }
  bool reads_payload() const override { return stage_->reads_payload(); }
  StateStore* state_store() const override { return stage_->state_store(); }
  const std::vector<std::string>& Requires() const override { return contract_.required; }
  const std::vector<std::string>& Provides() const override { return contract_.provided; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    absl::Status status = stage_->Process(article, ctx);
    if (status.ok() && observer_) observer_(article);
    return status;
  }

  // The wrapped stage.
  const Stage& stage() const { return *stage_; }

 private:
  const StagePtr stage_;
  const StageContract contract_;
  const ArticleObserver observer_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_DECLARED_STAGE_H_
