// Conversions between absl::string_view and re2::StringPiece (distinct types with
// the Debian 12 versions of Abseil and RE2).
#ifndef NEWSD_STAGES_COMMON_RE2_UTIL_H_
#define NEWSD_STAGES_COMMON_RE2_UTIL_H_

#include "absl/strings/string_view.h"
#include "re2/stringpiece.h"

namespace newsd::stages {

inline re2::StringPiece ToPiece(absl::string_view s) { return {s.data(), s.size()}; }
inline absl::string_view ToView(re2::StringPiece s) { return {s.data(), s.size()}; }

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_COMMON_RE2_UTIL_H_
