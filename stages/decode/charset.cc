#include "stages/decode/charset.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "re2/re2.h"
#include "stages/common/re2_util.h"
#include "stages/common/unicode.h"
#include "unicode/ucsdet.h"
#include "unicode/unistr.h"
#include "unicode/utf8.h"

namespace newsd::stages {
namespace {

// The detector only needs a sample; ICU scans all it is given.
constexpr size_t kDetectSampleBytes = 64 * 1024;
constexpr size_t kMaxInputBytes = size_t{1} << 30;

struct Bom {
  absl::string_view bytes;
  const char* charset;
};

// Longest first: the UTF-32LE BOM starts with the UTF-16LE one.
constexpr Bom kBoms[] = {
    {absl::string_view("\xFF\xFE\x00\x00", 4), "UTF-32LE"},
    {absl::string_view("\x00\x00\xFE\xFF", 4), "UTF-32BE"},
    {"\xEF\xBB\xBF", "UTF-8"},
    {"\xFF\xFE", "UTF-16LE"},
    {"\xFE\xFF", "UTF-16BE"},
};

const Bom* FindBom(absl::string_view bytes) {
  for (const Bom& bom : kBoms) {
    if (absl::StartsWith(bytes, bom.bytes)) return &bom;
  }
  return nullptr;
}

std::string LowerAlnum(absl::string_view name) {
  std::string out;
  for (const char c : name) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// WHATWG Encoding Standard label table: these labels all mean windows-1252.
bool IsWindows1252Label(absl::string_view name) {
  const std::string n = LowerAlnum(name);
  return n == "iso88591" || n == "latin1" || n == "l1" || n == "cp819" || n == "ibm819" ||
         n == "isoir100" || n == "csisolatin1" || n == "iso885911987" || n == "usascii" ||
         n == "ascii" || n == "windows1252" || n == "cp1252" || n == "xcp1252";
}

bool IsWideCharsetName(absl::string_view name) {
  const std::string n = LowerAlnum(name);
  return absl::StartsWith(n, "utf16") || absl::StartsWith(n, "utf32") ||
         absl::StartsWith(n, "ucs");
}

struct Utf8Scan {
  size_t multibyte = 0;  // well-formed sequences of 2..4 bytes
  size_t invalid = 0;    // ill-formed sequences (maximal subparts)
  size_t first_invalid = 0;
};

Utf8Scan ScanUtf8(absl::string_view bytes) {
  Utf8Scan scan;
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t len = static_cast<int32_t>(bytes.size());
  for (int32_t i = 0; i < len;) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0) {
      if (scan.invalid++ == 0) scan.first_invalid = static_cast<size_t>(start);
    } else {
      ++scan.multibyte;
    }
  }
  return scan;
}

bool HasC1Bytes(absl::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0x80 && b <= 0x9F;
  });
}

// Converts with ICU; illegal sequences become U+FFFD (flag "invalid_bytes_replaced").
absl::StatusOr<Utf8Text> ConvertLenient(absl::string_view bytes, absl::string_view charset) {
  Utf8Text out;
  out.charset = std::string(charset);
  absl::StatusOr<std::string> strict = ConvertToUtf8(bytes, charset);
  if (strict.ok()) {
    out.text = *std::move(strict);
    return out;
  }
  if (absl::StartsWith(strict.status().message(), "unknown charset")) return strict.status();
  const std::string name(charset);
  const icu::UnicodeString utf16(bytes.data(), static_cast<int32_t>(bytes.size()),
                                 name.c_str());
  utf16.toUTF8String(out.text);
  out.flags.push_back("invalid_bytes_replaced");
  return out;
}

// ICU's best legacy charset for `bytes` with at least `min_confidence`, "" if none.
std::string DetectLegacyCharset(absl::string_view bytes, int32_t min_confidence) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, decltype(&ucsdet_close)> detector(ucsdet_open(&status),
                                                                      &ucsdet_close);
  if (U_FAILURE(status)) return "";
  const absl::string_view sample = bytes.substr(0, kDetectSampleBytes);
  ucsdet_setText(detector.get(), sample.data(), static_cast<int32_t>(sample.size()), &status);
  const UCharsetMatch* match = ucsdet_detect(detector.get(), &status);
  if (U_FAILURE(status) || match == nullptr) return "";
  const char* name = ucsdet_getName(match, &status);
  const int32_t confidence = ucsdet_getConfidence(match, &status);
  if (U_FAILURE(status) || name == nullptr || confidence < min_confidence) return "";
  if (absl::StartsWithIgnoreCase(name, "UTF-")) return "";
  return name;
}

