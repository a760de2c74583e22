// Text hygiene applied to every headline and paragraph before NFC: residual HTML
// entities (double escaping), mojibake (UTF-8 read as windows-1252), fixed-width
// and non-breaking spaces, invisible format characters, bidi controls, C0/C1
// controls, stray carriage returns and noncharacters. Every repair is reported as a flag.
#ifndef NEWSD_STAGES_DECODE_TEXT_CLEANUP_H_
#define NEWSD_STAGES_DECODE_TEXT_CLEANUP_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "unicode/umachine.h"

namespace newsd::stages {

struct CleanupOptions {
  // Decode character references left in the text after markup parsing ("&amp;quot;"
  // in the source is "&quot;" after one parse): the HTML5 named references
  // (WHATWG HTML §13.5, data/html5_entities.inc) and numeric references. Off for
  // plain text, where "&" is literal.
  bool decode_entities = false;
};

// The flags CleanText may add (snake_case, as in Article.flags).
inline constexpr absl::string_view kFlagEntitiesDecoded = "entities_decoded";
inline constexpr absl::string_view kFlagMojibakeRepaired = "mojibake_repaired";
inline constexpr absl::string_view kFlagSpacesNormalized = "spaces_normalized";
inline constexpr absl::string_view kFlagInvisibleRemoved = "invisible_chars_removed";
inline constexpr absl::string_view kFlagBidiRemoved = "bidi_controls_removed";
inline constexpr absl::string_view kFlagControlsRemoved = "control_chars_removed";
inline constexpr absl::string_view kFlagC1Mapped = "c1_controls_mapped";
inline constexpr absl::string_view kFlagStrayCr = "stray_cr_normalized";
inline constexpr absl::string_view kFlagNoncharactersReplaced = "noncharacters_replaced";

// Cleans well-formed UTF-8 `text` (one headline or paragraph) and returns it; the
// flags of the repairs made are inserted into `*flags`. In order:
//  1. (decode_entities) "&name;", "&#NN;", "&#xHH;" are decoded, twice at most
//     ("&amp;amp;" → "&"), as DecodeHtmlEntities says; unknown names are kept
//     ("AT&T;x" stays).
//  2. Mojibake: each maximal run of at least two characters that windows-1252 can
//     encode in its upper half (0x80–0xFF, C1 controls as themselves) is encoded
//     back to bytes; every well-formed multi-byte UTF-8 sequence in those bytes is
//     decoded ("didnâ€™t" → "didn’t", "Ã©" → "é", "levyâ€\u009d" → "levy”"); a
//     run ending in "â€" (E2 80) is "”" whose byte 0x9D, undefined in windows-1252,
//     was lost (a U+FFFD right after it is taken as that byte); other characters
//     of the run stay. Repeated (at most 3 times) for double mojibake. Good text
//     is unchanged: a Latin-1 letter next to ASCII ("café") never forms a UTF-8
//     sequence. This runs before any control character is touched: the C1
//     characters U+0080–U+009F are bytes of the mojibake.
//  3. U+00A0, U+2007, U+202F (no-break spaces) and U+2000–U+200A, U+205F, U+3000,
//     U+2028, U+2029, TAB, VT, FF → U+0020 ("spaces_normalized" except for TAB).
//  4. A C1 control that windows-1252 defines (U+0080, U+0082–U+008C, U+008E,
//     U+0091–U+009C, U+009E, U+009F) is a windows-1252 byte read as Latin-1: it
//     becomes that windows-1252 character ("\u0093quoted\u0094 and it\u0092s" →
//     "“quoted” and it’s"; U+0085 → "…"), flag "c1_controls_mapped" (WHATWG
//     Encoding Standard: the Latin-1 labels mean windows-1252).
//  5. Removed: U+200B, U+2060, U+FEFF, U+00AD, U+180E, U+2061–U+2064
//     ("invisible_chars_removed"); U+200E, U+200F, U+061C, U+202A–U+202E,
//     U+2066–U+2069 ("bidi_controls_removed"); other Cc controls, i.e. C0 other
//     than TAB, LF, CR, DEL and U+0081, U+008D, U+008F, U+0090, U+009D
//     ("control_chars_removed"). ZWJ U+200D and ZWNJ U+200C are kept: Indic and
//     Arabic-script orthography and emoji sequences need them (Unicode §23.2).
//  6. A CR not followed by LF becomes a space ("stray_cr_normalized"); CR LF → LF.
//  7. A noncharacter (U+FDD0–U+FDEF and the last two code points of each plane,
//     U+FFFE, U+FFFF, U+1FFFE ... U+10FFFF; Unicode §23.7), whether raw or from a
//     character reference, becomes U+FFFD ("noncharacters_replaced"), as Unicode
//     advises for noncharacters received in open interchange: they are
//     well-formed UTF-8, but not text, and some validators (CLD2's) refuse them.
// Typographic quotes, apostrophes and dashes are kept (see FoldTypography in
// stages/common/unicode.h for the equivalence later stages use).
std::string CleanText(absl::string_view text, const CleanupOptions& options,
                      std::set<std::string>* flags);

// Decodes the character references in well-formed UTF-8 `text` once and returns
// how many it decoded:
//  * "&name;" with any HTML5 name (2125, WHATWG HTML §13.5; multi-code-point
//    values such as "&NotEqualTilde;" included); unknown names are kept verbatim;
//  * the 106 legacy names HTML5 also reads without ";" ("&copy", "&amp", "&eacute")
//    unless an ASCII letter, digit or "=" follows, HTML5's rule for attribute
//    values (§13.2.5.73): "&copy 2024" → "© 2024", while "&notice", "&copy2024"
//    and "a=1&copy=2" stay; a name that needs its ";" ("&hellip") stays;
//  * "&#NN;" and "&#xHH;" (any number of digits) as HTML5 §13.2.5.80 maps them:
//    0, surrogates and values above U+10FFFF → U+FFFD; 0x80–0x9F → the
//    windows-1252 character ("&#150;" → "–") where it defines one; without ";"
//    they are kept.
size_t DecodeHtmlEntities(std::string* text);

// The UTF-8 value of the HTML5 named character reference `name` (without "&";
// with its ";", or a legacy name without it), nullptr if HTML5 has none.
const char* LookupHtml5Reference(absl::string_view name);

// The code point HTML5 makes of a numeric character reference with this value
// (§13.2.5.80 "numeric character reference end state"): U+FFFD for 0, surrogates
// and values above U+10FFFF (pass any larger value as 0x110000), the windows-1252
// character for 0x80–0x9F where windows-1252 defines one, else the value.
UChar32 Html5NumericReference(uint64_t value);

// The windows-1252 character of byte `c` for a C1 control U+0080–U+009F that
// windows-1252 defines ("€" for U+0080, "“" for U+0093), else -1.
UChar32 Windows1252C1(UChar32 c);

// Removes the C0 controls U+0000–U+001F other than TAB, LF, VT, FF and CR, and
// DEL, from well-formed UTF-8 `*utf8`; C1 controls are left for CleanText, which
// needs them to repair mojibake and maps them through windows-1252. Returns the
// number removed.
size_t RemoveAsciiControls(std::string* utf8);

// Repairs mojibake in well-formed UTF-8 `*text` as in CleanText step 2; returns the
// number of characters repaired.
size_t RepairMojibake(std::string* text);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_TEXT_CLEANUP_H_
