// The "entities" stage: named entities with stable ids, names resolved within the
// article, and places on the map.
//
// Reads Article.text, .headline, .sentences (from the segment stage), .dateline
// and .language; replaces Article.entities and Article.dateline.places. The
// dateline span is not body text: no mention lies in it; the places its place
// names ("GENEVA/BRUSSELS", "ASTANA, Kazakhstan") are resolved like entities into
// Dateline.places, with the id of the entity when the body names the place too.
// Each Entity groups the mentions of
// one real thing ("Sergey Lavrov" ← "Russian Foreign Minister Sergey Lavrov",
// "Lavrov"; "Russia" ← "Russia", "Russia's", "Russian"), with:
//   type        PERSON, ORG, GPE, LOC, NORP, FAC or EVENT (OntoNotes names);
//   name        canonical name (gazetteer name, else the longest mention);
//   link        "iso3166:RU" (countries, and demonyms linked to them),
//               "iso3166-2:US-AR" (subdivisions), "geonames:<id>" (cities,
//               continents), "org:<slug>" (well-known organisations), else "";
//   geo         GeoNames id, ISO country, WGS84 lat/lon, population and feature
//               code for places;
//   role        the title the text gives a person ("Foreign Minister");
//   salience    in [0, 1], 1 for the most salient entity of the article;
//   confidence  in [0, 1], from the strongest evidence for the entity.
// Mention offsets are Unicode code points into Article.text; a mention never
// includes a possessive "'s" / "’s". A demonym mention of a country entity has
// Mention.type "NORP".
// "the North/South/East/West/Midwest" (capitalised, alone) is a LOC region.
// Mentions of different entities may nest: a country, subdivision or city
// inside the name of an organisation or facility is a mention of the place too
// ("Copenhagen" in "University of Copenhagen"; not a one-word place that is an
// English word, "Pace University"), and a person heading the name of an
// organisation, facility or event is a mention of the person ("Andy Warhol" in
// "Andy Warhol Foundation for the Visual Arts": a person the article names, or a
// first name and a surname before the head word).
//
// Besides names, an entity gets coreferent mentions (Mention.kind; they never
// change its name, type, link or confidence, and count a quarter of a name in
// its salience):
//   PRONOUN  "he/him/his/himself" and "she/her/hers/herself" for a person named
//            in the same or the previous sentence whose sex is compatible (from
//            the first-name lists, or an earlier pronoun), preferring the most
//            mentioned so far and the subject of a reporting verb ("Lavrov said
//            after meeting his ..."); in an interview ("Interview with X",
//            "Wikinews interviews X", "X interviewed by Y", "An interview ..." in
//            the headline or first body sentence), "I/me/my/mine/myself" in answers
//            and "you/your/yours/yourself" in questions (paragraphs ending with
//            "?") for the first person named in the first three sentences;
//   NOMINAL  "the country/nation" (a country), "the city/town/capital" (a city),
//            "the state/province/region" (a subdivision or region), "the
//            company/firm/organization/group/team/club/party/agency/band" (an
//            organisation) and "the university/church/ministry/council/..." (an
//            organisation with that word in its name) for the most recent such
//            entity in the last four sentences; not when "of" or a capitalised
//            word follows ("the city of Lahore", "the company Apple").
//
// How: gazetteers compiled at build time (see gazetteer.h and data/README.md),
// matched with a token Aho–Corasick automaton, plus rules: capitalised-name
// chunks (not at sentence starts for common words), titles and honorifics,
// name head words (University → ORG, River → LOC, Airport → FAC, War → EVENT),
// first names, reporting verbs, acronym–expansion pairs, surname coreference,
// one-word WordNet proper nouns typing lone names ("Gorbachev" PERSON), a
// capitalised "The" inside a sentence starting an organisation's title ("told
// The Huffington Post"), and case-insensitive matching of ALL-CAPS and Title Case headlines and
// datelines against the gazetteer and the names found in the rest of the text.
// Places are disambiguated by the dateline, the countries the article mentions,
// capital status and population.
//
// Cost: about linear in the text size (a 1 MiB text of names or of ALL-CAPS words
// in one sentence takes ~0.1-0.2 s). One bound makes it so: a pronoun or definite
// description looks back through at most the 256 most recent mentions
// (kMaxReferenceLookBack; the sentence limits above stay), where news sentences
// have a few dozen (at most 21 in Reuters-21578, GUM Wikinews and the seed).
#ifndef NEWSD_STAGES_ENTITIES_ENTITIES_H_
#define NEWSD_STAGES_ENTITIES_ENTITIES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/stage.h"
#include "stages/entities/gazetteer.h"

namespace newsd::stages {

struct EntitiesOptions {
  // Cities with fewer inhabitants are not in the gazetteer (capitals always are);
  // option "min_city_population", default 15000, at least the build's 15000.
  uint64_t min_city_population = 15000;
  // Entities below this confidence are dropped; option "min_confidence" in [0, 1].
  double min_confidence = 0.5;
  // Languages (BCP-47 primary tags) the rules are for; articles in another
  // detected language get no entities and the flag "entities_skipped_language".
  // "", "und" (undetermined) always run.
  // Option "languages", comma-separated, default "en".
  std::vector<std::string> languages = {"en"};
};

class EntitiesStage final : public Stage {
 public:
  // Uses the compiled gazetteer (shared between stages with the same
  // min_city_population). Errors: kInvalidArgument for an out-of-range option;
  // kInternal if the compiled gazetteer does not parse (a build bug).
  static absl::StatusOr<std::unique_ptr<EntitiesStage>> Create(EntitiesOptions options);

  // Same with a given gazetteer (tests).
  static std::unique_ptr<EntitiesStage> CreateWithGazetteer(
      EntitiesOptions options, std::shared_ptr<const Gazetteer> gazetteer);

  absl::string_view name() const override { return "entities"; }

  // Replaces article.entities and article.dateline.places (see the file
  // comment). Errors (kInvalidArgument):
  // text not valid UTF-8, or a headline/sentence/dateline span out of range.
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

  const Gazetteer& gazetteer() const { return *gazetteer_; }

 private:
  EntitiesStage(EntitiesOptions options, std::shared_ptr<const Gazetteer> gazetteer)
      : options_(std::move(options)), gazetteer_(std::move(gazetteer)) {}

  const EntitiesOptions options_;
  const std::shared_ptr<const Gazetteer> gazetteer_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_ENTITIES_ENTITIES_H_
