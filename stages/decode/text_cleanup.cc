#include "stages/decode/text_cleanup.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "libxml/HTMLparser.h"
#include "stages/common/unicode.h"
#include "unicode/ucnv.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

constexpr UChar32 kReplacement = 0xFFFD;
constexpr int kMaxEntityPasses = 2;
constexpr int kMaxMojibakePasses = 3;
// Longest HTML 4 entity name is 8 characters ("thetasym"); numeric ones are short.
constexpr size_t kMaxReferenceLength = 12;

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

// Decodes the reference starting at text[0] == '&'; returns its length or 0.
size_t DecodeReference(absl::string_view text, std::string* out) {
  const size_t semi = text.substr(0, kMaxReferenceLength + 2).find(';');
  if (semi == absl::string_view::npos || semi < 2) return 0;
  const absl::string_view name = text.substr(1, semi - 1);
  if (name[0] == '#') {
    uint32_t value = 0;
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const absl::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (const char d : digits) {
      if (hex ? !absl::ascii_isxdigit(static_cast<unsigned char>(d))
              : !absl::ascii_isdigit(static_cast<unsigned char>(d))) {
        return 0;
      }
    }
    const bool ok = hex ? absl::SimpleHexAtoi(digits, &value) : absl::SimpleAtoi(digits, &value);
    const bool scalar = ok && value != 0 && value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF);
    AppendUtf8(scalar ? static_cast<UChar32>(value) : kReplacement, out);
    return semi + 1;
  }
  for (const char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return 0;
  }
  const std::string key(name);
  const htmlEntityDesc* entity = htmlEntityLookup(reinterpret_cast<const xmlChar*>(key.c_str()));
  if (entity == nullptr) return 0;
  AppendUtf8(static_cast<UChar32>(entity->value), out);
  return semi + 1;
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
    for (int32_t k = 0; k < len;) {
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
    i = j;
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
    } else if (IsRemovedControl(c)) {
      flags->insert(std::string(kFlagControlsRemoved));
    } else {
      out.append(s, static_cast<size_t>(start), static_cast<size_t>(i - start));
    }
  }
  return out;
}

}  // namespace newsd::stages
