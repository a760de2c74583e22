// Text hygiene applied to every headline and paragraph before NFC: residual HTML
// entities (double escaping), mojibake (UTF-8 read as windows-1252), fixed-width
// and non-breaking spaces, invisible format characters, bidi controls, C0/C1
// controls and stray carriage returns. Every repair is reported as a flag.
#ifndef NEWSD_STAGES_DECODE_TEXT_CLEANUP_H_
#define NEWSD_STAGES_DECODE_TEXT_CLEANUP_H_

#include <set>
#include <string>

#include "absl/strings/string_view.h"

namespace newsd::stages {

struct CleanupOptions {
  // Decode character references left in the text after markup parsing ("&amp;quot;"
  // in the source is "&quot;" after one parse): HTML 4 named entities (libxml2's
  // table, HTML 4.01 §24) and numeric references. Off for plain text, where "&" is
  // literal.
  bool decode_entities = false;
};

// The flags CleanText may add (snake_case, as in Article.flags).
inline constexpr absl::string_view kFlagEntitiesDecoded = "entities_decoded";
inline constexpr absl::string_view kFlagMojibakeRepaired = "mojibake_repaired";
inline constexpr absl::string_view kFlagSpacesNormalized = "spaces_normalized";
inline constexpr absl::string_view kFlagInvisibleRemoved = "invisible_chars_removed";
inline constexpr absl::string_view kFlagBidiRemoved = "bidi_controls_removed";
inline constexpr absl::string_view kFlagControlsRemoved = "control_chars_removed";
inline constexpr absl::string_view kFlagStrayCr = "stray_cr_normalized";

// Cleans well-formed UTF-8 `text` (one headline or paragraph) and returns it; the
// flags of the repairs made are inserted into `*flags`. In order:
//  1. (decode_entities) "&name;", "&#NN;", "&#xHH;" are decoded, twice at most
//     ("&amp;amp;" → "&"); unknown names are kept ("AT&T;x" stays).
//  2. Mojibake: each maximal run of at least two characters that windows-1252 can
//     encode in its upper half (0x80–0xFF, C1 controls as themselves) is encoded
//     back to bytes; every well-formed multi-byte UTF-8 sequence in those bytes is
//     decoded ("didnâ€™t" → "didn’t", "Ã©" → "é"); other characters of the run stay.
//     Repeated (at most 3 times) for double mojibake. Good text is unchanged: a
//     Latin-1 letter next to ASCII ("café") never forms a UTF-8 sequence.
//  3. U+00A0, U+2007, U+202F (no-break spaces) and U+2000–U+200A, U+205F, U+3000,
//     U+2028, U+2029, TAB, VT, FF → U+0020 ("spaces_normalized" except for TAB).
//  4. Removed: U+200B, U+2060, U+FEFF, U+00AD, U+180E, U+2061–U+2064
//     ("invisible_chars_removed"); U+200E, U+200F, U+061C, U+202A–U+202E,
//     U+2066–U+2069 ("bidi_controls_removed"); other Cc controls
//     ("control_chars_removed"). ZWJ U+200D and ZWNJ U+200C are kept: Indic and
//     Arabic-script orthography and emoji sequences need them (Unicode §23.2).
//  5. A CR not followed by LF becomes a space ("stray_cr_normalized"); CR LF → LF.
// Typographic quotes, apostrophes and dashes are kept (see FoldTypography in
// stages/common/unicode.h for the equivalence later stages use).
std::string CleanText(absl::string_view text, const CleanupOptions& options,
                      std::set<std::string>* flags);

// Decodes "&name;" (HTML 4 entity names), "&#NN;" and "&#xHH;" in well-formed UTF-8
// `text` once; references to non-characters (0, surrogates, > U+10FFFF) become
// U+FFFD; unknown names are kept verbatim. Returns the number decoded.
size_t DecodeHtmlEntities(std::string* text);

// Repairs mojibake in well-formed UTF-8 `*text` as in CleanText step 2; returns the
// number of characters repaired.
size_t RepairMojibake(std::string* text);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_TEXT_CLEANUP_H_
