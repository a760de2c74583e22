// In-memory gazetteer of the entities stage: countries (ISO 3166-1), their
// subdivisions (ISO 3166-2), GeoNames cities with population and coordinates,
// continents and regions, well-known organisations with canonical ids,
// demonyms, titles, non-entity words, name head words, English first names (with
// their sex), one-word WordNet proper nouns (PERSON or LOC) and common
// lower-case English words; with an Aho–Corasick matcher over all names.
//
// Built once from the compiled records of GazetteerData() (or test records) and
// then read-only and thread-safe.
#ifndef NEWSD_STAGES_ENTITIES_GAZETTEER_H_
#define NEWSD_STAGES_ENTITIES_GAZETTEER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "stages/entities/aho_corasick.h"

namespace newsd::stages {

enum class GazKind : uint8_t {
  kCountry,      // index into countries()
  kSubdivision,  // index into subdivisions()
  kCity,         // index into cities()
  kRegion,       // index into regions()
  kOrg,          // index into orgs()
  kDemonym,      // index into demonyms()
  kTitle,        // index into titles()
  kNonEntity,    // weekday, month ... (index unused)
};

// Grammatical gender a first name suggests (for "he"/"she" resolution).
enum class NameGender : uint8_t { kUnknown, kMale, kFemale };

// One reading of a matched name.
struct GazEntry {
  GazKind kind;
  // The name must appear in capitals exactly (short all-caps aliases: "US", "UN").
  bool case_sensitive;
  uint32_t index;
};

struct GazCountry {
  std::string code;  // ISO 3166-1 alpha-2
  std::string name;  // English short name ("Russia")
  double latitude;   // WGS84 degrees, a representative point (world-countries)
  double longitude;
};

struct GazCity {
  uint64_t geonames_id;
  std::string name;          // English name ("Geneva")
  std::string country_code;  // ISO 3166-1 alpha-2
  std::string feature_code;  // GeoNames feature code ("PPLC" capital, "PPLA" ...)
  uint64_t population;       // inhabitants (GeoNames)
  double latitude;           // WGS84 degrees
  double longitude;
};

struct GazSubdivision {
  std::string code;          // ISO 3166-2 ("US-AR")
  std::string name;          // "Arkansas"
  std::string country_code;  // "US"
};

struct GazRegion {
  std::string type;  // "LOC" (continents, seas, regions)
  std::string link;  // "geonames:6255148" or ""
  std::string name;
};

struct GazOrg {
  std::string id;    // canonical id ("org:opcw")
  std::string type;  // "ORG"
  std::string name;  // canonical name
};

struct GazDemonym {
  std::string word;  // as written ("Kazakh")
  int32_t country;   // index into countries(), -1 for a group with no country
};

struct GazTitle {
  std::string text;  // "Foreign Minister"
  bool honorific;    // "Mr.", "Dr." ...: a form of address, not a role
};

class Gazetteer {
 public:
  // Parses `records` (the format of GazetteerData()). Cities below
  // `min_city_population` inhabitants are left out, except capitals (PPLC).
  // Errors: kInvalidArgument naming the line of a malformed record.
  static absl::StatusOr<std::unique_ptr<const Gazetteer>> Load(absl::string_view records,
                                                               uint64_t min_city_population);

  // Symbol of a token key (see stages/common/tokens.h) for FindAll; 0 if no name uses it.
  uint32_t Symbol(absl::string_view key) const;
  // Every occurrence of every name in a token-symbol sequence.
  void FindAll(absl::Span<const uint32_t> symbols,
               std::vector<TokenAhoCorasick::Match>* out) const {
    matcher_.FindAll(symbols, out);
  }
  // The readings of a matched pattern.
  absl::Span<const GazEntry> entries(uint32_t pattern) const { return entries_[pattern]; }

  const std::vector<GazCountry>& countries() const { return countries_; }
  const std::vector<GazCity>& cities() const { return cities_; }
  const std::vector<GazSubdivision>& subdivisions() const { return subdivisions_; }
  const std::vector<GazRegion>& regions() const { return regions_; }
  const std::vector<GazOrg>& orgs() const { return orgs_; }
  const std::vector<GazDemonym>& demonyms() const { return demonyms_; }
  const std::vector<GazTitle>& titles() const { return titles_; }
  // Index into countries() of an ISO 3166-1 alpha-2 code, -1 if unknown.
  int32_t CountryIndex(absl::string_view code) const;

  // `key` (lower case) is a common English word (Debian wamerican).
  bool IsCommonWord(absl::string_view key) const { return words_.contains(key); }
  // `key` (lower case) is a common English first name.
  bool IsFirstName(absl::string_view key) const { return first_names_.contains(key); }
  // Sex of first name `key` (lower case): kMale or kFemale when it is on only one
  // of the two lists, kUnknown when on both ("Jordan") or on neither.
  NameGender FirstNameGender(absl::string_view key) const {
    auto it = first_names_.find(key);
    return it == first_names_.end() ? NameGender::kUnknown : it->second;
  }
  // Entity type of a one-word proper noun of WordNet 3.1 (`key` lower case):
  // "PERSON" ("gorbachev", "zeus"), "LOC" ("brooklyn", "tuscany") or "ORG" (a
  // noun.group name: "scientology", "hamas", "interpol"), "" if none or of
  // several types ("washington").
  absl::string_view ProperNounType(absl::string_view key) const {
    auto it = proper_nouns_.find(key);
    return it == proper_nouns_.end() ? absl::string_view() : absl::string_view(it->second);
  }
  // Entity type ("ORG", "LOC", "FAC", "EVENT") a capitalised head word gives to a
  // name containing it ("University" → ORG), "" if none. Case-sensitive.
  absl::string_view KeywordType(absl::string_view word) const;

 private:
  Gazetteer() = default;
  // Adds `name` (tokenized like article text) as a pattern with reading `entry`.
  void AddName(absl::string_view name, GazKind kind, uint32_t index);
  // AddName for `name` and each of the |-separated `aliases`.
  void AddNames(absl::string_view name, absl::string_view aliases, GazKind kind,
                uint32_t index);

  TokenAhoCorasick matcher_;
  absl::flat_hash_map<std::string, uint32_t> vocabulary_;
  std::vector<std::vector<GazEntry>> entries_;
  std::vector<GazCountry> countries_;
  std::vector<GazCity> cities_;
  std::vector<GazSubdivision> subdivisions_;
  std::vector<GazRegion> regions_;
  std::vector<GazOrg> orgs_;
  std::vector<GazDemonym> demonyms_;
  std::vector<GazTitle> titles_;
  absl::flat_hash_map<std::string, int32_t> country_index_;
  absl::flat_hash_set<std::string> words_;
  absl::flat_hash_map<std::string, NameGender> first_names_;
  absl::flat_hash_map<std::string, const char*> proper_nouns_;
  absl::flat_hash_map<std::string, std::string> keywords_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_ENTITIES_GAZETTEER_H_
