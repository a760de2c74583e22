// The "times" stage: TIMEX3 time expressions resolved against the article's
// reference time, plus Article.published_at and Article.event_date hints.
//
// Reads Article.text, .paragraphs, .dateline (with .places, the dateline place's
// country, for its time zone), .entities (the same for an older entities stage), .wire.first_created, .published_at,
// .source.timestamp and .language; replaces Article.times (see timex.h for the
// expressions and values, TimeML TIMEX3 1.2.1).
//
// Anchor (the reference day), first found wins:
//   1. the dateline date (Dateline.date, "Sept 12"; its year from the next
//      sources), or a body paragraph among the first two that is only a full
//      date ("Tuesday, September 1, 2015", as Wikinews writes its date line)
//      → anchor_source "dateline";
//   2. Wire.first_created → "first_created";
//   3. Article.published_at → "published_at";
//   4. Source.timestamp (Kafka) → "kafka_timestamp".
// Instants become days in the dateline city's time zone when the dateline place
// is a GPE (Dateline.places, else an entity) of a country with a single IANA zone (ICU's zone data), else
// in UTC. The wall clock is never used, so replaying an input gives the same
// output. Without any anchor, relative expressions keep X placeholders.
//
// Also: published_at, when unset, is set to 00:00 UTC of a dateline date that
// has a year; event_date is the first day-precise DATE of the lede (first body
// paragraph that is not a date line), else the dateline day, else "".
#ifndef NEWSD_STAGES_TIMES_TIMES_H_
#define NEWSD_STAGES_TIMES_TIMES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pipeline/stage.h"

namespace newsd::stages {

struct TimesOptions {
  // Languages (BCP-47 primary tags) the English rules run for; articles in any
  // other detected language get no time expressions and the flag
  // "times_skipped_language". "" and "und" always run.
  // Option "languages", comma-separated, default "en".
  std::vector<std::string> languages = {"en"};
};

// The reference day of `article` and where it came from (see the file comment);
// nullopt if the article has none of the sources.
struct Anchor {
  absl::CivilDay day;
  std::string source;  // "dateline", "first_created", "published_at", "kafka_timestamp"
  bool from_text_date_with_year = false;  // a dateline date that gave its own year
};
std::optional<Anchor> FindAnchor(const v1::Article& article);

// The IANA zone of ISO 3166-1 alpha-2 `country` if it has exactly one canonical
// zone in ICU's data ("KZ" has several → nullopt, "CH" → "Europe/Zurich").
std::optional<absl::TimeZone> CountryTimeZone(absl::string_view country);

class TimesStage final : public Stage {
 public:
  // Builds the country → time zone table (one pass over ICU's zones, a few
  // milliseconds) here rather than on the first article.
  explicit TimesStage(TimesOptions options);

  absl::string_view name() const override { return "times"; }

  // Replaces article.times; may set published_at and event_date (see the file
  // comment). Errors (kInvalidArgument): text not valid UTF-8, or a paragraph or
  // dateline span out of range.
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

 private:
  const TimesOptions options_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_TIMES_TIMES_H_
