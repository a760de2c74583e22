// Registers the "decode" stage. Options (all optional; decode.h documents them):
//   max_bytes, oversize, max_text_bytes, max_paragraphs, max_items, xml_max_depth,
//   json_max_depth, charset_min_confidence, max_invalid_ratio, not_articles.
#include <memory>

#include "pipeline/stage_registry.h"
#include "stages/common/options.h"
#include "stages/decode/decode.h"

namespace newsd::stages {
namespace {

absl::StatusOr<StagePtr> CreateDecodeStage(const v1::StageConfig& config) {
  if (absl::Status s = CheckStageOptions(
          config, {"max_bytes", "oversize", "max_text_bytes", "max_paragraphs", "max_items",
                   "xml_max_depth", "json_max_depth", "charset_min_confidence",
                   "max_invalid_ratio", "not_articles"});
      !s.ok()) {
    return s;
  }
  DecodeOptions o;
  absl::StatusOr<uint64_t> max_bytes =
      GetUint64Option(config, "max_bytes", o.max_bytes, 1, uint64_t{1} << 30);
  absl::StatusOr<uint64_t> max_text_bytes =
      GetUint64Option(config, "max_text_bytes", o.text.max_text_bytes, 1024, uint64_t{1} << 28);
  absl::StatusOr<uint64_t> max_paragraphs =
      GetUint64Option(config, "max_paragraphs", o.text.max_paragraphs, 1, 1000000);
  absl::StatusOr<uint64_t> max_items =
      GetUint64Option(config, "max_items", o.limits.max_items, 1, 100000);
  absl::StatusOr<uint64_t> xml_max_depth =
      GetUint64Option(config, "xml_max_depth", o.limits.xml_max_depth, 8, 256);
  absl::StatusOr<uint64_t> json_max_depth =
      GetUint64Option(config, "json_max_depth", o.limits.json_max_depth, 2, 1000);
  absl::StatusOr<uint64_t> min_confidence = GetUint64Option(
      config, "charset_min_confidence", o.limits.charset.min_detect_confidence, 0, 100);
  absl::StatusOr<double> max_invalid_ratio =
      GetDoubleOption(config, "max_invalid_ratio", o.limits.charset.max_invalid_ratio, 0, 1);
  for (const absl::Status& s :
       {max_bytes.status(), max_text_bytes.status(), max_paragraphs.status(), max_items.status(),
        xml_max_depth.status(), json_max_depth.status(), min_confidence.status(),
        max_invalid_ratio.status()}) {
    if (!s.ok()) return s;
  }
  const std::string oversize = GetStringOption(config, "oversize", "reject");
  if (oversize != "reject" && oversize != "truncate") {
    return absl::InvalidArgumentError(absl::StrCat(
        "options[\"oversize\"]: expected \"reject\" or \"truncate\", got \"", oversize, "\""));
  }
  const std::string not_articles = GetStringOption(config, "not_articles", "skip");
  if (not_articles != "skip" && not_articles != "dead_letter") {
    return absl::InvalidArgumentError(
        absl::StrCat("options[\"not_articles\"]: expected \"skip\" or \"dead_letter\", got \"",
                     not_articles, "\""));
  }
  o.not_articles = not_articles == "dead_letter" ? DecodeOptions::NotArticles::kDeadLetter
                                                 : DecodeOptions::NotArticles::kSkip;
  o.max_bytes = *max_bytes;
  o.oversize = oversize == "truncate" ? DecodeOptions::Oversize::kTruncate
                                      : DecodeOptions::Oversize::kReject;
  o.text.max_text_bytes = *max_text_bytes;
  o.text.max_paragraphs = *max_paragraphs;
  o.limits.max_items = *max_items;
  o.limits.xml_max_depth = static_cast<int>(*xml_max_depth);
  o.limits.json_max_depth = static_cast<int>(*json_max_depth);
  o.limits.charset.min_detect_confidence = static_cast<int32_t>(*min_confidence);
  o.limits.charset.max_invalid_ratio = *max_invalid_ratio;
  return std::make_unique<DecodeStage>(o);
}

const StageRegistration kReg("decode", &CreateDecodeStage);

}  // namespace
}  // namespace newsd::stages
