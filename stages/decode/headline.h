// Wire labels at the start of headlines and alerts: status labels ("UPDATE 2-",
// "CORRECTED-", "REFILE-", "FLASH:"), genre labels ("EXCLUSIVE-", "FACTBOX-") and
// the desk slug ("RUGBY-All Blacks beat ..."), as Reuters and AP put them there.
#ifndef NEWSD_STAGES_DECODE_HEADLINE_H_
#define NEWSD_STAGES_DECODE_HEADLINE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace newsd::stages {

// What the labels opening a headline say.
struct HeadlineLabels {
  // The headline without its labels, trimmed; "" when it was only labels
  // ("FLASH", "BULLETIN:", "UPDATE 2-", "REFILE-RUGBY-").
  std::string headline;
  // The slug that opened it ("RUGBY", "GLOBAL MARKETS"), "" if none.
  std::string slug;
  // The labels' signals in headline order, without duplicates (the codes are
  // listed at Wire.signals in proto/newsd/v1/article.proto).
  std::vector<std::string> signals;
  // An alert label (FLASH, URGENT, BULLETIN, ALERT, BREAKING) was among them.
  bool alert = false;
};

// Takes the labels off the start of a one-line UTF-8 headline, repeatedly
// ("REFILE-UPDATE 1-SOCCER-Messi ..."). Labels are upper case, case-sensitive:
//  * a status or genre label (table in headline.cc, "UPDATE" and "WRAPUP" with an
//    optional number) followed by "-", "--", an en or em dash or ":" (white
//    space around it allowed), with or without text after it ("UPDATE 2-" is
//    only a label: the headline is ""); "ALERT-level" (a lower-case letter right
//    after a bare hyphen, the label without a number) is a word, not a label;
//  * an alert label also followed by white space when the rest is not all
//    capitals ("URGENT Senate passes ..."; "FLASH FLOODS KILL 12" is left
//    alone), or alone ("FLASH");
//  * the slug: two to four words of capitals and digits, or a single word from
//    the list of desk slugs in headline.cc ("RUGBY", "SOCCER", "METALS": a single
//    capitalised word before a hyphen is more often half of a compound, as in
//    German "SPD-Krise", "BASF-Chef"), then "-" directly followed by a capital
//    letter, and only
//    when the rest has lower-case letters and is not Title Case (an ALL-CAPS or
//    Title Case headline cannot tell a slug from a compound: "NON-FARM PAYROLLS
//    RISE", "AI-Generated Images Flood ..."), its first word is not the second
//    half of a compound ("UK-Based") and its second word is not a noun of
//    two-party relations ("NATO-Russia council meets", "US-China talks"); or
//    the same words and "-" with nothing after them ("RUGBY-": headline "").
// At most 8 labels and one slug are taken; the headline is "" when nothing else
// is left (the decode stage then treats the item as having no headline).
// Everything else is left as it is: "Anti-war protest ...", "U.S.-China talks".
HeadlineLabels SplitHeadlineLabels(absl::string_view headline);

// Bytes taken by an alert label opening `text` (a paragraph), with the white
// space after it ("FLASH: ", "URGENT - ", "BULLETIN " before a word that is not
// all capitals, or the whole text when it is only the label); 0 if none. Sets
// *signal ("wire:flash") when not 0.
size_t AlertLabelLength(absl::string_view text, std::string* signal);

// A headline made from the first sentence of `text` (a paragraph without its
// dateline): up to the first ".", "!" or "?" followed by white space and not a
// lower-case letter, or the end, where the word before a "." is not an
// abbreviation ("Mr.", "Sept.", "U.S.", "J."); its closing quotes and brackets
// kept, a final "." dropped. Longer than 160 code points, it is cut at the last
// space before and ends with "…". "" if `text` is blank.
std::string HeadlineFromFirstSentence(absl::string_view text);

// How many sentences of `text` end with ".", "!" or "?" as HeadlineFromFirstSentence
// finds the first one (the last may end the text: "Talks collapse." is 1, "Talks
// collapse" 0, "Lavrov met Kerry. They discussed Syria." 2), counting up to
// `limit`.
int CountSentenceEnds(absl::string_view text, int limit);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_HEADLINE_H_
