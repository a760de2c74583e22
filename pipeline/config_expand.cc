#include "pipeline/config_expand.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace newsd {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr absl::string_view kFilePrefix = "file:";
// A secret file larger than this is a mistake (a key bundle is a few KiB).
constexpr size_t kMaxFileBytes = 1 << 20;

bool ValidEnvName(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The file's content with one trailing newline removed.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path, absl::string_view field) {
  auto error = [&](absl::string_view why) {
    return absl::NotFoundError(
        absl::StrCat(field, ": ${file:", path, "}: cannot read the file: ", why));
  };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return error("not a regular file");
  }
  std::string content;
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      close(fd);
      return error(strerror(saved));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > kMaxFileBytes) {
      close(fd);
      return error(absl::StrCat("larger than ", kMaxFileBytes, " bytes"));
    }
  }
  close(fd);
  if (absl::EndsWith(content, "\r\n")) {
    content.resize(content.size() - 2);
  } else if (absl::EndsWith(content, "\n")) {
    content.pop_back();
  }
  return content;
}

absl::Status ExpandString(std::string* value, absl::string_view field, const EnvLookup& env) {
  if (value->find('$') == std::string::npos) return absl::OkStatus();
  absl::StatusOr<std::string> expanded = ExpandReferences(*value, field, env);
  if (!expanded.ok()) return expanded.status();
  *value = *std::move(expanded);
  return absl::OkStatus();
}

std::string MapKeyText(const Message& entry, const FieldDescriptor* key) {
  const Reflection* r = entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return absl::StrCat("\"", r->GetString(entry, key), "\"");
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetInt32(entry, key));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(entry, key));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(r->GetUInt32(entry, key));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(r->GetUInt64(entry, key));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(entry, key) ? "true" : "false";
    default:
      return "?";
  }
}

absl::Status ExpandMessage(Message& message, const std::string& prefix, const EnvLookup& env);

// Expands field `f` of `message`; `path` names it.
absl::Status ExpandField(Message& message, const FieldDescriptor* f, const std::string& path,
                         const EnvLookup& env) {
  const Reflection* r = message.GetReflection();
  if (f->is_map()) {
    const FieldDescriptor* key = f->message_type()->map_key();
    const FieldDescriptor* value = f->message_type()->map_value();
    for (int i = 0; i < r->FieldSize(message, f); ++i) {
      Message* entry = r->MutableRepeatedMessage(&message, f, i);
      const std::string entry_path = absl::StrCat(path, "[", MapKeyText(*entry, key), "]");
      if (absl::Status s = ExpandField(*entry, value, entry_path, env); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (f->is_repeated()) {
    for (int i = 0; i < r->FieldSize(message, f); ++i) {
      const std::string item_path = absl::StrCat(path, "[", i, "]");
      if (f->type() == FieldDescriptor::TYPE_STRING) {  // text, not bytes
        std::string v = r->GetRepeatedString(message, f, i);
        if (absl::Status s = ExpandString(&v, item_path, env); !s.ok()) return s;
        r->SetRepeatedString(&message, f, i, std::move(v));
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Message& item = *r->MutableRepeatedMessage(&message, f, i);
        if (absl::Status s = ExpandMessage(item, item_path, env); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }
  if (f->type() == FieldDescriptor::TYPE_STRING) {  // text, not bytes
    std::string v = r->GetString(message, f);
    if (v.find('$') == std::string::npos) return absl::OkStatus();
    if (absl::Status s = ExpandString(&v, path, env); !s.ok()) return s;
    r->SetString(&message, f, std::move(v));
  } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && r->HasField(message, f)) {
    return ExpandMessage(*r->MutableMessage(&message, f), path, env);
  }
  return absl::OkStatus();
}

absl::Status ExpandMessage(Message& message, const std::string& prefix, const EnvLookup& env) {
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (absl::Status s = ExpandField(message, f, path, env); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

absl::StatusOr<std::string> ExpandReferences(absl::string_view text, absl::string_view field,
                                             const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (absl::StartsWith(text.substr(i), "$${")) {  // escaped: a literal "${"
      out.append("${");
      i += 3;
      continue;
    }
    if (!absl::StartsWith(text.substr(i), "${")) {
      out.push_back(text[i++]);
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": '${' at offset ", i, " has no closing '}' (write '$${' for a literal '${')"));
    }
    const absl::string_view ref = text.substr(i + 2, close - i - 2);
    if (absl::StartsWith(ref, kFilePrefix)) {
      const std::string path(ref.substr(kFilePrefix.size()));
      if (path.empty() || path[0] != '/') {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": ${file:", path, "}: the path must be absolute (${file:/run/secrets/x})"));
      }
      absl::StatusOr<std::string> content = ReadSecretFile(path, field);
      if (!content.ok()) return content.status();
      out.append(*content);
    } else if (ValidEnvName(ref)) {
      const std::optional<std::string> value = env(std::string(ref));
      if (!value.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": environment variable ", ref, " is not set (referenced as ${", ref, "})"));
      }
      out.append(*value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": '${", ref, "}' is not a reference: use ${ENV_VAR} (letters, digits, '_') or "
          "${file:/absolute/path}; write '$${' for a literal '${'"));
    }
    i = close + 1;
  }
  return out;
}

absl::Status ExpandConfigReferences(google::protobuf::Message& message, const EnvLookup& env) {
  return ExpandMessage(message, "", env);
}

}  // namespace newsd
