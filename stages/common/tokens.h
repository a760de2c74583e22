// The token stream of an article, built once per article and shared by the NLP
// stages (entities, quotes, times, story) through StageContext::analyses.
//
// TextAnalysis holds Article.text decoded into code points (with the byte offset
// of each), its word tokens with code point spans, sentence index, a folded
// matching key and a shape class. The segment stage builds it right after the
// sentences (pipeline: decode → segment → ... ); a stage that finds none in the
// context (a chain without segment, a unit test calling the stage directly) builds
// it itself with the same function (TextAnalysisFor), so results never depend on
// the chain. Published as Article.tokens only when the segment stage's option
// publish_tokens asks for it.
//
// Tokenizer rules (English news text; the entities stage's tokenizer):
//  - a word is a run of letters, digits and combining marks; an inner apostrophe
//    (' or U+2019) followed by a letter stays in the word ("O'Reilly",
//    "d'Ettorre"), except the possessive "'s" / "’s", which becomes its own token
//    (so "Russia's" and "Syria’s" give the token "Russia");
//  - dotted initials of two or more letters are one token ("U.S.", "D.C.");
//  - every other non-space code point is a one-code-point punctuation token
//    (hyphens included: "French-drafted" is French, -, drafted).
// Keys (the normalised form) are lower-cased per code point (ICU u_tolower), with
// U+2018/U+2019 mapped to "'" and U+201C/U+201D to '"', so curly and straight
// quotes match alike. No other normalisation: Article.text is already NFC (decode
// stage), and a key has as many code points as its token.
//
// Units: `begin`/`end` are code points of the text (the unit of every span in
// newsd.v1.Article); `byte_*` are bytes of its UTF-8.
// Thread-safety: the functions are pure; a TextAnalysis is immutable once built
// and belongs to one article (one worker thread).
#ifndef NEWSD_STAGES_COMMON_TOKENS_H_
#define NEWSD_STAGES_COMMON_TOKENS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "newsd/v1/article.pb.h"
#include "pipeline/stage.h"

namespace newsd::stages {

// The shape class of a token (published as Article.tokens.shapes, same numbers).
enum class TokenShape : uint8_t {
  kOther = 0,         // none of the below (a word of combining marks only)
  kLower = 1,         // letters, none upper case: "said" (xxxx)
  kCapitalized = 2,   // an upper-case first letter, then lower case: "Lavrov" (Xxxx)
  kUpper = 3,         // letters, none lower case: "UN", "I" (XXXX)
  kMixed = 4,         // other mixes of case: "LibriVox", "McCain", "iPhone" (xXxX)
  kDigits = 5,        // digits only: "1987" (dddd)
  kAlphanumeric = 6,  // letters and digits: "G7", "2nd" (Xd, dxx)
  kInitials = 7,      // dotted initials: "U.S.", "D.C." (X.X.)
  kPunct = 8,         // one punctuation or symbol code point, or the possessive 's
};

struct Token {
  enum class Kind : uint8_t { kWord, kNumber, kPunct };
  // Index into Article.sentences of the sentence holding the token; kNoSentence
  // outside every sentence (a dateline, text between paragraphs) and for tokens
  // of a text tokenized without sentences (Tokenize).
  static constexpr uint32_t kNoSentence = UINT32_MAX;
  // [begin, end) in code points and [byte_begin, byte_end) in bytes of the text.
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t byte_begin = 0;
  uint32_t byte_end = 0;
  uint32_t sentence = kNoSentence;
  Kind kind = Kind::kPunct;
  TokenShape shape = TokenShape::kPunct;
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
  // Lower-cased matching key (the normalised form, see above).
  std::string key;
};

// One article's text, analysed once. Built by AnalyzeText; read-only afterwards.
struct TextAnalysis {
  // Byte offset of the first ill-formed UTF-8 sequence of the text, if any; the
  // text was still decoded (each ill-formed sequence as one U+FFFD) and tokenized,
  // but stages reject such a text.
  std::optional<size_t> invalid_utf8_at;
  // Size of the analysed text in bytes, and the Article.sentences_size() the
  // sentence indexes refer to (TextAnalysisFor rebuilds on a mismatch).
  size_t text_bytes = 0;
  int sentence_count = 0;
  // The text's code points, in order.
  std::u32string code_points;
  // Byte offset of every code point, then the text size: code_points.size() + 1
  // entries, so [byte_offsets[b], byte_offsets[e]) are the bytes of code points
  // [b, e).
  std::vector<uint32_t> byte_offsets;
  // The tokens, in text order, not overlapping.
  std::vector<Token> tokens;

  // Number of code points of the text.
  uint32_t size() const { return static_cast<uint32_t>(code_points.size()); }
  // The bytes of `text` (the analysed text) covering code points [begin, end);
  // std::nullopt if begin > end or end is past the text.
  std::optional<absl::string_view> Substr(absl::string_view text, uint32_t begin,
                                          uint32_t end) const;
};

// Tokens of UTF-8 `text`, in order, without sentence indexes. Never fails;
// invalid UTF-8 is the caller's to reject first (sequences are read as U+FFFD
// punctuation).
std::vector<Token> Tokenize(absl::string_view text);

// Analyses `text` (any bytes; see invalid_utf8_at). `sentences` are code point
// spans of the text (Article.sentences): each token gets the index of the span
// that contains it whole. Spans need not be ordered; of overlapping ones that
// contain a token, the one that begins first (then the lower index) is its.
TextAnalysis AnalyzeText(absl::string_view text,
                         const google::protobuf::RepeatedPtrField<v1::Span>& sentences);

// The analysis of `article`'s text: the one in `analyses` (StageContext::analyses)
// when it was built for this text (same size in bytes and same number of
// sentences); otherwise a new one built by AnalyzeText and stored in `analyses`
// for the next stages, or, when `analyses` is null, in `*local`. The reference
// stays valid while both hold it (in the chain: until the end of the article).
// A stage that changes Article.text must erase the analysis it invalidates
// (analyses->Erase<TextAnalysis>()).
const TextAnalysis& TextAnalysisFor(const v1::Article& article, Analyses* analyses,
                                    std::optional<TextAnalysis>* local);

// The analysis in `analyses` when there is one built for `article`'s text (as
// TextAnalysisFor matches it); nullptr otherwise (also for a null `analyses`).
// For a stage that only profits from the analysis (offsets) and has a cheaper way
// without it.
const TextAnalysis* FindTextAnalysis(const v1::Article& article, const Analyses* analyses);

// Writes the analysis' tokens to article->tokens (replacing them): packed begins,
// ends, sentence indexes (-1 for kNoSentence) and shape numbers.
void PublishTokens(const TextAnalysis& analysis, v1::Article* article);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_COMMON_TOKENS_H_
