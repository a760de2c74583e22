// `newsd extract`: the chain on files, without Kafka.
#ifndef NEWSD_PIPELINE_EXTRACT_H_
#define NEWSD_PIPELINE_EXTRACT_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/chain.h"

namespace newsd {

// Prints `event` as one line of JSON (proto3 JSON mapping, field names as in the
// proto, e.g. "published_at"). kInternal if serialization fails.
absl::StatusOr<std::string> EventToJson(const v1::ArticleEvent& event, bool pretty = false);

// Runs `chain` on each file (one file = one raw item, key = the path) and writes one
// JSON event per line to `out` (several for a file holding several items;
// indented when `pretty`). `-` reads standard input; a directory is an error. `published_at`, if set, is passed as the
// `published-at` header. A file that cannot be read or that a stage rejects is
// reported on `err` as "PATH: stage STAGE: CODE: message" and counted. An input a
// stage skips as not an article (pipeline/stage.h NotAnArticle: a NewsML-G2
// conceptItem, ...) prints no event but "PATH: skipped by stage STAGE: not an
// article (KIND): REASON" on `err`, one line per skipped item, and is not a
// failure. Returns the number of files that failed.
int RunExtract(const Chain& chain, const std::vector<std::string>& files,
               const std::optional<std::string>& published_at, bool pretty,
               std::ostream& out, std::ostream& err);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_EXTRACT_H_
