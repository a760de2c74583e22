#include "pipeline/log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pipeline/utf8.h"

namespace newsd {
namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarning: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "?";
}

const char* JsonLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "?";
}

// Text format: values with spaces, quotes or '=' are quoted.
std::string TextValue(absl::string_view v) {
  if (!v.empty() && v.find_first_of(" \"=\t\n") == absl::string_view::npos) {
    return std::string(v);
  }
  return JsonQuote(v);
}

}  // namespace

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') { out += "\\\""; ++i; continue; }
    if (c == '\\') { out += "\\\\"; ++i; continue; }
    if (c == '\n') { out += "\\n"; ++i; continue; }
    if (c == '\r') { out += "\\r"; ++i; continue; }
    if (c == '\t') { out += "\\t"; ++i; continue; }
    if (c < 0x20 || c == 0x7F) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {  // invalid byte: U+FFFD, so the line stays valid UTF-8 JSON
      out += "\\ufffd";
      ++i;
      continue;
    }
    out.append(s.data() + i, n);
    i += n;
  }
  out += "\"";
  return out;
}

std::string FormatLogLine(LogFormat format, LogLevel level, absl::string_view timestamp,
                          absl::string_view message, const MessageLogContext* context) {
  std::string line;
  if (format == LogFormat::kJson) {
    line = absl::StrCat("{\"ts\":", JsonQuote(timestamp), ",\"level\":\"", JsonLevelName(level),
                        "\",\"msg\":", JsonQuote(message));
    if (context) {
      if (!context->article_id.empty()) {
        absl::StrAppend(&line, ",\"article_id\":", JsonQuote(context->article_id));
      }
      if (!context->topic.empty()) absl::StrAppend(&line, ",\"topic\":", JsonQuote(context->topic));
      if (context->partition >= 0) absl::StrAppend(&line, ",\"partition\":", context->partition);
      if (context->offset >= 0) absl::StrAppend(&line, ",\"offset\":", context->offset);
      for (const auto& [k, v] : context->fields) {
        absl::StrAppend(&line, ",", JsonQuote(k), ":", JsonQuote(v));
      }
    }
    line += "}";
    return line;
  }
  line = absl::StrCat(timestamp, " ", LevelName(level), " ", message);
  if (context) {
    if (!context->article_id.empty()) {
      absl::StrAppend(&line, " article_id=", TextValue(context->article_id));
    }
    if (!context->topic.empty()) absl::StrAppend(&line, " topic=", TextValue(context->topic));
    if (context->partition >= 0) absl::StrAppend(&line, " partition=", context->partition);
    if (context->offset >= 0) absl::StrAppend(&line, " offset=", context->offset);
    for (const auto& [k, v] : context->fields) absl::StrAppend(&line, " ", k, "=", TextValue(v));
  }
  return line;
}

void SetLogLevel(LogLevel level) { g_level = level; }
bool LogEnabled(LogLevel level) { return level >= g_level.load(); }
void SetLogFormat(LogFormat format) { g_format = format; }

absl::Status SetLogFormatByName(absl::string_view name) {
  if (name == "text") {
    SetLogFormat(LogFormat::kText);
  } else if (name == "json") {
    SetLogFormat(LogFormat::kJson);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_format: unknown format '", name, "' (text or json)"));
  }
  return absl::OkStatus();
}

namespace {
void Write(LogLevel level, absl::string_view message, const MessageLogContext* context) {
  if (!LogEnabled(level)) return;
  const std::string ts =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line = FormatLogLine(g_format.load(), level, ts, message, context);
  line += '\n';
  // One fwrite per line: stdio locks the stream, so lines never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}
}  // namespace

void Log(LogLevel level, absl::string_view message) { Write(level, message, nullptr); }

void Log(LogLevel level, absl::string_view message, const MessageLogContext& context) {
  Write(level, message, &context);
}

bool LogRateLimit::Allow(absl::Time now, uint64_t* suppressed) {
  if (now - window_start_ >= absl::Seconds(1)) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= per_second_) {
    ++suppressed_;
    return false;
  }
  ++in_window_;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace newsd
