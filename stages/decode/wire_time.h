// Date-time values as news wire formats write them.
#ifndef NEWSD_STAGES_DECODE_WIRE_TIME_H_
#define NEWSD_STAGES_DECODE_WIRE_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "newsd/v1/article.pb.h"

namespace newsd::stages {

// Parses a wire date-time (surrounding white space ignored):
//  * ISO 8601 / RFC 3339 extended: "2018-10-21T16:25:32-05:00", "...T16:25:32.5Z",
//    "2018-10-21T16:25:32" (no zone: UTC), "2018-10-21" (midnight UTC) — NewsML-G2
//    (XML Schema xs:dateTime / xs:date), ninjs, Atom (RFC 3339);
//  * ISO 8601 basic: "20020225T143000-0500", "20130516T040100+0000", "20020225"
//    — NITF norm attributes, NewsML 1.2 DateAndTime;
//  * RFC 822 / RFC 1123 as amended by RFC 2822 §3.3: "Wed, 02 Oct 2002 13:00:00 GMT",
//    "2 Oct 2002 08:00 -0500", with the obsolete zone names UT, GMT, Z, EST, EDT,
//    CST, CDT, MST, MDT, PST, PDT — RSS 2.0 pubDate.
// Returns std::nullopt for anything else, and for a time outside the plausible
// range of a news item (IsPlausibleWireTime): a year such as 9999 or 0001 is a
// placeholder or an error, and beyond 2262 it would not fit a nanosecond count.
std::optional<absl::Time> ParseWireTime(absl::string_view value);

// The range of date-times newsd accepts from a wire item, in UTC:
// 1900-01-01T00:00:00Z (inclusive) to 2200-01-01T00:00:00Z (exclusive). Never
// true for absl::InfinitePast() / absl::InfiniteFuture().
bool IsPlausibleWireTime(absl::Time t);

// absl::Time → google.protobuf.Timestamp.
google::protobuf::Timestamp ToTimestamp(absl::Time t);

// Sets the Wire timestamp field `field` (e.g. &v1::Wire::mutable_version_created)
// from a wire date-time (ParseWireTime) and returns true; returns false (field
// untouched) for an empty value, and false after adding "date_unparsed" to
// `*flags` for an unparseable or out-of-range (IsPlausibleWireTime) one.
bool SetWireTime(absl::string_view value, v1::Wire* wire,
                 google::protobuf::Timestamp* (v1::Wire::*field)(),
                 std::vector<std::string>* flags);

// Sets Wire.embargo_until from `value` like SetWireTime, but an unparseable or
// out-of-range value adds the flag "embargo_unparsed" instead (the decode stage then rejects
// the item: publishing it could break its embargo).
void SetEmbargoTime(absl::string_view value, v1::Wire* wire, std::vector<std::string>* flags);

// IPTC publication status from a NewsML-G2 qcode ("stat:usable"), a ninjs value
// ("usable"), a NITF management-status or a NewsML 1.2 Status FormalName
// ("Usable"); "cancelled" and "canceled" are both accepted; anything else is
// PUB_STATUS_UNSPECIFIED. Source: IPTC NewsCodes "pubstatusg2" scheme.
v1::PubStatus ParsePubStatus(absl::string_view value);

// IPTC urgency 1..9 from its decimal text; 0 for anything else.
uint32_t ParseUrgency(absl::string_view value);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_WIRE_TIME_H_
