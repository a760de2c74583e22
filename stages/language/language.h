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
  // [0, 1], default 0: only the reliability test of DetectLanguage applies).
  double min_confidence = 0.0;
  // A second language with at least this share of the text is reported as the
  // secondary language (option "secondary_min_share", in [0.01, 1], default 0.1).
  double secondary_min_share = 0.1;
};

// A language guess for a text.
struct LanguageGuess {
  // BCP-47 tag ("en", "de", "zh-Hant", "he") of the language with the largest
  // share of the text; "und" when undetermined.
  std::string language = "und";
  // Share of the text's scored letters that CLD2 gives to `language` (bytes of
  // UTF-8, as CLD2 counts them), in [0, 1]; 0 when `language` is "und".
  float confidence = 0.0f;
  // The language with the next largest share, when that share is at least the
  // `secondary_min_share` asked for; "" otherwise (and when `language` is "und").
  std::string secondary_language;
  // Share of the text CLD2 gives to `secondary_language`, measured like
  // `confidence`; 0 when there is none.
  float secondary_share = 0.0f;
  // CLD2's own verdict on its summary language: false for a text split between
  // languages with none of them in the majority, even if each is clear.
  bool reliable = false;
};

// The BCP-47 tag for a CLD2 language code: CLD2's deprecated ISO 639 codes are
// replaced ("iw" → "he", "jw" → "jv", "in" → "id", "ji" → "yi", "mo" → "ro"),
// and CLD2's "un", "" and private "xx-..." codes become "und".
std::string Cld2CodeToBcp47(absl::string_view code);

// Identifies the languages of UTF-8 plain text with CLD2 (only the first 2 GiB
// of a longer text are read). `hint` is a BCP-47 tag (e.g.
// Wire.declared_language, "" for none) that boosts that language. CLD2 gives up
// to three languages with their shares of the text; `language` is the one with
// the largest share (not CLD2's summary language, which prefers another
// language to English as soon as that has 17% of the text) and
// `secondary_language` the next one, if its share is at least
// `secondary_min_share`. The result is "und" with confidence 0 when CLD2 finds
// no language, when the top share is below `min_confidence`, or when the
// answer is not reliable: it is when CLD2 says so, or when the text is split
// between languages that CLD2 kept (each passed its own reliability test),
// that together cover at least 80% of it and whose top two are written in
// different scripts (ICU's likely script: a Russian article with a long Arabic
// quotation, which CLD2 calls unreliable when neither has a clear majority).
// An even split between languages of one script (Swedish and Norwegian) stays
// "und".
// Well-formed text with noncharacters (U+FFFE, U+FDD0, U+10FFFF...) or control
// characters, which CLD2's own UTF-8 check refuses, is detected as if each such
// code point were spaces.
// Errors: kInvalidArgument "text is not valid UTF-8 at byte N" (ill-formed UTF-8
// only).
absl::StatusOr<LanguageGuess> DetectLanguage(absl::string_view text, absl::string_view hint,
                                             double min_confidence = 0.0,
                                             double secondary_min_share = 0.1);

// The primary language subtag of a BCP-47 (or ISO 639-2) tag in canonical form,
// for comparing languages: "en-US" → "en", "eng" → "en", "ger" → "de", "iw" →
// "he", "zh-Hant" → "zh", "nb" and "nn" → "no" (CLD2 knows Norwegian as "no" and
// "nn"); "" for "", "und", "mul", "zxx", private-use tags ("x-klingon") and
// what is no language code ("English").
std::string PrimaryLanguage(absl::string_view tag);

// Sets Article.language, language_confidence, secondary_language and
// secondary_language_share from Article.text, hinted with
// Article.wire.declared_language. Flags:
//   language_unreliable  the result is "und" for a non-empty text;
//   language_mismatch    the item declares a language (Wire.declared_language)
//                        whose primary subtag (PrimaryLanguage) differs from
//                        the detected one ("en" declared, "de" detected).
// Later stages that do not process an article because of its language add
// "<stage>_skipped_language" (entities_skipped_language,
// times_skipped_language).
// Well-formed text with noncharacters (U+FFFE, U+FDD0, U+10FFFF...) or control
// characters, which CLD2's own UTF-8 check refuses, is detected as if each such
// code point were spaces.
// Errors: kInvalidArgument "text is not valid UTF-8 at byte N" (ill-formed UTF-8
// only).
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
