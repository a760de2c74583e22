#include "stages/entities/gazetteer.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/common/tokens.h"

namespace newsd::stages {
namespace {

constexpr absl::string_view kHonorifics[] = {"mr",  "mr.",  "mrs",  "mrs.", "ms",   "ms.",
                                             "miss", "dr",  "dr.",  "prof", "prof.", "sir",
                                             "dame", "lord", "lady", "rev", "rev.", "reverend"};

bool IsHonorific(absl::string_view title) {
  const std::string lower = absl::AsciiStrToLower(title);
  for (absl::string_view h : kHonorifics) {
    if (lower == h) return true;
  }
  return false;
}

// An alias matched case-sensitively: all capitals, at most 6 letters ("UN", "U.S.").
bool IsShortAllCaps(absl::string_view name) {
  int letters = 0;
  for (char c : name) {
    if (absl::ascii_islower(static_cast<unsigned char>(c))) return false;
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) ++letters;
    else if (c != '.' && c != '-') return false;
  }
  return letters >= 2 && letters <= 6;
}

// English plural of a demonym used as a noun ("Russians", "Kazakhs"), or "" when
// the plural is the word itself ("French", "Swiss", "Chinese").
std::string DemonymPlural(absl::string_view word) {
  for (absl::string_view end : {"s", "sh", "ch", "ese", "x", "z"}) {
    if (absl::EndsWith(word, end)) return "";
  }
  return absl::StrCat(word, "s");
}

std::vector<absl::string_view> SplitAliases(absl::string_view field) {
  return absl::StrSplit(field, '|', absl::SkipEmpty());
}

absl::Status LineError(int line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("gazetteer record ", line, ": ", what));
}

}  // namespace

uint32_t Gazetteer::Symbol(absl::string_view key) const {
  auto it = vocabulary_.find(key);
  return it == vocabulary_.end() ? 0 : it->second;
}

int32_t Gazetteer::CountryIndex(absl::string_view code) const {
  auto it = country_index_.find(code);
  return it == country_index_.end() ? -1 : it->second;
}

absl::string_view Gazetteer::KeywordType(absl::string_view word) const {
  auto it = keywords_.find(word);
  return it == keywords_.end() ? absl::string_view() : absl::string_view(it->second);
}

void Gazetteer::AddName(absl::string_view name, GazKind kind, uint32_t index) {
  std::vector<Token> tokens = Tokenize(name);
  size_t first = 0;
  // "the United Nations" is matched as "United Nations": the article is not
  // part of the name.
  if (tokens.size() > 1 && tokens[0].key == "the") first = 1;
  if (first >= tokens.size()) return;
  std::vector<uint32_t> symbols;
  symbols.reserve(tokens.size());
  for (size_t i = first; i < tokens.size(); ++i) {
    auto [it, inserted] =
        vocabulary_.emplace(tokens[i].key, static_cast<uint32_t>(vocabulary_.size() + 1));
    symbols.push_back(it->second);
  }
  const uint32_t pattern = matcher_.Add(symbols);
  if (pattern >= entries_.size()) entries_.resize(pattern + 1);
  const GazEntry entry{kind, IsShortAllCaps(name), index};
  for (const GazEntry& e : entries_[pattern]) {
    if (e.kind == entry.kind && e.index == entry.index) return;
  }
  entries_[pattern].push_back(entry);
}

void Gazetteer::AddNames(absl::string_view name, absl::string_view aliases, GazKind kind,
                         uint32_t index) {
  AddName(name, kind, index);
  for (absl::string_view a : SplitAliases(aliases)) AddName(a, kind, index);
}

