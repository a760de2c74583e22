// The "segment" stage: sentence spans over the headline and each body paragraph.
#ifndef NEWSD_STAGES_SEGMENT_SEGMENT_H_
#define NEWSD_STAGES_SEGMENT_SEGMENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "pipeline/stage.h"
#include "unicode/brkiter.h"

namespace newsd::stages {

struct SegmentOptions {
  // BCP-47 tag of the ICU sentence rules (option "locale", default "en"). CLDR's
  // sentence-break suppressions for it ("@ss=standard") are switched on.
  std::string locale = "en";
  // More abbreviations that never end a sentence, as written with their final
  // period, case-sensitive (option "abbreviations", comma-separated:
  // "Calif.,Gov.").
  std::vector<std::string> extra_abbreviations;
};

// Abbreviations (beyond the dotted-initials rule below) after which a sentence
// never ends, case-sensitive: titles ("Mr.", "Gen.", "Sen."), months ("Jan.",
// "Sept."), U.S. state abbreviations ("Calif.", "Mass."), "St.", "Jr.", "e.g." ...
// Company suffixes ("Inc.", "Corp.") are left out: they often do end a sentence.
const std::vector<absl::string_view>& DefaultAbbreviations();

// Finds sentence spans with ICU's sentence BreakIterator for the locale, made
// abbreviation-safe in two layers:
//  1. ICU/CLDR suppressions ("en@ss=standard": "Mr.", "U.S.", "Jan." ...);
//  2. this class's own check of every remaining break, which ICU 72 needs because
//     its filter misses abbreviations that prefix a longer entry ("Lt." vs
//     "Lt.Cdr.", "U.S." vs "U.S.A.") and lacks "Gen.", "Sen.", "Dr." ...: a break
//     is dropped when the word before it (opening brackets/quotes ignored) is in
//     DefaultAbbreviations() or the extra list, or is made only of uppercase
//     initials with periods ("F.", "U.S.", "D.C.", "N.Y.").
// Consequence: "He moved to the U.S. Then ..." stays one sentence.
//
// Thread-safe: the stage holds a prototype iterator and clones it for each call
// (BreakIterator is not thread-safe).
class SegmentStage final : public Stage {
 public:
  // Errors: kInvalidArgument for a malformed locale tag; kInternal if ICU's
  // break rules cannot be loaded.
  static absl::StatusOr<std::unique_ptr<SegmentStage>> Create(SegmentOptions options);

  absl::string_view name() const override { return "segment"; }

  // Replaces Article.sentences with the sentences of the headline and of each
  // paragraph, in order. A sentence never crosses a unit (headline or paragraph)
  // boundary; leading and trailing white space is trimmed off each sentence and
  // empty ones are dropped. A dateline span opening a paragraph is in no
  // sentence: the paragraph's first sentence starts after it. If the article has
  // neither headline nor paragraphs, the whole text is segmented as one unit.
  // Errors (kInvalidArgument): "headline [b, e) out of range ..." /
  // "paragraphs[i] ..." for spans that do not fit the text or overlap; "text is
  // not valid UTF-8 at byte N"; a text of 2 GiB or more.
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

  // Sentence spans (code points into UTF-8 `text`) of each of `units` (code
  // point spans, in increasing order, not overlapping).
  // Errors: as Process, units being named "units[i]".
  absl::StatusOr<std::vector<v1::Span>> Segment(absl::string_view text,
                                                absl::Span<const v1::Span> units) const;

 private:
  SegmentStage(std::unique_ptr<icu::BreakIterator> prototype,
               absl::flat_hash_set<std::string> abbreviations)
      : prototype_(std::move(prototype)), abbreviations_(std::move(abbreviations)) {}

  std::unique_ptr<icu::BreakIterator> NewIterator() const;
  // True if the ICU break at UTF-16 offset `at` follows an abbreviation.
  bool IsSuppressed(const icu::UnicodeString& text, int32_t unit_begin, int32_t at) const;

  mutable absl::Mutex mu_;
  // Cloned per call; ICU does not promise that clone() may run concurrently.
  const std::unique_ptr<icu::BreakIterator> prototype_ ABSL_GUARDED_BY(mu_);
  const absl::flat_hash_set<std::string> abbreviations_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_SEGMENT_SEGMENT_H_
