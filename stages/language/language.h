// The "language" stage: language identification with CLD2.
#ifndef NEWSD_STAGES_LANGUAGE_LANGUAGE_H_
#define NEWSD_STAGES_LANGUAGE_LANGUAGE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/stage.h"

namespace newsd::stages {

struct LanguageOptions {
  // Below this confidence the language is "und" (option "min_confidence", in
  // [0, 1], default 0: only CLD2's own reliability test applies).
  double min_confidence = 0.0;
};

// A language guess for a text.
struct LanguageGuess {
  // BCP-47 tag ("en", "de", "zh-Hant", "he"); "und" when undetermined.
  std::string language = "und";
  // Share of the text's scored letters that CLD2 gives to `language`, in [0, 1];
  // 0 when `language` is "und".
  float confidence = 0.0f;
  // CLD2's verdict that the top language clearly beats the runner-up.
  bool reliable = false;
};

// The BCP-47 tag for a CLD2 language code: CLD2's deprecated ISO 639 codes are
// replaced ("iw" → "he", "jw" → "jv", "in" → "id", "ji" → "yi", "mo" → "ro"),
// and CLD2's "un", "" and private "xx-..." codes become "und".
std::string Cld2CodeToBcp47(absl::string_view code);

// Identifies the language of UTF-8 plain text with CLD2 (only the first 2 GiB of
// a longer text are read). `hint` is a BCP-47 tag
// (e.g. Wire.declared_language, "" for none) that boosts that language. The
// result is "und" with confidence 0 when CLD2 finds no language, is not
// reliable, or the confidence is below `min_confidence`.
// Errors: kInvalidArgument "text is not valid UTF-8 at byte N".
absl::StatusOr<LanguageGuess> DetectLanguage(absl::string_view text, absl::string_view hint,
                                             double min_confidence = 0.0);

// Sets Article.language and language_confidence from Article.text, hinted with
// Article.wire.declared_language; adds the flag "language_unreliable" when the
// result is "und" for a non-empty text.
// Errors: kInvalidArgument "text is not valid UTF-8 at byte N".
// Thread-safe (CLD2 keeps no mutable state).
class LanguageStage final : public Stage {
 public:
  explicit LanguageStage(LanguageOptions options) : options_(options) {}

  absl::string_view name() const override { return "language"; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

 private:
  LanguageOptions options_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_LANGUAGE_LANGUAGE_H_
