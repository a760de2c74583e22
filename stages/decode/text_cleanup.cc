#include "stages/decode/text_cleanup.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "stages/common/unicode.h"
#include "unicode/ucnv.h"
#include "unicode/utf.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

constexpr UChar32 kReplacement = 0xFFFD;
constexpr int kMaxEntityPasses = 2;
constexpr int kMaxMojibakePasses = 3;
// Longest HTML5 reference name is 31 characters ("CounterClockwiseContourIntegral;").
constexpr size_t kMaxNameLength = 32;

struct NamedReference {
  const char* name;  // without "&"; with ";" unless a legacy name
  const char* utf8;
};

// HTML5 named character references (data/html5_entities.inc: source and licence
// there), sorted by name.
constexpr NamedReference kHtml5References[] = {
#include "stages/decode/data/html5_entities.inc"
};

// Code point → byte of windows-1252's upper half (0x80–0xFF), from ICU's
// windows-1252 table; C1 controls map to themselves (bytes 0x81, 0x8D, 0x8F,
// 0x90, 0x9D are unassigned in windows-1252 and survive a Latin-1 misread as C1).
const absl::flat_hash_map<UChar32, uint8_t>& Windows1252UpperHalf() {
  static const auto* const table = [] {
    auto* t = new absl::flat_hash_map<UChar32, uint8_t>();
    for (UChar32 c = 0x80; c <= 0x9F; ++c) (*t)[c] = static_cast<uint8_t>(c);
    UErrorCode status = U_ZERO_ERROR;
    UConverter* conv = ucnv_open("windows-1252", &status);
    for (int b = 0x80; b <= 0xFF && U_SUCCESS(status); ++b) {
      const char byte = static_cast<char>(b);
      UChar out[4];
      UErrorCode s = U_ZERO_ERROR;
      const int32_t n = ucnv_toUChars(conv, out, 4, &byte, 1, &s);
      if (U_SUCCESS(s) && n == 1 && out[0] != 0xFFFD && out[0] != 0x1A) {
        (*t)[out[0]] = static_cast<uint8_t>(b);
      }
    }
    if (conv != nullptr) ucnv_close(conv);
    return t;
  }();
  return *table;
}

struct CodePoint {
  UChar32 c;
  size_t begin;  // byte offset
  size_t end;
};

std::vector<CodePoint> CodePoints(absl::string_view utf8) {
  std::vector<CodePoint> cps;
  cps.reserve(utf8.size());
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const int64_t len = static_cast<int64_t>(utf8.size());
  for (int64_t i = 0; i < len;) {
    const int64_t start = i;
    UChar32 c;
    U8_NEXT_UNSAFE(s, i, c);
    cps.push_back({c, static_cast<size_t>(start), static_cast<size_t>(i)});
  }
  return cps;
}

// Decodes the reference starting at text[0] == '&' into `out`; returns its
// length or 0 (not a reference: nothing appended).
size_t DecodeReference(absl::string_view text, std::string* out) {
  if (text.size() < 3) return 0;
  if (text[1] == '#') {
    const bool hex = text[2] == 'x' || text[2] == 'X';
    size_t i = hex ? 3 : 2;
    const size_t digits_begin = i;
    uint64_t value = 0;
    for (; i < text.size(); ++i) {
      const auto d = static_cast<unsigned char>(text[i]);
      if (hex ? !absl::ascii_isxdigit(d) : !absl::ascii_isdigit(d)) break;
      const uint64_t digit = absl::ascii_isdigit(d) ? d - '0' : absl::ascii_tolower(d) - 'a' + 10;
      value = std::min<uint64_t>(value * (hex ? 16 : 10) + digit, uint64_t{0x110000});
    }
    // Residual references need their ";" (HTML5 would also take "&#39s").
    if (i == digits_begin || i >= text.size() || text[i] != ';') return 0;
    AppendUtf8(Html5NumericReference(value), out);
    return i + 1;
  }
  size_t i = 1;
  while (i < text.size() && i <= kMaxNameLength &&
         absl::ascii_isalnum(static_cast<unsigned char>(text[i]))) {
    ++i;
  }
  if (i == 1) return 0;
  const absl::string_view name = text.substr(1, i - 1);
  if (i < text.size() && text[i] == ';') {
    if (const char* value = LookupHtml5Reference(text.substr(1, i))) {
      out->append(value);
      return i + 1;
    }
    return 0;
  }
  // A legacy name without ";": decoded unless an ASCII letter, digit or "=" follows
  // (HTML5 §13.2.5.73, the rule for attribute values: "&copy 2024" → "© 2024",
  // "&notice" and "?a=1&copy=2" stay).
  if (i < text.size() && text[i] == '=') return 0;
  if (const char* value = LookupHtml5Reference(name)) {
    out->append(value);
    return i;
  }
  return 0;
}

