#include "pipeline/chain.h"

#include <set>

#include "absl/hash/internal/city.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "pipeline/stage_registry.h"
#include "pipeline/utf8.h"

namespace newsd {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

google::protobuf::Duration ToProto(absl::Duration d) {
  return TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(d));
}

// Every name a stage requires is provided by an earlier stage.
absl::Status CheckContracts(const std::vector<StagePtr>& stages) {
  std::set<std::string, std::less<>> provided;
  for (size_t i = 0; i < stages.size(); ++i) {
    for (const std::string& input : stages[i]->Requires()) {
      if (provided.count(input) == 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "stages[", i, "]: stage '", stages[i]->name(), "' requires '", input,
            "', which no earlier stage provides (put a stage that provides it before it)"));
      }
    }
    provided.insert(stages[i]->Provides().begin(), stages[i]->Provides().end());
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view PipelineVersion() { return NEWSD_VERSION; }

const std::string* FindHeader(
    const std::vector<std::pair<std::string, std::string>>& headers,
    absl::string_view name) {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, name)) return &v;
  }
  return nullptr;
}

absl::StatusOr<std::unique_ptr<Chain>> Chain::Create(
    const google::protobuf::RepeatedPtrField<v1::StageConfig>& stages,
    StageMetricsBackend* metrics) {
  if (stages.empty()) return absl::InvalidArgumentError("stages: the chain is empty");
  if (metrics == nullptr) metrics = &NoopStageMetrics::Global();
  std::vector<StagePtr> built;
  for (int i = 0; i < stages.size(); ++i) {
    absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(stages[i], *metrics);
    if (!stage.ok()) {
      return absl::Status(stage.status().code(),
                          absl::StrCat("stages[", i, "]: ", stage.status().message()));
    }
    built.push_back(*std::move(stage));
  }
  if (!built.front()->reads_payload()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stages[0]: '", built.front()->name(),
        "' does not read the raw payload; the chain must start with a stage that does "
        "(\"decode\"), or every article would be empty"));
  }
  if (absl::Status s = CheckContracts(built); !s.ok()) return s;
  std::set<std::string, std::less<>> store_names = {"held"};  // the engine's own
  for (size_t i = 0; i < built.size(); ++i) {
    const StateStore* store = built[i]->state_store();
    if (store != nullptr && !store_names.emplace(store->name()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stages[", i, "]: state store name '", store->name(),
          "' is already used (each stateful stage may appear once in the chain)"));
    }
  }
  return std::unique_ptr<Chain>(new Chain(std::move(built)));
}

std::vector<std::string> Chain::StageNames() const {
  std::vector<std::string> names;
  for (const auto& s : stages_) names.emplace_back(s->name());
  return names;
}

