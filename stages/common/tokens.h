// Word tokenizer for entity extraction: splits well-formed UTF-8 text into words,
// numbers and punctuation with code point and byte offsets, and a lower-case
// matching key.
//
// Rules (English news text):
//  - a word is a run of letters, digits and combining marks; an inner apostrophe
//    (' or U+2019) followed by a letter stays in the word ("O'Reilly",
//    "d'Ettorre"), except the possessive "'s" / "’s", which becomes its own token
//    (so "Russia's" and "Syria’s" give the token "Russia");
//  - dotted initials of two or more letters are one token ("U.S.", "D.C.");
//  - every other non-space code point is a one-code-point punctuation token
//    (hyphens included: "French-drafted" is French, -, drafted).
// Keys are lower-cased per code point (ICU u_tolower), with U+2018/U+2019 mapped
// to "'" and U+201C/U+201D to '"', so curly and straight quotes match alike.
#ifndef NEWSD_STAGES_ENTITIES_TOKENIZER_H_
#define NEWSD_STAGES_ENTITIES_TOKENIZER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace newsd::stages {

struct Token {
  enum class Kind : uint8_t { kWord, kNumber, kPunct };
  // [begin, end) in code points and [byte_begin, byte_end) in bytes of the text.
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t byte_begin = 0;
  uint32_t byte_end = 0;
  Kind kind = Kind::kPunct;
  // White space (or the start of the text) comes right before the token.
  bool space_before = true;
  // The first letter is upper case (title case counts).
  bool capitalized = false;
  // The token has letters and none of them is lower case ("UN", "U.S.", "I").
  bool all_caps = false;
  // The token has at least one lower-case letter.
  bool has_lower = false;
  // An upper-case letter follows three lower-case ones ("LibriVox"; not "McCain").
  bool camel_case = false;
  // Lower-cased matching key (see above).
  std::string key;
};

// Tokens of well-formed UTF-8 `text`, in order. Never fails; invalid UTF-8 is
// the caller's to reject first (sequences are read as U+FFFD punctuation).
std::vector<Token> Tokenize(absl::string_view text);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_ENTITIES_TOKENIZER_H_
