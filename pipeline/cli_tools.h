// Small Kafka client tools behind `newsd produce`, `newsd consume` and `newsd demo`
// (a kcat-like convenience so the demo and users need nothing else installed).
#ifndef NEWSD_PIPELINE_CLI_TOOLS_H_
#define NEWSD_PIPELINE_CLI_TOOLS_H_

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pipeline/kafka_sink.h"

namespace newsd {

// Reads a file's bytes; a path ending in ".gz" is gunzipped (zlib).
// kNotFound if unreadable, kInvalidArgument if the gzip stream is corrupt.
absl::StatusOr<std::string> ReadFileBytes(const std::string& path);

// Splits an SGML file of Reuters-21578 records into one string per
// "<REUTERS …>…</REUTERS>" record (the DOCTYPE line is dropped).
std::vector<std::string> SplitReutersRecords(const std::string& sgml);

// Raw input messages for `files`: one per file, except `.sgm`/`.sgm.gz` files, which
// give one per <REUTERS> record; at most `limit` messages in all (0 = no limit).
absl::StatusOr<std::vector<OutboundMessage>> MessagesFromFiles(
    const std::vector<std::string>& files, const std::string& topic,
    const std::optional<std::string>& published_at, size_t limit = 0);

// Where a produced message landed.
struct Position {
  int32_t partition = -1;
  int64_t offset = -1;
};

// Produces `messages` with an idempotent producer and waits for every delivery
// report (at most `timeout`). kUnavailable at once if no broker answers a metadata
// request within 10 s. Returns the first delivery error, if any. If
// `positions` is given it receives, per message (same index), where it was written.
absl::Status ProduceAll(const std::string& brokers, const std::vector<OutboundMessage>& messages,
                        absl::Duration timeout = absl::Seconds(60),
                        std::vector<Position>* positions = nullptr);

// One consumed output record.
struct ConsumedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Reads `topics` from the beginning (no consumer group commits, read_committed)
// until `max` records were read or `idle_timeout` passed without a new record.
// `on_record` is called for each record.
absl::Status ConsumeAll(const std::string& brokers, const std::vector<std::string>& topics,
                        size_t max, absl::Duration idle_timeout,
                        const std::function<void(const ConsumedRecord&)>& on_record);

// Renders a record for humans: ArticleEvents (schema header) as JSON, dead letters
// as their error headers plus the value size.
std::string DescribeRecord(const ConsumedRecord& record, bool pretty);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_CLI_TOOLS_H_
