#include "stages/common/tokens.h"

#include <algorithm>
#include <numeric>

#include "pipeline/utf8.h"
#include "stages/common/unicode.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

constexpr UChar32 kRightSingleQuote = 0x2019;

// Character classes with an inline answer for ASCII (most of a news text), the
// same as ICU's: u_isalpha, u_isupper || u_istitle, u_islower, u_isdigit and
// u_isalnum agree with these on U+0000..U+007F (tokens_test checks all 128).
inline bool IsAsciiLetter(UChar32 c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsAsciiDigit(UChar32 c) { return c >= '0' && c <= '9'; }
inline bool IsAscii(UChar32 c) { return c >= 0 && c < 0x80; }
inline bool IsAlpha(UChar32 c) { return IsAscii(c) ? IsAsciiLetter(c) : u_isalpha(c) != 0; }
inline bool IsUpperOrTitle(UChar32 c) {
  return IsAscii(c) ? c >= 'A' && c <= 'Z' : u_isupper(c) || u_istitle(c);
}
inline bool IsLower(UChar32 c) { return IsAscii(c) ? c >= 'a' && c <= 'z' : u_islower(c) != 0; }
inline bool IsDigit(UChar32 c) { return IsAscii(c) ? IsAsciiDigit(c) : u_isdigit(c) != 0; }

// The text decoded: code point `i` is cps[i]; U_SENTINEL past the end.
struct Decoded {
  const std::u32string& cps;
  const std::vector<uint32_t>& byte_of;
  UChar32 operator[](size_t i) const {
    return i < cps.size() ? static_cast<UChar32>(cps[i]) : U_SENTINEL;
  }
};

inline bool IsWordChar(UChar32 c) {
  if (IsAscii(c)) return IsAsciiLetter(c) || IsAsciiDigit(c);
  return c >= 0 && (u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0);
}

bool IsApostrophe(UChar32 c) { return c == '\'' || c == kRightSingleQuote; }

void AppendKey(UChar32 c, std::string* key) {
  if (c == 0x2018 || c == kRightSingleQuote) {
    key->push_back('\'');
  } else if (c == 0x201C || c == 0x201D) {
    key->push_back('"');
  } else if (c < 0x80) {
    key->push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  } else {
    AppendUtf8(u_tolower(c), key);
  }
}

// The shape class of word or number token `t` (see TokenShape) from what the
// tokenizer counted.
TokenShape ShapeOf(const Token& t, int letters, int digits, int uppers, bool dotted) {
  if (dotted) return TokenShape::kInitials;
  if (letters > 0 && digits > 0) return TokenShape::kAlphanumeric;
  if (digits > 0) return TokenShape::kDigits;
  if (letters == 0) return TokenShape::kOther;
  if (!t.has_lower) return TokenShape::kUpper;
  if (uppers == 0) return TokenShape::kLower;
  if (uppers == 1 && t.capitalized) return TokenShape::kCapitalized;
  return TokenShape::kMixed;
}

// Decodes `text` into code points and their byte offsets (ill-formed sequences
// as U+FFFD, one code point each, as ICU's U8_NEXT reads them).
void Decode(absl::string_view text, std::u32string* cps, std::vector<uint32_t>* byte_of) {
  // At most one code point per byte: sized for that, then cut to the count.
  cps->resize(text.size());
  byte_of->resize(text.size() + 1);
  char32_t* out = cps->data();
  uint32_t* at = byte_of->data();
  size_t count = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  for (int32_t i = 0, n = static_cast<int32_t>(text.size()); i < n;) {
    at[count] = static_cast<uint32_t>(i);
    if (s[i] < 0x80) {
      out[count++] = s[i++];
      continue;
    }
    UChar32 c;
    U8_NEXT(s, i, n, c);
    out[count++] = static_cast<char32_t>(c < 0 ? 0xFFFD : c);
  }
  at[count] = static_cast<uint32_t>(text.size());
  cps->resize(count);
  byte_of->resize(count + 1);
}

std::vector<Token> TokenizeDecoded(const Decoded& d) {
  std::vector<Token> tokens;
  const size_t n = d.cps.size();
  tokens.reserve(n / 5 + 1);
  size_t i = 0;
  bool space = true;
  while (i < n) {
    UChar32 c = d[i];
    if (IsUnicodeWhitespace(c)) {
      ++i;
      space = true;
      continue;
    }
    Token t;
    t.begin = static_cast<uint32_t>(i);
    t.byte_begin = d.byte_of[i];
    t.space_before = space;
    space = false;
    if (!IsWordChar(c)) {
      if (IsApostrophe(c)) {
        // Possessive "'s" / "’s" directly after a word.
        const UChar32 s = d[i + 1];
        if (!tokens.empty() && !t.space_before && (s == 's' || s == 'S') &&
            !IsWordChar(d[i + 2])) {
          t.kind = Token::Kind::kPunct;
          t.key = "'s";
          i += 2;
          t.end = static_cast<uint32_t>(i);
          t.byte_end = d.byte_of[i];
          tokens.push_back(std::move(t));
          continue;
        }
      }
      t.kind = Token::Kind::kPunct;
      AppendKey(c, &t.key);
      ++i;
      t.end = static_cast<uint32_t>(i);
      t.byte_end = d.byte_of[i];
      tokens.push_back(std::move(t));
      continue;
    }
    t.kind = IsDigit(c) ? Token::Kind::kNumber : Token::Kind::kWord;
    int letters = 0;
    int digits = 0;
    int uppers = 0;
    int lower_run = 0;
    bool first_letter_seen = false;
    auto take = [&](UChar32 ch) {
      if (IsAlpha(ch)) {
        ++letters;
        if (IsUpperOrTitle(ch)) {
          ++uppers;
          // After three lower-case letters: "LibriVox", not "McCain" or "MacArthur".
          if (lower_run >= 3) t.camel_case = true;
          lower_run = 0;
          if (!first_letter_seen) t.capitalized = true;
        } else if (IsLower(ch)) {
          t.has_lower = true;
          ++lower_run;
        }
        first_letter_seen = true;
      } else if (IsDigit(ch)) {
        ++digits;
      }
      AppendKey(ch, &t.key);
      ++i;
    };
    while (i < n) {
      c = d[i];
      if (IsWordChar(c)) {
        take(c);
        continue;
      }
      if (IsApostrophe(c)) {
        const UChar32 next = d[i + 1];
        if (!IsAlpha(next)) break;
        if ((next == 's' || next == 'S') && !IsWordChar(d[i + 2])) {
          break;  // possessive: its own token
        }
        take(c);
        continue;
      }
      break;
    }
    // Dotted initials: "U.S.", "D.C." (a single letter, then letter-period pairs).
    bool dotted = false;
    if (letters == 1 && t.key.size() == 1 && d[i] == '.') {
      size_t j = i;
      std::string key = t.key;
      int pairs = 0;
      int extra_letters = 0;
      int extra_uppers = 0;
      while (d[j] == '.') {
        const size_t k = j + 1;
        const UChar32 l = d[k];
        key.push_back('.');
        j = k;
        if (!IsAlpha(l) || IsWordChar(d[k + 1])) break;
        AppendKey(l, &key);
        if (u_isupper(l)) ++extra_uppers;
        ++extra_letters;
        ++pairs;
        j = k + 1;
      }
      if (pairs >= 1 && key.back() == '.') {
        letters += extra_letters;
        uppers += extra_uppers;
        t.key = std::move(key);
        i = j;
        dotted = true;
      }
    }
    t.all_caps = letters > 0 && !t.has_lower;
    t.shape = ShapeOf(t, letters, digits, uppers, dotted);
    t.end = static_cast<uint32_t>(i);
    t.byte_end = d.byte_of[i];
    tokens.push_back(std::move(t));
  }
  return tokens;
}

// Sets Token::sentence from `sentences` (code point spans).
void AssignSentences(const google::protobuf::RepeatedPtrField<v1::Span>& sentences,
                     std::vector<Token>* tokens) {
  if (sentences.empty() || tokens->empty()) return;
  std::vector<uint32_t> order(static_cast<size_t>(sentences.size()));
  std::iota(order.begin(), order.end(), 0u);
  auto span = [&](uint32_t i) -> const v1::Span& { return sentences[static_cast<int>(i)]; };
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return span(a).begin() < span(b).begin(); });
  // Tokens and sentences both by begin: walk them together. `s` is the first
  // sentence (in begin order) that may still hold a token.
  size_t s = 0;
  for (Token& t : *tokens) {
    while (s < order.size() && span(order[s]).end() <= t.begin) ++s;
    for (size_t k = s; k < order.size() && span(order[k]).begin() <= t.begin; ++k) {
      if (t.end <= span(order[k]).end()) {
        t.sentence = order[k];
        break;
      }
    }
  }
}

}  // namespace

