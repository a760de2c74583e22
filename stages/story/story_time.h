// absl::Time ↔ google.protobuf.Timestamp for the story stage.
#ifndef NEWSD_STAGES_STORY_STORY_TIME_H_
#define NEWSD_STAGES_STORY_STORY_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace newsd::stages {

// An unset Timestamp (0 s, 0 ns) reads as the Unix epoch.
inline absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// Floors to whole nanoseconds; `t` must be finite.
inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t s = absl::ToUnixSeconds(t);
  out.set_seconds(s);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
  return out;
}

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_STORY_STORY_TIME_H_
