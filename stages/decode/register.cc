// Registers the "decode" stage. Options: proto/newsd/v1/decode_options.proto
// (defaults, ranges and docs there; decode.h documents their effect).
#include <memory>

#include "newsd/v1/decode_options.pb.h"
#include "pipeline/stage_registry.h"
#include "stages/decode/decode.h"

namespace newsd::stages {
namespace {

absl::StatusOr<BuiltStage> CreateDecodeStage(const v1::DecodeStageOptions& options,
                                             const StageMetrics& /*metrics*/) {
  DecodeOptions o;
  o.max_bytes = options.max_bytes();
  o.oversize = options.oversize() == "truncate" ? DecodeOptions::Oversize::kTruncate
                                                : DecodeOptions::Oversize::kReject;
  o.not_articles = options.not_articles() == "dead_letter"
                       ? DecodeOptions::NotArticles::kDeadLetter
                       : DecodeOptions::NotArticles::kSkip;
  o.text.max_text_bytes = options.max_text_bytes();
  o.text.max_paragraphs = options.max_paragraphs();
  o.limits.max_items = options.max_items();
  o.limits.xml_max_depth = static_cast<int>(options.xml_max_depth());
  o.limits.json_max_depth = static_cast<int>(options.json_max_depth());
  o.limits.charset.min_detect_confidence = static_cast<int32_t>(options.charset_min_confidence());
  o.limits.charset.max_invalid_ratio = options.max_invalid_ratio();
  return StagePtr(std::make_unique<DecodeStage>(o));
}

const TypedStageRegistration<v1::DecodeStageOptions> kReg(
    "decode",
    StageContract{{},
                  {"article.text", "article.headline", "article.paragraphs",
                   "article.dateline", "article.wire", "article.published_at",
                   "article.format"}},
    &CreateDecodeStage);

}  // namespace
}  // namespace newsd::stages
