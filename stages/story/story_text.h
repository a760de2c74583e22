// Text features of the story stage: headline version prefixes, kill notices,
// normalised word tokens, exact-content hash and MinHash signature.
//
// Hashes are CityHash64 (absl/hash/internal/city.h, CityHash v1.1): fixed by its
// algorithm, the same in every process and release, so signatures written by one
// instance to the changelog compare with those of another. (absl::Hash is seeded
// per process and must not be used here.)
#ifndef NEWSD_STAGES_STORY_STORY_TEXT_H_
#define NEWSD_STAGES_STORY_STORY_TEXT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace newsd::stages {

// What a headline says about versions and kills.
struct HeadlineInfo {
  // The headline without the markers below, trimmed ("PEGASUS GOLD INC 4TH QTR NET").
  std::string base;
  // "CORRECTED -", "CORRECTED-", "(CORRECTED)", "CORRECTION:" (prefix or suffix).
  bool correction = false;
  // "UPDATE 2-", "UPDATE:"; update_number is 2 there, 0 when not numbered.
  bool update = false;
  uint32_t update_number = 0;
  // "REFILE-", "RPT-", "REPEAT-".
  bool refile = false;
  // Kill notice at the start, upper case as agencies send it: "KILL -",
  // "MANDATORY KILL:", "WITHDRAWN -", "ELIMINATE -", "(WITHDRAWN)"; or "DO NOT USE"
  // anywhere in the headline.
  bool kill = false;

  bool versioned() const { return correction || update || refile; }
};

// Strips leading version and kill markers (repeatedly: "UPDATE 2-CORRECTED-X")
// and a trailing "(CORRECTED)" / "(UPDATED)" / "(REFILED)". Version markers are
// matched case-insensitively; kill markers only in upper case, so that "Kill"
// in an ordinary headline is not a notice.
HeadlineInfo ParseHeadline(absl::string_view headline);

// True when `first_paragraph` carries a textual kill notice: upper-case "DO NOT
// USE", "MANDATORY KILL", "PLEASE KILL", "KILL KILL", "STORY WITHDRAWN" or
// "WITHDRAWN STORY", or starts with "KILL -" / "WITHDRAWN -" / "ELIMINATE -".
bool IsKillNotice(absl::string_view first_paragraph);

// True when a body paragraph is an agency's sign-off rather than story text, so
// that two agencies' copies of one story shingle alike: a credit line ("(Reporting
// by X; Editing by Y)", "Writing by ...", "X contributed to this report."), a
// byline paragraph ("By Jane Smith", "By JANE DOE Associated Press"), AFP desk
// initials ("jd/ms/dl"), an agency name alone ("AFP", "-- Reuters", "(AP)"), a
// copyright or rights notice ("Copyright 2023 The Associated Press. All rights
// reserved. ...", "(c) Agence France-Presse"), or Reuters' "Our Standards: The
// Thomson Reuters Trust Principles.". Paragraphs over 400 bytes never are.
bool IsCreditLine(absl::string_view paragraph);

// `paragraph` without the agency tags it carries ("(Reuters)", "(AP)", "(AFP)",
// "(dpa)", "(AP/Reuters)" and those of about 40 other agencies), and, when
// `first` (the body's first paragraph), without a dateline that ends with one
// and a dash or colon ("PARIS, 3 mai (AFP) -": a dateline the decode stage did
// not take for one).
std::string StripAgencyTags(absl::string_view paragraph, bool first);

// Word tokens of `text`: maximal runs of ASCII letters/digits and non-ASCII
// bytes (UTF-8 sequences stay whole), ASCII lower-cased.
std::vector<std::string> NormalizedTokens(absl::string_view text);

// CityHash64 of the tokens joined by single spaces; 0 for no tokens.
uint64_t TokensHash(const std::vector<std::string>& tokens);

// MinHash over the `shingle_words`-word shingles of `tokens` (a single shingle
// of all tokens when there are fewer): `num_hashes` values, value i the minimum
// over shingles of the low 32 bits of mix(CityHash64(shingle) ^ seed_i).
// Empty when `tokens` is empty; at most 1024 values.
std::vector<uint32_t> MinHash(const std::vector<std::string>& tokens, int shingle_words,
                              int num_hashes);

// Share of equal positions of two MinHash signatures of equal length, in [0, 1]
// (estimates the Jaccard similarity of the shingle sets); 0 if lengths differ.
double MinHashSimilarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_STORY_STORY_TEXT_H_
