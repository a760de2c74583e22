#include "stages/decode/wire_time.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/util/time_util.h"
#include "re2/re2.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace newsd::stages {
namespace {

struct ZoneName {
  absl::string_view name;
  absl::string_view offset;
};

// RFC 2822 §4.3 obsolete zone names.
constexpr ZoneName kZones[] = {
    {" UT", " +0000"},  {" GMT", " +0000"}, {" UTC", " +0000"}, {" Z", " +0000"},
    {" EST", " -0500"}, {" EDT", " -0400"}, {" CST", " -0600"}, {" CDT", " -0500"},
    {" MST", " -0700"}, {" MDT", " -0600"}, {" PST", " -0800"}, {" PDT", " -0700"},
};

constexpr const char* kFormats[] = {
    "%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d%ET%H:%M:%E*S", "%Y-%m-%d%ET%H:%M%Ez",
    // RFC 3339 §5.6 allows a space instead of "T"; a zone name may follow a space.
    "%Y-%m-%d %H:%M:%E*S%Ez",   "%Y-%m-%d %H:%M:%E*S",   "%Y-%m-%d%ET%H:%M:%E*S %z",
    "%Y-%m-%d %H:%M:%E*S %z",
    "%Y-%m-%d%ET%H:%M",         "%Y-%m-%d",              "%a, %d %b %Y %H:%M:%S %z",
    "%a, %d %b %Y %H:%M %z",    "%d %b %Y %H:%M:%S %z",  "%d %b %Y %H:%M %z",
};

// ISO 8601 basic format ("20020225T143000-0500") → extended
// ("2002-02-25T14:30:00-05:00"); absl's %Y would read all eight digits as the year.
std::string BasicToExtended(const std::string& v) {
  static const RE2* const re =
      new RE2(R"((\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?([.,]\d+)?(Z|[+-]\d{2}:?\d{2})?)?)");
  std::string y, mo, d, h, mi, s, frac, zone;
  if (!RE2::FullMatch(v, *re, &y, &mo, &d, &h, &mi, &s, &frac, &zone)) return v;
  std::string out = absl::StrCat(y, "-", mo, "-", d);
  if (h.empty()) return out;
  if (zone.size() == 5) zone = absl::StrCat(zone.substr(0, 3), ":", zone.substr(3));
  absl::StrAppend(&out, "T", h, ":", mi, ":", s.empty() ? "00" : s, frac.empty() ? "" : ".",
                  frac.empty() ? "" : frac.substr(1), zone);
  return out;
}

}  // namespace

std::optional<absl::Time> ParseWireTime(absl::string_view value) {
  std::string v(absl::StripAsciiWhitespace(value));
  if (v.empty() || v.size() > 64) return std::nullopt;
  for (const ZoneName& z : kZones) {
    if (absl::EndsWithIgnoreCase(v, z.name)) {
      v = absl::StrCat(v.substr(0, v.size() - z.name.size()), z.offset);
      break;
    }
  }
  v = BasicToExtended(v);
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, v, absl::UTCTimeZone(), &t, &err)) {
      if (!IsPlausibleWireTime(t)) return std::nullopt;
      return t;
    }
  }
  return std::nullopt;
}

bool IsPlausibleWireTime(absl::Time t) {
  static const absl::Time kFirst =
      absl::FromCivil(absl::CivilSecond(1900, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  static const absl::Time kEnd =
      absl::FromCivil(absl::CivilSecond(2200, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  return t >= kFirst && t < kEnd;
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

bool SetWireTime(absl::string_view value, v1::Wire* wire,
                 google::protobuf::Timestamp* (v1::Wire::*field)(),
                 std::vector<std::string>* flags) {
  if (absl::StripAsciiWhitespace(value).empty()) return false;
  const std::optional<absl::Time> t = ParseWireTime(value);
  if (!t.has_value()) {
    if (std::find(flags->begin(), flags->end(), "date_unparsed") == flags->end()) {
      flags->push_back("date_unparsed");
    }
    return false;
  }
  *(wire->*field)() = ToTimestamp(*t);
  return true;
}

void SetEmbargoTime(absl::string_view value, v1::Wire* wire, std::vector<std::string>* flags) {
  if (absl::StripAsciiWhitespace(value).empty()) return;
  std::vector<std::string> ignored;
  if (!SetWireTime(value, wire, &v1::Wire::mutable_embargo_until, &ignored)) {
    flags->push_back("embargo_unparsed");
  }
}

v1::PubStatus ParsePubStatus(absl::string_view value) {
  absl::string_view v = absl::StripAsciiWhitespace(value);
  const size_t colon = v.rfind(':');
  if (colon != absl::string_view::npos) v.remove_prefix(colon + 1);
  const std::string lower = absl::AsciiStrToLower(v);
  if (lower == "usable") return v1::PUB_STATUS_USABLE;
  if (lower == "withheld" || lower == "embargoed") return v1::PUB_STATUS_WITHHELD;
  if (lower == "canceled" || lower == "cancelled") return v1::PUB_STATUS_CANCELED;
  return v1::PUB_STATUS_UNSPECIFIED;
}

uint32_t ParseUrgency(absl::string_view value) {
  uint32_t u = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &u) || u < 1 || u > 9) return 0;
  return u;
}

}  // namespace newsd::stages
