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

// News agencies as they sign a dateline or a story: "(Reuters)", "(AFP)".
#define NEWSD_AGENCY                                                                  \
  "(?:Reuters?|AP|AFP|dpa|UPI|Bloomberg|Xinhua|Kyodo(?: News)?|Jiji|ANSA|EFE|Yonhap|"   \
  "PTI|IANS|TASS|ITAR-TASS|Interfax|RIA(?: Novosti)?|AAP|CP|Anadolu|APA|SDA|ATS|KNA|"  \
  "epd|Belga|ANP|NTB|TT|Ritzau|STT|CTK|PAP|MTI|BTA|Tanjug|HINA|MENA|WAM|SPA|KUNA|"    \
  "IRNA|Bernama|Antara|Lusa|Europa Press|Notimex|Prensa Latina|Associated Press|"     \
  "Agence France-Presse|(?:The )?Canadian Press|PA|Dow Jones)"
#define NEWSD_AGENCY_TAG \
  "\\(\\s*" NEWSD_AGENCY "(?:\\s*[/,&]\\s*" NEWSD_AGENCY ")*\\s*\\)"

const RE2& AgencyTag() {
  static const RE2 re("(?i)\\s*" NEWSD_AGENCY_TAG);
  return re;
}
// A dateline ending with an agency tag and a dash or colon, at the start.
const RE2& TaggedDateline() {
  static const RE2 re("(?i)^[^()\\n]{0,100}?" NEWSD_AGENCY_TAG
                      "\\s*(?:-+|\\x{2013}|\\x{2014}|:)\\s*");
  return re;
}
// Whole-paragraph credit lines (IsCreditLine).
const RE2& CreditLine() {
  static const RE2 re(
      "(?i)^(?:"
      // "(Reporting by X; Editing by Y)", "Writing by X", "Additional reporting by".
      "\\(?\\s*(?:additional\\s+)?(?:reporting|writing|editing|compiled|edited|"
      "research|graphics|photos?|video|translation|translated|production)\\s+by\\s.*"
      // "Jane Smith in London contributed to this report."
      "|[^.!?]+\\scontributed(?:\\s+reporting)?\\s+to\\s+(?:this|the)\\s+"
      "(?:report|article|story)\\.?\\)?"
      // A byline of up to 10 words without a sentence end (initials aside): "By
      // JANE DOE Associated Press", "By John F. Smith, Reuters".
      "|by(?:\\s+(?:[^\\s.!?]+|\\pL\\.)){1,10}"
      // An agency alone: "AFP", "-- Reuters", "(AP)".
      "|[-\\x{2013}\\x{2014}\\s]*\\(?\\s*" NEWSD_AGENCY "\\s*\\)?[-\\x{2013}\\x{2014}\\s.]*"
      // Copyright and rights notices.
      "|(?:copyright|\\x{00A9}|\\(c\\))\\s.*"
      "|all\\s+rights\\s+reserved.*"
      "|this\\s+material\\s+may\\s+not\\s+be\\s+published.*"
      "|our\\s+standards\\s*:.*"
      ")$");
  return re;
}
// AFP's desk initials: "jd/ms/dl", "str-jm/ach" (lower case only).
const RE2& DeskInitials() {
  static const RE2 re("^[a-z]{2,5}(?:\\s*[/-]\\s*[a-z]{2,5}){1,6}$");
  return re;
}
#undef NEWSD_AGENCY_TAG
#undef NEWSD_AGENCY

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

// False if `p` (no longer than 400 bytes) cannot match CreditLine(): each of its
// branches opens with punctuation or one of a few words, is an agency name alone
// (short), or contains "contributed". Most paragraphs are ruled out without the
// regex.
bool MayBeCreditLine(absl::string_view p) {
  if (p.size() <= 40 || absl::StartsWith(p, "(") || absl::StartsWith(p, "-") ||
      absl::StartsWith(p, "\u00a9") || absl::StartsWith(p, "\u2013") ||
      absl::StartsWith(p, "\u2014")) {
    return true;
  }
  const absl::string_view word = p.substr(0, p.find_first_of(" \t"));
  for (absl::string_view w :
       {"additional", "reporting", "writing", "editing", "compiled", "edited", "research",
        "graphics", "photo", "photos", "video", "translation", "translated", "production",
        "by", "copyright", "all", "this", "our"}) {
    if (absl::EqualsIgnoreCase(word, w)) return true;
  }
  constexpr absl::string_view kContributed = "contributed";
  return std::search(p.begin(), p.end(), kContributed.begin(), kContributed.end(),
                     [](char a, char b) { return absl::ascii_tolower(a) == b; }) != p.end();
}

bool IsCreditLine(absl::string_view paragraph) {
  paragraph = absl::StripAsciiWhitespace(paragraph);
  if (paragraph.empty() || paragraph.size() > 400) return false;
  if (RE2::FullMatch(ToPiece(paragraph), DeskInitials())) return true;
  return MayBeCreditLine(paragraph) && RE2::FullMatch(ToPiece(paragraph), CreditLine());
}

std::string StripAgencyTags(absl::string_view paragraph, bool first) {
  re2::StringPiece rest = ToPiece(paragraph);
  if (first && rest.find('(') != re2::StringPiece::npos) RE2::Consume(&rest, TaggedDateline());
  std::string out(ToView(rest));
  if (out.find('(') != std::string::npos) RE2::GlobalReplace(&out, AgencyTag(), "");
  return out;
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