absl::StatusOr<std::unique_ptr<const Gazetteer>> Gazetteer::Load(
    absl::string_view records, uint64_t min_city_population) {
  auto g = std::unique_ptr<Gazetteer>(new Gazetteer());
  int line_number = 0;
  // Country demonyms are added after all countries are known.
  std::vector<std::pair<std::string, std::string>> demonym_rows;
  for (absl::string_view line : absl::StrSplit(records, '\n', absl::SkipEmpty())) {
    ++line_number;
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    const absl::string_view kind = f[0];
    auto need = [&](size_t n) { return f.size() >= n; };
    if (kind == "C") {
      if (!need(7)) return LineError(line_number, "country needs 7 fields");
      GazCountry c{std::string(f[1]), std::string(f[2]), 0, 0};
      if (!absl::SimpleAtod(f[3], &c.latitude) || !absl::SimpleAtod(f[4], &c.longitude)) {
        return LineError(line_number, "bad country coordinates");
      }
      const auto index = static_cast<uint32_t>(g->countries_.size());
      g->country_index_[c.code] = static_cast<int32_t>(index);
      g->AddNames(c.name, f[5], GazKind::kCountry, index);
      for (absl::string_view d : SplitAliases(f[6])) demonym_rows.emplace_back(d, c.code);
      g->countries_.push_back(std::move(c));
    } else if (kind == "S") {
      if (!need(4)) return LineError(line_number, "subdivision needs 4 fields");
      const auto index = static_cast<uint32_t>(g->subdivisions_.size());
      g->subdivisions_.push_back({std::string(f[1]), std::string(f[2]), std::string(f[3])});
      g->AddName(f[2], GazKind::kSubdivision, index);
    } else if (kind == "P") {
      if (!need(9)) return LineError(line_number, "city needs 9 fields");
      GazCity c;
      c.name = std::string(f[2]);
      c.country_code = std::string(f[3]);
      c.feature_code = std::string(f[4]);
      if (!absl::SimpleAtoi(f[1], &c.geonames_id) || !absl::SimpleAtoi(f[5], &c.population) ||
          !absl::SimpleAtod(f[6], &c.latitude) || !absl::SimpleAtod(f[7], &c.longitude)) {
        return LineError(line_number, "bad city number");
      }
      if (c.population < min_city_population && c.feature_code != "PPLC") continue;
      const auto index = static_cast<uint32_t>(g->cities_.size());
      g->AddNames(c.name, f[8], GazKind::kCity, index);
      g->cities_.push_back(std::move(c));
    } else if (kind == "R") {
      if (!need(4)) return LineError(line_number, "region needs 4 fields");
      const auto index = static_cast<uint32_t>(g->regions_.size());
      g->regions_.push_back({std::string(f[1]), std::string(f[2]), std::string(f[3])});
      g->AddNames(f[3], f.size() > 4 ? f[4] : "", GazKind::kRegion, index);
    } else if (kind == "O") {
      if (!need(4)) return LineError(line_number, "organisation needs 4 fields");
      const auto index = static_cast<uint32_t>(g->orgs_.size());
      g->orgs_.push_back({std::string(f[1]), std::string(f[2]), std::string(f[3])});
      g->AddNames(f[3], f.size() > 4 ? f[4] : "", GazKind::kOrg, index);
    } else if (kind == "D") {
      if (!need(2)) return LineError(line_number, "demonym needs 2 fields");
      demonym_rows.emplace_back(f[1], f.size() > 2 ? f[2] : "");
    } else if (kind == "T") {
      if (!need(2)) return LineError(line_number, "title needs 2 fields");
      const auto index = static_cast<uint32_t>(g->titles_.size());
      g->titles_.push_back({std::string(f[1]), IsHonorific(f[1])});
      g->AddName(f[1], GazKind::kTitle, index);
    } else if (kind == "N") {
      if (!need(2)) return LineError(line_number, "non-entity needs 2 fields");
      g->AddName(f[1], GazKind::kNonEntity, 0);
    } else if (kind == "K") {
      if (!need(3)) return LineError(line_number, "keyword needs 3 fields");
      g->keywords_[f[2]] = std::string(f[1]);
    } else if (kind == "F") {
      if (!need(2)) return LineError(line_number, "first name needs 2 fields");
      const absl::string_view sex = f.size() > 2 ? f[2] : "";
      g->first_names_[std::string(f[1])] = sex == "m"   ? NameGender::kMale
                              : sex == "f" ? NameGender::kFemale
                                           : NameGender::kUnknown;
    } else if (kind == "I") {
      if (!need(3) || (f[2] != "PERSON" && f[2] != "LOC" && f[2] != "ORG")) {
        return LineError(line_number, "proper noun needs a name and PERSON, LOC or ORG");
      }
      g->proper_nouns_[std::string(f[1])] = f[2] == "PERSON" ? "PERSON"
                                            : f[2] == "LOC"  ? "LOC"
                                                             : "ORG";
    } else if (kind == "W") {
      if (!need(2)) return LineError(line_number, "word needs 2 fields");
      g->words_.emplace(f[1]);
    } else {
      return LineError(line_number, absl::StrCat("unknown record kind '", kind, "'"));
    }
  }
  for (const auto& [word, code] : demonym_rows) {
    const int32_t country = code.empty() ? -1 : g->CountryIndex(code);
    if (!code.empty() && country < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("gazetteer: demonym '", word, "' names unknown country ", code));
    }
    const auto index = static_cast<uint32_t>(g->demonyms_.size());
    g->demonyms_.push_back({word, country});
    g->AddName(word, GazKind::kDemonym, index);
    const std::string plural = DemonymPlural(word);
    if (!plural.empty()) g->AddName(plural, GazKind::kDemonym, index);
  }
  g->matcher_.Build();
  return std::unique_ptr<const Gazetteer>(std::move(g));
}

}  // namespace newsd::stages
