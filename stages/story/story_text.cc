#include "stages/story/story_text.h"

#include <algorithm>
#include <limits>

#include "absl/hash/internal/city.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"
#include "stages/common/re2_util.h"

namespace newsd::stages {
namespace {

// Separator after a marker: hyphen, en/em dash or colon (with spaces around).
#define NEWSD_SEP "\\s*(?:-|\\x{2013}|\\x{2014}|:)+\\s*"

const RE2& CorrectionPrefix() {
  static const RE2 re("(?i)^\\s*(?:\\((?:CORRECTED|CORRECTION|CORRECTS)\\)(?:" NEWSD_SEP
                      ")?|(?:CORRECTED|CORRECTION|CORRECTS)" NEWSD_SEP ")");
  return re;
}
const RE2& UpdatePrefix() {
  static const RE2 re("(?i)^\\s*UPDATE\\s*(\\d*)" NEWSD_SEP);
  return re;
}
const RE2& RefilePrefix() {
  static const RE2 re("(?i)^\\s*(?:\\((?:REFILE|RPT|REPEAT)\\)(?:" NEWSD_SEP ")?|(?:REFILE|RPT|REPEAT)" NEWSD_SEP ")");
  return re;
}
const RE2& KillPrefix() {
  static const RE2 re("^\\s*(?:\\((?:MANDATORY )?(?:KILL|KILLED|WITHDRAWN|ELIMINATE|"
                      "ELIMINATION)\\)(?:" NEWSD_SEP ")?|(?:MANDATORY\\s+)?(?:KILL|KILLED|"
                      "WITHDRAWN|WITHDRAWAL|ELIMINATE|ELIMINATION)(?:" NEWSD_SEP "|\\s*$))");
  return re;
}
const RE2& VersionSuffix() {
  static const RE2 re("(?i)\\s*\\((CORRECTED|UPDATED|REFILED)\\)\\s*$");
  return re;
}
const RE2& KillText() {
  static const RE2 re("DO NOT USE|MANDATORY KILL|PLEASE KILL|KILL KILL|STORY WITHDRAWN|"
                      "WITHDRAWN STORY");
  return re;
}
#undef NEWSD_SEP

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

bool IsWordByte(unsigned char c) { return absl::ascii_isalnum(c) || c >= 0x80; }

// The clones' resolver runs while the dynamic loader relocates the program, before
// a sanitizer runtime is initialised; TSan's instrumented resolver crashes there, so
// sanitizer builds get the default version only.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define NEWSD_MINHASH_CLONES
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define NEWSD_MINHASH_CLONES
#endif
#endif
#ifndef NEWSD_MINHASH_CLONES
#define NEWSD_MINHASH_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif

// mins[i] = min(mins[i], low 32 bits of Mix(shingle ^ seeds[i])) for i < n. Also
// compiled for AVX-512 and AVX2 (the clone is picked when the program loads): the
// same values, several hash functions per instruction. Blocks of 8 with a fixed
// trip count, so that -O2's cheap vectoriser takes the loop.
NEWSD_MINHASH_CLONES void UpdateMinima(
    uint64_t shingle, const uint64_t* seeds, uint32_t* mins, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      const uint32_t v = static_cast<uint32_t>(Mix(shingle ^ seeds[i + j]));
      mins[i + j] = v < mins[i + j] ? v : mins[i + j];
    }
  }
  for (; i < n; ++i) {
    const uint32_t v = static_cast<uint32_t>(Mix(shingle ^ seeds[i]));
    mins[i] = v < mins[i] ? v : mins[i];
  }
}

}  // namespace

HeadlineInfo ParseHeadline(absl::string_view headline) {
  HeadlineInfo info;
  re2::StringPiece rest = ToPiece(absl::StripAsciiWhitespace(headline));
  for (bool changed = true; changed && !rest.empty();) {
    changed = false;
    std::string number;
    if (RE2::Consume(&rest, CorrectionPrefix())) {
      info.correction = changed = true;
    } else if (RE2::Consume(&rest, UpdatePrefix(), &number)) {
      info.update = changed = true;
      if (!number.empty() && number.size() < 6) info.update_number = std::stoul(number);
    } else if (RE2::Consume(&rest, RefilePrefix())) {
      info.refile = changed = true;
    } else if (RE2::Consume(&rest, KillPrefix())) {
      info.kill = changed = true;
    }
  }
  std::string base(ToView(rest));
  std::string suffix;
  if (RE2::PartialMatch(base, VersionSuffix(), &suffix)) {
    RE2::Replace(&base, VersionSuffix(), "");
    std::string upper = absl::AsciiStrToUpper(suffix);
    if (upper == "CORRECTED") info.correction = true;
    if (upper == "UPDATED") info.update = true;
    if (upper == "REFILED") info.refile = true;
  }
  if (absl::StrContains(headline, "DO NOT USE")) info.kill = true;
  info.base = std::string(absl::StripAsciiWhitespace(base));
  return info;
}

bool IsKillNotice(absl::string_view first_paragraph) {
  if (RE2::PartialMatch(ToPiece(first_paragraph), KillText())) return true;
  re2::StringPiece rest = ToPiece(first_paragraph);
  return RE2::Consume(&rest, KillPrefix());
}

std::vector<std::string> NormalizedTokens(absl::string_view text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t begin = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > begin) tokens.push_back(absl::AsciiStrToLower(text.substr(begin, i - begin)));
  }
  return tokens;
}

uint64_t TokensHash(const std::vector<std::string>& tokens) {
  if (tokens.empty()) return 0;
  std::string joined = absl::StrJoin(tokens, " ");
  return absl::hash_internal::CityHash64(joined.data(), joined.size());
}

std::vector<uint32_t> MinHash(const std::vector<std::string>& tokens, int shingle_words,
                              int num_hashes) {
  std::vector<uint32_t> result;
  if (tokens.empty() || num_hashes <= 0) return result;
  const size_t w = std::min(tokens.size(), static_cast<size_t>(std::max(1, shingle_words)));
  std::vector<uint64_t> token_hashes;
  token_hashes.reserve(tokens.size());
  for (const std::string& t : tokens) {
    token_hashes.push_back(absl::hash_internal::CityHash64(t.data(), t.size()));
  }
  static const std::vector<uint64_t>* const kSeeds = [] {
    auto* seeds = new std::vector<uint64_t>();
    for (uint64_t i = 1; i <= 1024; ++i) seeds->push_back(Mix(i * 0x9e3779b97f4a7c15ULL));
    return seeds;
  }();
  const int n = std::min(num_hashes, static_cast<int>(kSeeds->size()));
  result.assign(n, std::numeric_limits<uint32_t>::max());
  for (size_t start = 0; start + w <= token_hashes.size(); ++start) {
    const uint64_t shingle = absl::hash_internal::CityHash64(
        reinterpret_cast<const char*>(&token_hashes[start]), w * sizeof(uint64_t));
    UpdateMinima(shingle, kSeeds->data(), result.data(), n);
  }
  return result;
}

double MinHashSimilarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

}  // namespace newsd::stages
