#include "pipeline/extract.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace newsd {

absl::StatusOr<std::string> EventToJson(const v1::ArticleEvent& event, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  // Print zeros too: partition 0 / offset 0 are real values, not "unset".
  options.always_print_primitive_fields = true;
  options.add_whitespace = pretty;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(event, &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

int RunExtract(const Chain& chain, const std::vector<std::string>& files,
               const std::optional<std::string>& published_at, bool pretty,
               std::ostream& out, std::ostream& err) {
  int failed = 0;
  for (const std::string& path : files) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      err << path << ": is a directory\n";
      ++failed;
      continue;
    }
    std::stringstream buffer;
    if (path == "-") {
      buffer << std::cin.rdbuf();
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        err << path << ": cannot read file\n";
        ++failed;
        continue;
      }
      buffer << in.rdbuf();
    }
    RawMessage message;
    message.key = path;
    message.value = buffer.str();
    if (published_at) message.headers.emplace_back("published-at", *published_at);
    ChainResult result = chain.Run(message, absl::Now());
    if (result.failure) {
      err << path << ": stage " << result.failure->stage << ": "
          << result.failure->status.ToString() << "\n";
      ++failed;
      continue;
    }
    // Inputs that are not articles: a line each, not a failure.
    for (const ChainSkip& skip : result.skipped) {
      err << path << ": skipped by stage " << skip.stage << ": not an article (" << skip.kind
          << "): " << skip.reason << "\n";
    }
    if (result.all_skipped) continue;
    std::vector<const v1::ArticleEvent*> events = {&result.event};
    for (const v1::ArticleEvent& e : result.more_events) events.push_back(&e);
    for (const v1::ArticleEvent* event : events) {
      absl::StatusOr<std::string> json = EventToJson(*event, pretty);
      if (!json.ok()) {
        err << path << ": " << json.status().ToString() << "\n";
        ++failed;
        break;
      }
      out << *json << "\n";
    }
  }
  return failed;
}

}  // namespace newsd
