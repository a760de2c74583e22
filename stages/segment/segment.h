// The "segment" stage: sentence spans over the headline and each body paragraph.
#ifndef NEWSD_STAGES_SEGMENT_SEGMENT_H_
#define NEWSD_STAGES_SEGMENT_SEGMENT_H_

#include <memory>
#include <optional>
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
  // BCP-47 tag of the ICU sentence rules (option "locale", default "en"). For
  // other languages than English, CLDR's sentence-break suppressions for it
  // ("@ss=standard") are switched on; for English the checks below replace them.
  std::string locale = "en";
  // More abbreviations that never end a sentence, as written with their final
  // period, case-sensitive (option "abbreviations", comma-separated:
  // "Calif.,Gov."). One of MayEndAbbreviations() named here never ends one either.
  std::vector<std::string> extra_abbreviations;
  // Publish the token stream the stage builds for the later stages as
  // Article.tokens (option "publish_tokens", default false).
  bool publish_tokens = false;
};

// Abbreviations after which a sentence never ends, case-sensitive: titles and
// ranks ("Mr.", "Gen.", "Sen."), "Mt.", "Ft.", abbreviated first names ("Geo.",
// "Alex."), and Latin and reference abbreviations ("e.g.", "vs.", "No.", "Fig.").
const std::vector<absl::string_view>& DefaultAbbreviations();

// Abbreviations that end a sentence only when the next word starts one
// (case-sensitive): "Jr.", "Sr.", "St.", "Ph.D.", months ("Jan.", "Sept.") and
// weekdays ("Fri."), U.S. states ("Calif.", "Mass."), "Co.", "Bros." and address
// suffixes ("Ave."), "a.m.", "p.m.", "etc.". Dotted uppercase initials ("F.",
// "U.S.", "D.C.", "N.Y.") are treated alike. ("Inc.", "Corp.", "Ltd." are in
// neither list: a capital after them starts a sentence, as ICU has it.)
const std::vector<absl::string_view>& MayEndAbbreviations();

// Finds sentence spans with ICU's sentence BreakIterator for the locale, then
// checks every break that follows a word ending in a period. The word is taken
// without opening brackets, quotes or "<" ("(U.S.", "<N.Z."), in capitals also
// as titlecased ("ST." as "St."), and if it is none of the abbreviations below,
// by its last part after "-" or "/" ("EC-U.S.", "Tampa/St."):
//  - after one of DefaultAbbreviations() or the extra list: no break;
//  - after one of MayEndAbbreviations() or dotted initials: a break only when the
//    next word starts a sentence. It does when it is one of a closed list of
//    capitalised function words that seldom follow a noun mid-sentence and never
//    continue a name: "The", "A", "He", "It", "They", "Their", "But", "However",
//    "If", "When", "Mr." ... ("in Washington, D.C. The U.S. delegation" → two
//    sentences; "in the U.S. He said" → two), or a quotation opening with a
//    capital ("in the U.K. “We are pleased,”"; not a nickname: C.J. "Pete"
//    Silas). Any other word continues the sentence: a name ("U.S. Treasury",
//    "Washington, D.C. Mayor", "Samsung Electronics Co. Ltd."), a lower-case word
//    or a number ("U.S. officials", "Jan. 5"), a preposition ("U.S. In" is how
//    archives that capitalise after "U.S." write "the U.S. in July").
//    After "a.m.", "p.m.", "etc." and weekdays ("Sat.") any capitalised word
//    starts a sentence ("at 5 p.m. Police said") except a weekday, a month or a
//    time zone ("at 9 a.m. Friday.", "5 p.m. Eastern", "9 a.m. Moscow time",
//    "Sat. Jan. 5").
//    No abbreviation ends a sentence in a unit in title case or capitals (a
//    headline: at least 80% of its 3 or more words of 4 letters or more are
//    capitalised), nor do dotted initials of two letters or more in a text that
//    capitalises every word after them (some "U.S." there is followed by
//    "And", "Is", "To", "Dlrs" ...: Reuters-21578).
// Any other break (after "dlrs.", "OK.", a question mark) stays.
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
  // Then builds the article's token stream (stages/common/tokens.h, with the new
  // sentences) into ctx.analyses for the later stages, and publishes it as
  // Article.tokens when publish_tokens is set.
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
               absl::flat_hash_set<std::string> abbreviations,
               absl::flat_hash_set<std::string> may_end, bool publish_tokens)
      : prototype_(std::move(prototype)),
        abbreviations_(std::move(abbreviations)),
        may_end_(std::move(may_end)),
        publish_tokens_(publish_tokens) {}

  std::unique_ptr<icu::BreakIterator> NewIterator() const;
  // True if the ICU break at UTF-16 offset `at` of the unit [unit_begin,
  // unit_end) follows an abbreviation that does not end the sentence there.
  // `capitalises_after_initials` caches CapitalisesAfterInitials(text) (segment.cc).
  bool IsSuppressed(const icu::UnicodeString& text, int32_t unit_begin, int32_t unit_end,
                    int32_t at, std::optional<bool>* capitalises_after_initials) const;

  mutable absl::Mutex mu_;
  // Cloned per call; ICU does not promise that clone() may run concurrently.
  const std::unique_ptr<icu::BreakIterator> prototype_ ABSL_GUARDED_BY(mu_);
  // Never end a sentence: DefaultAbbreviations() and the extra ones.
  const absl::flat_hash_set<std::string> abbreviations_;
  // End a sentence when the next word starts one: MayEndAbbreviations().
  const absl::flat_hash_set<std::string> may_end_;
  // SegmentOptions::publish_tokens.
  const bool publish_tokens_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_SEGMENT_SEGMENT_H_