ChainResult Chain::Run(const RawMessage& message, absl::Time now) const {
  ChainResult result;
  v1::ArticleEvent& event = result.event;
  event.set_pipeline_version(std::string(PipelineVersion()));
  v1::Article& article = *event.mutable_article();

  v1::Source& source = *article.mutable_source();
  source.set_topic(message.topic);
  source.set_partition(message.partition);
  source.set_offset(message.offset);
  if (message.timestamp) *source.mutable_timestamp() = ToProto(*message.timestamp);
  source.set_key(message.key);
  source.set_size_bytes(message.value.size());
  if (const std::string* ct = FindHeader(message.headers, "content-type")) {
    // Header values are bytes; Source.content_type is a proto3 string (UTF-8 only).
    size_t replaced = 0;
    source.set_content_type(ReplaceInvalidUtf8(*ct, &replaced));
    if (replaced > 0) article.add_flags("content_type_header_invalid_utf8");
  }
  if (message.partition >= 0) {
    article.set_id(absl::StrCat(message.topic, "/", message.partition, "/", message.offset));
  } else if (!message.key.empty()) {
    // A file path in extract mode: bytes on Linux, Article.id is a string.
    article.set_id(ReplaceInvalidUtf8(message.key));
  } else {
    // Neither a Kafka position nor a key: a content id, the same in every process.
    article.set_id(absl::StrCat(
        "item-", absl::Hex(absl::hash_internal::CityHash64(message.value.data(),
                                                           message.value.size()),
                           absl::kZeroPad16)));
  }
  if (const std::string* pub = FindHeader(message.headers, "published-at")) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(absl::RFC3339_full, *pub, &t, &err)) {
      *article.mutable_published_at() = ToProto(t);
    } else {
      article.add_flags("published_at_header_invalid");
    }
  }

  StageContext ctx;
  ctx.payload = message.value;
  ctx.payload_is_null = message.value_is_null;
  ctx.headers = &message.headers;
  ctx.now = now;
  ctx.state_changes = &result.state_changes;

  std::vector<std::pair<size_t, v1::Article>> more;
  std::optional<ChainFailure> stop = RunFrom(0, event, ctx, &more, &result.skipped);
  const bool first_skipped = stop && IsNotAnArticle(stop->status);
  if (!first_skipped) result.failure = std::move(stop);
  // Fanned-out articles: each resumes after the stage that produced it (a later
  // stage may fan out again, so this is a work list, not a single pass).
  for (size_t i = 0; i < more.size() && !result.failure; ++i) {
    v1::ArticleEvent& extra = result.more_events.emplace_back();
    extra.set_pipeline_version(event.pipeline_version());
    // Timings of the stages the extra article shared with the first one.
    for (size_t t = 0; t < more[i].first && t < static_cast<size_t>(event.stages_size()); ++t) {
      *extra.add_stages() = event.stages(t);
    }
    *extra.mutable_article() = std::move(more[i].second);
    stop = RunFrom(more[i].first, extra, ctx, &more, &result.skipped);
    if (stop && IsNotAnArticle(stop->status)) {
      result.more_events.pop_back();  // this article only: skipped
      continue;
    }
    result.failure = std::move(stop);
    *extra.mutable_processed_at() = ToProto(absl::Now());
  }
  if (first_skipped && !result.failure) {
    if (result.more_events.empty()) {
      result.all_skipped = true;
    } else {
      // The first article was skipped: the next one takes its place.
      event = std::move(result.more_events.front());
      result.more_events.erase(result.more_events.begin());
    }
  }
  *event.mutable_processed_at() = ToProto(absl::Now());
  return result;
}

std::optional<ChainFailure> Chain::RunFrom(
    size_t first, v1::ArticleEvent& event, StageContext& ctx,
    std::vector<std::pair<size_t, v1::Article>>* more, std::vector<ChainSkip>* skipped) const {
  v1::Article& article = *event.mutable_article();
  std::vector<v1::Article> fanned;
  std::vector<absl::Status> skipped_items;
  Analyses analyses;  // this article's only: a fan-out article runs with its own
  ctx.more_articles = &fanned;
  ctx.skipped_items = &skipped_items;
  ctx.analyses = &analyses;
  std::optional<ChainFailure> stop;
  for (size_t i = first; i < stages_.size(); ++i) {
    const StagePtr& stage = stages_[i];
    const absl::Time start = absl::Now();
    absl::Status status;
    try {
      status = stage->Process(article, ctx);
    } catch (const std::exception& e) {
      // A stage must not throw; turn it into a dead letter rather than a crash loop.
      status = absl::InternalError(absl::StrCat("uncaught exception: ", e.what()));
    }
    v1::StageTiming& timing = *event.add_stages();
    timing.set_stage(std::string(stage->name()));
    *timing.mutable_duration() = ToProto(absl::Now() - start);
    const bool not_an_article = IsNotAnArticle(status);
    if (not_an_article) {
      skipped->push_back({std::string(stage->name()), NotAnArticleKind(status),
                          std::string(status.message())});
    }
    if (status.ok() || not_an_article) {
      for (const absl::Status& item : skipped_items) {
        if (!IsNotAnArticle(item)) continue;  // not a skip: ignored
        skipped->push_back({std::string(stage->name()), NotAnArticleKind(item),
                            std::string(item.message())});
      }
    }
    skipped_items.clear();
    if (!status.ok()) {
      stop = ChainFailure{std::string(stage->name()), std::move(status)};
      break;
    }
    for (v1::Article& a : fanned) more->emplace_back(i + 1, std::move(a));
    fanned.clear();
  }
  ctx.more_articles = nullptr;
  ctx.skipped_items = nullptr;
  ctx.analyses = nullptr;
  return stop;
}

std::vector<StateStore*> Chain::StateStores() const {
  std::vector<StateStore*> stores;
  for (const StagePtr& stage : stages_) {
    if (StateStore* store = stage->state_store()) stores.push_back(store);
  }
  return stores;
}

}  // namespace newsd
