// Logging to stderr, one line per call, in one of two formats:
//
//   text (default):  <RFC3339 UTC> <LEVEL> <message>[ key=value ...]
//   json (--log-format json): one JSON object per line (JSON Lines), e.g.
//     {"ts":"2024-05-01T12:00:00.123Z","level":"info","msg":"dead letter",
//      "article_id":"news.raw/2/17","topic":"news.raw","partition":2,"offset":17,
//      "stage":"decode","code":"invalid_argument"}
//
// Every line about one message carries its MessageLogContext (article id, input
// topic/partition/offset). Article text is never logged at info level or above;
// callers put anything derived from the content (status messages of stages) in
// debug-level lines only. (Debian 12's Abseil predates absl/log.)
#ifndef NEWSD_PIPELINE_LOG_H_
#define NEWSD_PIPELINE_LOG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace newsd {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

// The message a log line is about. Empty/negative fields are omitted.
struct MessageLogContext {
  std::string article_id;  // Article.id (wire guid, else "topic/partition/offset")
  std::string topic;       // input topic
  int32_t partition = -1;
  int64_t offset = -1;
  // Further fields, in order (e.g. {"stage","decode"}); values are logged as strings.
  std::vector<std::pair<std::string, std::string>> fields;
};

// Thread-safe; one line per call (a single write, lines never interleave).
// Messages below the level set by SetLogLevel (default kInfo) are dropped.
void Log(LogLevel level, absl::string_view message);
void Log(LogLevel level, absl::string_view message, const MessageLogContext& context);

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void SetLogFormat(LogFormat format);
// "text" or "json"; kInvalidArgument otherwise.
absl::Status SetLogFormatByName(absl::string_view name);

// The line Log() would write (without the trailing newline), for tests.
std::string FormatLogLine(LogFormat format, LogLevel level, absl::string_view timestamp,
                          absl::string_view message, const MessageLogContext* context);

// `s` as a JSON string literal (quotes included; control characters and invalid
// UTF-8 bytes escaped as \uXXXX, so every line stays valid JSON).
std::string JsonQuote(absl::string_view s);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_LOG_H_