size_t RepairMojibakeOnce(std::string* text) {
  // Every code point of the table is non-ASCII: pure ASCII text has nothing to
  // repair (the common case; saves decoding it into code points).
  if (std::all_of(text->begin(), text->end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return 0;
  }
  const auto& table = Windows1252UpperHalf();
  const std::vector<CodePoint> cps = CodePoints(*text);
  std::string out;
  out.reserve(text->size());
  size_t repaired = 0;
  for (size_t i = 0; i < cps.size();) {
    size_t j = i;
    while (j < cps.size() && table.contains(cps[j].c)) ++j;
    if (j - i < 2) {
      const size_t end = j == i ? i + 1 : j;
      out.append(*text, cps[i].begin, cps[end - 1].end - cps[i].begin);
      i = end;
      continue;
    }
    std::string bytes;
    for (size_t k = i; k < j; ++k) bytes.push_back(static_cast<char>(table.at(cps[k].c)));
    const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
    const int32_t len = static_cast<int32_t>(bytes.size());
    size_t run_end = j;
    for (int32_t k = 0; k < len;) {
      if (k + 2 == len && b[k] == 0xE2 && b[k + 1] == 0x80) {
        // "â€" ending the run: the third byte of "”" (E2 80 9D) was 0x9D, which
        // windows-1252 leaves undefined, so a converter dropped it or replaced it
        // (U+FFFD, consumed here); no other defined byte can follow, as it would
        // have extended the run.
        AppendUtf8(0x201D, &out);
        ++repaired;
        if (j < cps.size() && cps[j].c == kReplacement) run_end = j + 1;
        break;
      }
      int32_t next = k;
      UChar32 c;
      U8_NEXT(b, next, len, c);
      if (c >= 0 && next - k >= 2) {
        out.append(bytes, static_cast<size_t>(k), static_cast<size_t>(next - k));
        ++repaired;
        k = next;
      } else {
        const CodePoint& original = cps[i + static_cast<size_t>(k)];
        out.append(*text, original.begin, original.end - original.begin);
        ++k;
      }
    }
    i = run_end;
  }
  if (repaired > 0) *text = std::move(out);
  return repaired;
}

bool IsSpaceVariant(UChar32 c) {
  return c == 0x00A0 || c == 0x2007 || c == 0x202F || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x205F || c == 0x3000 || c == 0x2028 || c == 0x2029 || c == '\v' || c == '\f';
}

bool IsInvisible(UChar32 c) {
  return c == 0x200B || c == 0x2060 || c == 0xFEFF || c == 0x00AD || c == 0x180E ||
         (c >= 0x2061 && c <= 0x2064);
}

bool IsBidiControl(UChar32 c) {
  return c == 0x200E || c == 0x200F || c == 0x061C || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

bool IsRemovedControl(UChar32 c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F);
}

}  // namespace

const char* LookupHtml5Reference(absl::string_view name) {
  const auto* end = std::end(kHtml5References);
  const auto* it = std::lower_bound(
      std::begin(kHtml5References), end, name,
      [](const NamedReference& r, absl::string_view n) { return absl::string_view(r.name) < n; });
  return it != end && absl::string_view(it->name) == name ? it->utf8 : nullptr;
}

UChar32 Html5NumericReference(uint64_t value) {
  if (value == 0 || value > 0x10FFFF || U_IS_SURROGATE(value)) return kReplacement;
  if (value >= 0x80 && value <= 0x9F) {
    const UChar32 mapped = Windows1252C1(static_cast<UChar32>(value));
    if (mapped >= 0) return mapped;
  }
  return static_cast<UChar32>(value);
}

UChar32 Windows1252C1(UChar32 c) {
  static const std::array<UChar32, 32>* const table = [] {
    auto* t = new std::array<UChar32, 32>();
    t->fill(-1);
    for (const auto& [cp, byte] : Windows1252UpperHalf()) {
      if (byte <= 0x9F && cp > 0x9F) (*t)[byte - 0x80] = cp;
    }
    return t;
  }();
  return c >= 0x80 && c <= 0x9F ? (*table)[c - 0x80] : -1;
}