absl::StatusOr<Utf8Text> DecodeUtf8OrGuess(absl::string_view bytes, bool declared_utf8,
                                           const CharsetOptions& options) {
  const Utf8Scan scan = ScanUtf8(bytes);
  Utf8Text out;
  out.charset = "UTF-8";
  if (scan.invalid == 0) {
    out.text = std::string(bytes);
    return out;
  }
  if (scan.multibyte == 0) {
    const std::string legacy = DetectLegacyCharset(bytes, options.min_detect_confidence);
    if (!legacy.empty()) {
      absl::StatusOr<Utf8Text> converted = ConvertLenient(bytes, legacy);
      if (converted.ok()) {
        converted->flags.push_back(declared_utf8 ? "charset_mislabelled" : "charset_guessed");
        return converted;
      }
    }
  }
  size_t replaced = 0;
  out.text = ReplaceInvalidUtf8(bytes, &replaced);
  const size_t code_points = CountCodePoints(out.text);
  if (static_cast<double>(replaced) > options.max_invalid_ratio * code_points) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid UTF-8: ", replaced, " ill-formed sequences in ", code_points,
        " code points (first at byte ", scan.first_invalid, ")"));
  }
  out.flags.push_back("invalid_utf8_replaced");
  return out;
}

std::string ToLowerAscii(re2::StringPiece s) { return absl::AsciiStrToLower(ToView(s)); }

}  // namespace

bool HasWideBom(absl::string_view bytes) {
  const Bom* bom = FindBom(bytes);
  return bom != nullptr && absl::string_view(bom->charset) != "UTF-8";
}

std::string XmlDeclaredEncoding(absl::string_view bytes) {
  static const RE2* const re =
      new RE2(R"(^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["'])");
  absl::ConsumePrefix(&bytes, "\xEF\xBB\xBF");
  re2::StringPiece name;
  if (!RE2::PartialMatch(ToPiece(bytes.substr(0, 512)), *re, &name)) return "";
  return std::string(ToView(name));
}

std::string HtmlDeclaredCharset(absl::string_view bytes) {
  static const RE2* const re = new RE2(
      R"((?i)<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+))");
  re2::StringPiece name;
  if (!RE2::PartialMatch(ToPiece(bytes.substr(0, 1024)), *re, &name)) return "";
  return ToLowerAscii(name);
}

absl::StatusOr<Utf8Text> DecodeToUtf8(absl::string_view bytes, const CharsetHints& hints,
                                      const CharsetOptions& options) {
  if (bytes.size() >= kMaxInputBytes) {
    return absl::InvalidArgumentError("input of 1 GiB or more");
  }
  if (const Bom* bom = FindBom(bytes)) {
    bytes.remove_prefix(bom->bytes.size());
    if (absl::string_view(bom->charset) == "UTF-8") {
      return DecodeUtf8OrGuess(bytes, /*declared_utf8=*/true, options);
    }
    return ConvertLenient(bytes, bom->charset);
  }
  const std::string& declared = !hints.transport.empty() ? hints.transport : hints.document;
  if (declared.empty() || (IsUtf8Charset(declared) && !IsWindows1252Label(declared))) {
    return DecodeUtf8OrGuess(bytes, !declared.empty(), options);
  }
  if (IsWideCharsetName(declared)) return ConvertLenient(bytes, declared);
  const Utf8Scan scan = ScanUtf8(bytes);
  if (scan.invalid == 0) {
    Utf8Text out;
    out.charset = "UTF-8";
    out.text = std::string(bytes);
    if (scan.multibyte > 0) out.flags.push_back("charset_mislabelled");
    return out;
  }
  if (IsWindows1252Label(declared)) {
    absl::StatusOr<Utf8Text> out = ConvertLenient(bytes, "windows-1252");
    if (out.ok() && HasC1Bytes(bytes) && LowerAlnum(declared) != "windows1252" &&
        LowerAlnum(declared) != "cp1252") {
      out->flags.push_back("charset_mislabelled");
    }
    return out;
  }
  return ConvertLenient(bytes, declared);
}

}  // namespace newsd::stages
