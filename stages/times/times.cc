#include "stages/times/times.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/timestamp.pb.h"
#include "stages/common/spans.h"
#include "stages/common/tokens.h"
#include "stages/common/unicode.h"
#include "stages/times/timex.h"
#include "unicode/timezone.h"
#include "unicode/strenum.h"

namespace newsd::stages {
namespace {

// Paragraphs among the first this many that may be a date line.
constexpr int kDateLineParagraphs = 2;

bool HasTime(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// The zone of the dateline place: its first GPE in Dateline.places, else a GPE
// entity with a mention inside the dateline span, or named like the dateline place.
absl::TimeZone DatelineZone(const v1::Article& article) {
  const v1::Dateline& d = article.dateline();
  if (d.place().empty()) return absl::UTCTimeZone();
  // Its first place resolved by the entities stage.
  for (const v1::DatelinePlace& p : d.places()) {
    if (p.type() != "GPE" || p.geo().country_code().empty()) continue;
    if (std::optional<absl::TimeZone> zone = CountryTimeZone(p.geo().country_code())) {
      return *zone;
    }
    break;
  }
  for (const v1::Entity& e : article.entities()) {
    if (e.type() != "GPE" || e.geo().country_code().empty()) continue;
    bool in_dateline = absl::StartsWithIgnoreCase(d.place(), e.name());
    for (const v1::Mention& m : e.mentions()) {
      in_dateline |= d.has_span() && m.begin() >= d.span().begin() && m.end() <= d.span().end();
    }
    if (!in_dateline) continue;
    if (std::optional<absl::TimeZone> zone = CountryTimeZone(e.geo().country_code())) {
      return *zone;
    }
    break;
  }
  return absl::UTCTimeZone();
}

// The day `text` names if it is a date (`at_start`: if it opens with one).
std::optional<Timex> DateIn(absl::string_view text, const std::optional<absl::CivilDay>& ref,
                            bool at_start) {
  // Most paragraphs do not open with a time expression: skip the full search then
  // (from the first non-space character to the end, trailing space included).
  if (at_start &&
      !MayStartWithTimex(text.substr(TrimWhitespace(text).data() - text.data()))) {
    return std::nullopt;
  }
  const std::vector<Timex> found = FindTimexes(text, ref);
  if (found.empty() || found[0].type != "DATE" || !DayOfValue(found[0].value)) {
    return std::nullopt;
  }
  if (at_start) {
    const absl::string_view trimmed = TrimWhitespace(text);
    const size_t lead = CountCodePoints(text.substr(0, trimmed.data() - text.data()));
    if (found[0].begin != lead) return std::nullopt;
  }
  return found[0];
}

// A date line among the first paragraphs: a paragraph that opens with a full
// date with its year ("Thursday, May 7, 2015 On Tuesday, ..."); its index, or -1.
int DateLineParagraph(const v1::Article& article, const std::optional<absl::CivilDay>& ref,
                      std::optional<Timex>* date) {
  for (int i = 0; i < std::min(article.paragraphs_size(), kDateLineParagraphs); ++i) {
    absl::StatusOr<absl::string_view> p = SpanText(article.text(), article.paragraphs(i));
    if (!p.ok()) continue;
    if ((*date = DateIn(*p, ref, /*at_start=*/true)).has_value() && !(*date)->relative) return i;
  }
  return -1;
}

// Country → its single canonical IANA zone, from one pass over ICU's canonical
// location zones (a per-country ICU enumeration scans every zone id: ~3 M
// instructions per country, paid by the first articles of each country).
// Countries with several zones map to nullopt; zones absl cannot load are left
// out (nullopt as well).
const absl::flat_hash_map<std::string, std::optional<absl::TimeZone>>& CountryZones() {
  static const auto* const zones = [] {
    auto* by_country = new absl::flat_hash_map<std::string, std::optional<absl::TimeZone>>();
    absl::flat_hash_map<std::string, std::string> first_zone;
    absl::flat_hash_map<std::string, int> count;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::StringEnumeration> ids(icu::TimeZone::createTimeZoneIDEnumeration(
        UCAL_ZONE_TYPE_CANONICAL_LOCATION, nullptr, nullptr, status));
    if (U_FAILURE(status) || ids == nullptr) return by_country;
    while (const char* id = ids->next(nullptr, status)) {
      if (U_FAILURE(status)) break;
      char region[8] = {0};
      UErrorCode region_status = U_ZERO_ERROR;
      const int32_t n = icu::TimeZone::getRegion(icu::UnicodeString::fromUTF8(id), region,
                                                 sizeof(region), region_status);
      if (U_FAILURE(region_status) || n <= 0 || n >= static_cast<int32_t>(sizeof(region))) {
        continue;
      }
      if (++count[region] == 1) first_zone[region] = id;
    }
    for (const auto& [region, n] : count) {
      absl::TimeZone zone;
      if (n == 1 && absl::LoadTimeZone(first_zone[region], &zone)) {
        (*by_country)[region] = zone;
      } else {
        (*by_country)[region] = std::nullopt;
      }
    }
    return by_country;
  }();
  return *zones;
}

}  // namespace

std::optional<absl::TimeZone> CountryTimeZone(absl::string_view country) {
  if (country.size() != 2) return std::nullopt;
  const char code[2] = {absl::ascii_toupper(static_cast<unsigned char>(country[0])),
                        absl::ascii_toupper(static_cast<unsigned char>(country[1]))};
  const auto& zones = CountryZones();
  auto it = zones.find(absl::string_view(code, 2));
  return it == zones.end() ? std::nullopt : it->second;
}

TimesStage::TimesStage(TimesOptions options) : options_(std::move(options)) { CountryZones(); }

std::optional<Anchor> FindAnchor(const v1::Article& article) {
  const absl::TimeZone zone = DatelineZone(article);
  std::optional<Anchor> instant;
  auto from = [&](const google::protobuf::Timestamp& t, const char* source) {
    if (!instant.has_value() && HasTime(t)) {
      instant = Anchor{absl::ToCivilDay(ToTime(t), zone), source};
    }
  };
  from(article.wire().first_created(), "first_created");
  from(article.published_at(), "published_at");
  from(article.source().timestamp(), "kafka_timestamp");
  std::optional<absl::CivilDay> ref;
  if (instant.has_value()) ref = instant->day;

  std::optional<Timex> date;
  if (!article.dateline().date().empty()) {
    date = DateIn(article.dateline().date(), ref, /*at_start=*/false);
  }
  if (!date.has_value()) DateLineParagraph(article, ref, &date);
  if (date.has_value()) {
    return Anchor{*DayOfValue(date->value), "dateline", !date->relative};
  }
  return instant;
}

absl::Status TimesStage::Process(v1::Article& article, const StageContext& ctx) const {
  article.clear_times();
  const std::string& text = article.text();
  // The shared token stream when the chain built one (decoded, validated text);
  // else the text is validated and decoded here.
  const TextAnalysis* analysis = FindTextAnalysis(article, ctx.analyses);
  if (analysis != nullptr ? analysis->invalid_utf8_at.has_value()
                          : FindInvalidUtf8(text).has_value()) {
    return absl::InvalidArgumentError("times: text is not valid UTF-8");
  }
  const uint32_t n =
      analysis != nullptr ? analysis->size() : static_cast<uint32_t>(CountCodePoints(text));
  for (const v1::Span& p : article.paragraphs()) {
    if (absl::Status s = CheckSpan(p, n, "paragraph"); !s.ok()) return s;
  }
  if (article.dateline().has_span()) {
    if (absl::Status s = CheckSpan(article.dateline().span(), n, "dateline"); !s.ok()) return s;
  }
  const std::string language(
      absl::string_view(article.language()).substr(0, article.language().find('-')));
  if (!language.empty() && language != "und" &&
      std::find(options_.languages.begin(), options_.languages.end(), language) ==
          options_.languages.end()) {
    static constexpr absl::string_view kSkipped = "times_skipped_language";
    if (std::find(article.flags().begin(), article.flags().end(), kSkipped) ==
        article.flags().end()) {
      article.add_flags(std::string(kSkipped));
    }
    return absl::OkStatus();
  }

  const std::optional<Anchor> anchor = FindAnchor(article);
  std::optional<absl::CivilDay> day;
  std::string anchor_value;
  if (anchor.has_value()) {
    day = anchor->day;
    anchor_value = absl::StrFormat("%04d-%02d-%02d", day->year(), day->month(), day->day());
    if (!HasTime(article.published_at()) && anchor->from_text_date_with_year) {
      article.mutable_published_at()->set_seconds(
          absl::ToUnixSeconds(absl::FromCivil(*day, absl::UTCTimeZone())));
    }
  }

  // The lede: the first body paragraph that is not a date line.
  std::optional<Timex> unused;
  const int date_line = DateLineParagraph(article, day, &unused);
  v1::Span lede;
  for (int i = 0; i < article.paragraphs_size(); ++i) {
    if (i != date_line && article.paragraphs(i).end() > article.paragraphs(i).begin()) {
      lede = article.paragraphs(i);
      break;
    }
  }

  std::string event_date;
  CodePointCursor cursor(text);  // the timexes come in text order
  for (Timex& t : analysis != nullptr ? FindTimexes(analysis->code_points, day)
                                      : FindTimexes(text, day)) {
    v1::TimeExpression& out = *article.add_times();
    out.set_begin(t.begin);
    out.set_end(t.end);
    if (std::optional<absl::string_view> surface =
            analysis != nullptr ? analysis->Substr(text, t.begin, t.end)
                                : cursor.Substr(t.begin, t.end)) {
      out.set_text(std::string(*surface));
    }
    out.set_type(t.type);
    out.set_value(t.value);
    out.set_mod(t.mod);
    if (anchor.has_value()) {
      out.set_anchor(anchor_value);
      out.set_anchor_source(anchor->source);
    }
    if (event_date.empty() && t.type == "DATE" && t.begin >= lede.begin() &&
        t.end <= lede.end() && t.value.size() == 10 && DayOfValue(t.value).has_value()) {
      event_date = t.value;
    }
  }
  if (event_date.empty() && anchor.has_value() && anchor->source == "dateline") {
    event_date = anchor_value;
  }
  article.set_event_date(event_date);
  return absl::OkStatus();
}

}  // namespace newsd::stages