size_t DecodeHtmlEntities(std::string* text) {
  if (text->find('&') == std::string::npos) return 0;
  std::string out;
  out.reserve(text->size());
  size_t decoded = 0;
  for (size_t i = 0; i < text->size();) {
    if ((*text)[i] == '&') {
      const size_t n = DecodeReference(absl::string_view(*text).substr(i), &out);
      if (n > 0) {
        ++decoded;
        i += n;
        continue;
      }
    }
    out.push_back((*text)[i++]);
  }
  if (decoded > 0) *text = std::move(out);
  return decoded;
}

size_t RemoveAsciiControls(std::string* utf8) {
  const auto removed = [](char ch) {
    const auto b = static_cast<unsigned char>(ch);
    return (b < 0x20 && b != '\t' && b != '\n' && b != '\v' && b != '\f' && b != '\r') ||
           b == 0x7F;
  };
  // ASCII bytes never occur inside a multi-byte UTF-8 sequence: bytewise is safe.
  const auto it = std::remove_if(utf8->begin(), utf8->end(), removed);
  const auto n = static_cast<size_t>(utf8->end() - it);
  utf8->erase(it, utf8->end());
  return n;
}

size_t RepairMojibake(std::string* text) {
  size_t total = 0;
  for (int pass = 0; pass < kMaxMojibakePasses; ++pass) {
    const size_t n = RepairMojibakeOnce(text);
    if (n == 0) break;
    total += n;
  }
  return total;
}

std::string CleanText(absl::string_view text, const CleanupOptions& options,
                      std::set<std::string>* flags) {
  std::string s(text);
  if (options.decode_entities) {
    size_t decoded = 0;
    for (int pass = 0; pass < kMaxEntityPasses; ++pass) {
      const size_t n = DecodeHtmlEntities(&s);
      if (n == 0) break;
      decoded += n;
    }
    if (decoded > 0) flags->insert(std::string(kFlagEntitiesDecoded));
  }
  if (RepairMojibake(&s) > 0) flags->insert(std::string(kFlagMojibakeRepaired));

  std::string out;
  out.reserve(s.size());
  const auto* b = reinterpret_cast<const uint8_t*>(s.data());
  const int64_t len = static_cast<int64_t>(s.size());
  // Printable ASCII and '\n' are kept as they are (none of the tests below holds
  // for them): copied by runs.
  auto kept_as_is = [](uint8_t byte) { return (byte >= 0x20 && byte < 0x7F) || byte == '\n'; };
  for (int64_t i = 0; i < len;) {
    if (kept_as_is(b[i])) {
      int64_t j = i + 1;
      while (j < len && kept_as_is(b[j])) ++j;
      out.append(s, static_cast<size_t>(i), static_cast<size_t>(j - i));
      i = j;
      continue;
    }
    const int64_t start = i;
    UChar32 c;
    U8_NEXT_UNSAFE(b, i, c);
    if (c == '\r') {
      // The next code point as the general path decodes it (an overlong LF counts).
      UChar32 next = -1;
      if (int64_t j = i; j < len) U8_NEXT_UNSAFE(b, j, next);
      const bool crlf = next == '\n';
      if (!crlf) {
        out.push_back(' ');
        flags->insert(std::string(kFlagStrayCr));
      }
    } else if (c == '\t') {
      out.push_back(' ');
    } else if (IsSpaceVariant(c)) {
      out.push_back(' ');
      flags->insert(std::string(kFlagSpacesNormalized));
    } else if (IsInvisible(c)) {
      flags->insert(std::string(kFlagInvisibleRemoved));
    } else if (IsBidiControl(c)) {
      flags->insert(std::string(kFlagBidiRemoved));
    } else if (const UChar32 mapped = Windows1252C1(c); mapped >= 0) {
      // A windows-1252 byte read as Latin-1 upstream: “ ” ’ – — € … (WHATWG
      // Encoding Standard: the Latin-1 labels mean windows-1252).
      AppendUtf8(mapped, &out);
      flags->insert(std::string(kFlagC1Mapped));
    } else if (IsRemovedControl(c)) {
      flags->insert(std::string(kFlagControlsRemoved));
    } else if (U_IS_UNICODE_NONCHAR(c)) {
      AppendUtf8(kReplacement, &out);
      flags->insert(std::string(kFlagNoncharactersReplaced));
    } else {
      out.append(s, static_cast<size_t>(start), static_cast<size_t>(i - start));
    }
  }
  return out;
}

}  // namespace newsd::stages
