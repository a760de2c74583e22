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
#include "absl/time/time.h"

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

// Rate limit for per-message log lines (e.g. one line per dead letter): at most
// `per_second` lines in each one-second window; the rest are counted and the count
// is handed to the next line allowed. Not thread-safe (one per thread).
class LogRateLimit {
 public:
  explicit LogRateLimit(int per_second) : per_second_(per_second) {}
  // True if a line may be written at `now`; then `*suppressed` is the number of
  // lines refused since the previous allowed one (0 if none).
  bool Allow(absl::Time now, uint64_t* suppressed);

 private:
  const int per_second_;
  absl::Time window_start_ = absl::InfinitePast();
  int in_window_ = 0;
  uint64_t suppressed_ = 0;
};

// `s` as a JSON string literal (quotes included; control characters and invalid
// UTF-8 bytes escaped as \uXXXX, so every line stays valid JSON).
std::string JsonQuote(absl::string_view s);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_LOG_H_
