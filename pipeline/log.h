// Minimal structured-enough logging to stderr: "<RFC3339 UTC> <LEVEL> <message>".
// (Debian 12's Abseil predates absl/log.)
#ifndef NEWSD_PIPELINE_LOG_H_
#define NEWSD_PIPELINE_LOG_H_

#include "absl/strings/string_view.h"

namespace newsd {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Thread-safe; one line per call. Messages below the level set by SetLogLevel
// (default kInfo) are dropped.
void Log(LogLevel level, absl::string_view message);
void SetLogLevel(LogLevel level);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_LOG_H_
