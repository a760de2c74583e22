#include "stages/entities/tokenizer.h"

#include "stages/common/unicode.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

constexpr UChar32 kRightSingleQuote = 0x2019;

// Character classes with an inline answer for ASCII (most of a news text), the
// same as ICU's: u_isalpha, u_isupper || u_istitle, u_islower, u_isdigit and
// u_isalnum agree with these on U+0000..U+007F (tokenizer_test checks all 128).
inline bool IsAsciiLetter(UChar32 c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsAsciiDigit(UChar32 c) { return c >= '0' && c <= '9'; }
inline bool IsAscii(UChar32 c) { return c >= 0 && c < 0x80; }
inline bool IsAlpha(UChar32 c) { return IsAscii(c) ? IsAsciiLetter(c) : u_isalpha(c) != 0; }
inline bool IsUpperOrTitle(UChar32 c) {
  return IsAscii(c) ? c >= 'A' && c <= 'Z' : u_isupper(c) || u_istitle(c);
}
inline bool IsLower(UChar32 c) { return IsAscii(c) ? c >= 'a' && c <= 'z' : u_islower(c) != 0; }
inline bool IsDigit(UChar32 c) { return IsAscii(c) ? IsAsciiDigit(c) : u_isdigit(c) != 0; }

// Reads the code point at byte `i` of `text` without advancing.
inline UChar32 PeekAt(absl::string_view text, size_t i) {
  if (i >= text.size()) return U_SENTINEL;
  if (static_cast<unsigned char>(text[i]) < 0x80) return static_cast<unsigned char>(text[i]);
  UChar32 c;
  int32_t j = static_cast<int32_t>(i);
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), j,
          static_cast<int32_t>(text.size()), c);
  return c < 0 ? 0xFFFD : c;
}

inline size_t NextIndex(absl::string_view text, size_t i) {
  if (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) return i + 1;
  int32_t j = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), j,
          static_cast<int32_t>(text.size()), c);
  (void)c;
  return static_cast<size_t>(j);
}

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

}  // namespace

std::vector<Token> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 5 + 1);
  size_t i = 0;
  uint32_t cp = 0;
  bool space = true;
  while (i < text.size()) {
    UChar32 c = PeekAt(text, i);
    if (IsUnicodeWhitespace(c)) {
      i = NextIndex(text, i);
      ++cp;
      space = true;
      continue;
    }
    Token t;
    t.begin = cp;
    t.byte_begin = static_cast<uint32_t>(i);
    t.space_before = space;
    space = false;
    if (!IsWordChar(c)) {
      if (IsApostrophe(c)) {
        // Possessive "'s" / "’s" directly after a word.
        const size_t s = NextIndex(text, i);
        const UChar32 after = PeekAt(text, NextIndex(text, s));
        if (!tokens.empty() && !t.space_before && (PeekAt(text, s) == 's' || PeekAt(text, s) == 'S') &&
            !IsWordChar(after)) {
          t.kind = Token::Kind::kPunct;
          t.key = "'s";
          i = NextIndex(text, s);
          cp += 2;
          t.end = cp;
          t.byte_end = static_cast<uint32_t>(i);
          tokens.push_back(std::move(t));
          continue;
        }
      }
      t.kind = Token::Kind::kPunct;
      AppendKey(c, &t.key);
      i = NextIndex(text, i);
      ++cp;
      t.end = cp;
      t.byte_end = static_cast<uint32_t>(i);
      tokens.push_back(std::move(t));
      continue;
    }
    t.kind = IsDigit(c) ? Token::Kind::kNumber : Token::Kind::kWord;
    int letters = 0;
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
      }
      AppendKey(ch, &t.key);
      i = NextIndex(text, i);
      ++cp;
    };
    while (i < text.size()) {
      c = PeekAt(text, i);
      if (IsWordChar(c)) {
        take(c);
        continue;
      }
      if (IsApostrophe(c)) {
        const size_t n = NextIndex(text, i);
        const UChar32 next = PeekAt(text, n);
        if (!IsAlpha(next)) break;
        if ((next == 's' || next == 'S') && !IsWordChar(PeekAt(text, NextIndex(text, n)))) {
          break;  // possessive: its own token
        }
        take(c);
        continue;
      }
      break;
    }
    // Dotted initials: "U.S.", "D.C." (a single letter, then letter-period pairs).
    if (letters == 1 && t.key.size() == 1 && PeekAt(text, i) == '.') {
      size_t j = i;
      uint32_t extra = 0;
      std::string key = t.key;
      int pairs = 0;
      while (PeekAt(text, j) == '.') {
        const size_t k = NextIndex(text, j);
        const UChar32 l = PeekAt(text, k);
        key.push_back('.');
        ++extra;
        j = k;
        if (!IsAlpha(l) || IsWordChar(PeekAt(text, NextIndex(text, k)))) break;
        AppendKey(l, &key);
        if (u_isupper(l)) ++uppers;
        ++letters;
        ++extra;
        ++pairs;
        j = NextIndex(text, k);
      }
      if (pairs >= 1 && key.back() == '.') {
        t.key = std::move(key);
        i = j;
        cp += extra;
      }
    }
    t.all_caps = letters > 0 && !t.has_lower;
    t.end = cp;
    t.byte_end = static_cast<uint32_t>(i);
    tokens.push_back(std::move(t));
  }
  return tokens;
}

}  // namespace newsd::stages
