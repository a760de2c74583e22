#include "pipeline/wire_format.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/changelog.h"
#include "pipeline/utf8.h"

namespace newsd {

OutboundMessage MakeDeadLetter(const RawMessage& message, const ChainFailure& failure,
                               const std::string& dead_letter_topic, OutputForm form) {
  constexpr size_t kMaxMinimalKeyBytes = 256, kMaxMinimalMessageBytes = 1000;
  const bool headers_only = form >= OutputForm::kHeadersOnly;
  OutboundMessage out;
  out.topic = dead_letter_topic;
  if (!message.key.empty() && (!headers_only || message.key.size() <= kMaxMinimalKeyBytes)) {
    out.key = message.key;
  }
  if (!message.value_is_null && form <= OutputForm::kDeadLetter) out.value = message.value;
  if (!headers_only) out.headers = message.headers;
  out.headers.emplace_back("__connect.errors.topic", message.topic);
  out.headers.emplace_back("__connect.errors.partition", absl::StrCat(message.partition));
  out.headers.emplace_back("__connect.errors.offset", absl::StrCat(message.offset));
  out.headers.emplace_back("__connect.errors.stage", "TRANSFORMATION");
  out.headers.emplace_back("__connect.errors.exception.class.name",
                           absl::StrCat("newsd.", failure.stage));
  // Read as text by Kafka Connect tooling; a stage's message may quote input bytes.
  absl::string_view exception = failure.status.message();
  if (headers_only) exception = exception.substr(0, kMaxMinimalMessageBytes);
  out.headers.emplace_back("__connect.errors.exception.message", ReplaceInvalidUtf8(exception));
  out.headers.emplace_back("newsd.errors.stage", failure.stage);
  out.headers.emplace_back("newsd.errors.code", absl::StatusCodeToString(failure.status.code()));
  if (!message.value_is_null && form >= OutputForm::kDeadLetterWithoutValue) {
    out.headers.emplace_back("newsd.errors.value_omitted_bytes", absl::StrCat(message.value.size()));
  }
  if (headers_only && !message.headers.empty()) {
    out.headers.emplace_back("newsd.errors.headers_omitted", absl::StrCat(message.headers.size()));
  }
  if (headers_only && !message.key.empty() && !out.key) {
    out.headers.emplace_back("newsd.errors.key_omitted_bytes", absl::StrCat(message.key.size()));
  }
  return out;
}

std::string SchemaRegistryMessageIndexes(const google::protobuf::Descriptor& message) {
  std::vector<int> path;  // outermost first: index in the file, then nested indexes
  for (const google::protobuf::Descriptor* d = &message; d != nullptr; d = d->containing_type()) {
    path.insert(path.begin(), d->index());
  }
  if (path.size() == 1 && path[0] == 0) return std::string(1, '\0');  // [0]: the shortcut
  std::string out;
  auto append_zigzag_varint = [&out](int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z >= 0x80) {
      out.push_back(static_cast<char>((z & 0x7F) | 0x80));
      z >>= 7;
    }
    out.push_back(static_cast<char>(z));
  };
  append_zigzag_varint(static_cast<int64_t>(path.size()));
  for (int index : path) append_zigzag_varint(index);
  return out;
}

OutboundMessage MakeEventMessage(const v1::ArticleEvent& event, const std::string& output_topic,
                                 uint32_t schema_registry_id) {
  OutboundMessage out;
  out.topic = output_topic;
  const v1::Article& article = event.article();
  const std::string& story_id = article.story().story_id();
  out.key = story_id.empty() ? article.id() : story_id;
  if (article.story().stale()) {
    // Not under the story key, so its latest value stays the newest version for
    // compacted consumers (a wire item's article id is its guid, often the story id).
    const v1::Source& source = article.source();
    absl::StrAppend(&*out.key, "/stale/",
                    source.topic().empty()
                        ? article.id()
                        : absl::StrCat(source.topic(), "/", source.partition(), "/",
                                       source.offset()));
  }
  std::string value;
  if (schema_registry_id > 0) {
    // Confluent wire format: magic 0, schema id big-endian, then the message indexes
    // of newsd.v1.ArticleEvent in event.proto.
    value = {'\0', static_cast<char>(schema_registry_id >> 24),
             static_cast<char>(schema_registry_id >> 16), static_cast<char>(schema_registry_id >> 8),
             static_cast<char>(schema_registry_id)};
    static const std::string* const kIndexes =
        new std::string(SchemaRegistryMessageIndexes(*v1::ArticleEvent::descriptor()));
    value += *kIndexes;
  }
  event.AppendToString(&value);
  out.value = std::move(value);
  out.headers = {{"content-type", "application/x-protobuf"},
                 {"schema", "newsd.v1.ArticleEvent"}};
  return out;
}

std::optional<absl::string_view> StripSchemaRegistryFrame(absl::string_view value) {
  if (value.empty() || value[0] != '\0') return value;
  size_t i = 5;  // magic byte + schema id
  // Zigzag varints: the index count, then that many indexes; count 0 means [0].
  auto read_varint = [&](uint64_t* out) {
    *out = 0;
    for (int shift = 0; i < value.size() && shift < 64; shift += 7) {
      const uint8_t b = static_cast<uint8_t>(value[i++]);
      *out |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return true;
    }
    return false;
  };
  uint64_t count = 0;
  if (value.size() < 6 || !read_varint(&count)) return std::nullopt;
  for (uint64_t n = count >> 1; n > 0; --n) {
    uint64_t index;
    if (!read_varint(&index)) return std::nullopt;
  }
  return value.substr(i);
}

OutboundMessage MakeChangelogRecord(const std::string& changelog_topic,
                                    absl::string_view instance_id, absl::string_view store,
                                    absl::string_view key, std::optional<std::string> value) {
  OutboundMessage out;
  out.topic = changelog_topic;
  out.key = ChangelogKey(store, key);
  out.value = std::move(value);
  out.headers = {{kChangelogInstanceHeader, std::string(instance_id)}};
  return out;
}

}  // namespace newsd