std::vector<Token> Tokenize(absl::string_view text) {
  std::u32string cps;
  std::vector<uint32_t> byte_of;
  Decode(text, &cps, &byte_of);
  return TokenizeDecoded(Decoded{cps, byte_of});
}

std::optional<absl::string_view> TextAnalysis::Substr(absl::string_view text, uint32_t begin,
                                                      uint32_t end) const {
  if (begin > end || end > size()) return std::nullopt;
  return text.substr(byte_offsets[begin], byte_offsets[end] - byte_offsets[begin]);
}

TextAnalysis AnalyzeText(absl::string_view text,
                         const google::protobuf::RepeatedPtrField<v1::Span>& sentences) {
  TextAnalysis a;
  a.invalid_utf8_at = FindInvalidUtf8(text);
  a.text_bytes = text.size();
  a.sentence_count = static_cast<int>(sentences.size());
  Decode(text, &a.code_points, &a.byte_offsets);
  a.tokens = TokenizeDecoded(Decoded{a.code_points, a.byte_offsets});
  AssignSentences(sentences, &a.tokens);
  return a;
}

const TextAnalysis* FindTextAnalysis(const v1::Article& article, const Analyses* analyses) {
  if (analyses == nullptr) return nullptr;
  const TextAnalysis* a = analyses->Find<TextAnalysis>();
  if (a == nullptr || a->text_bytes != article.text().size() ||
      a->sentence_count != article.sentences_size()) {
    return nullptr;
  }
  return a;
}

const TextAnalysis& TextAnalysisFor(const v1::Article& article, Analyses* analyses,
                                    std::optional<TextAnalysis>* local) {
  if (const TextAnalysis* a = FindTextAnalysis(article, analyses)) return *a;
  if (analyses != nullptr) {
    return analyses->Emplace<TextAnalysis>(AnalyzeText(article.text(), article.sentences()));
  }
  return local->emplace(AnalyzeText(article.text(), article.sentences()));
}

void PublishTokens(const TextAnalysis& analysis, v1::Article* article) {
  v1::Tokens& out = *article->mutable_tokens();
  out.Clear();
  const int n = static_cast<int>(analysis.tokens.size());
  out.mutable_begins()->Reserve(n);
  out.mutable_ends()->Reserve(n);
  out.mutable_sentences()->Reserve(n);
  out.mutable_shapes()->Reserve(n);
  for (const Token& t : analysis.tokens) {
    out.add_begins(t.begin);
    out.add_ends(t.end);
    out.add_sentences(t.sentence == Token::kNoSentence ? -1 : static_cast<int32_t>(t.sentence));
    out.add_shapes(static_cast<uint32_t>(t.shape));
  }
}

}  // namespace newsd::stages
