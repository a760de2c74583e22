// Wire format of the records newsd writes: article events (with optional Confluent
// Schema Registry framing, and its decoder for readers such as `newsd consume`),
// dead letters (Kafka Connect error headers) and changelog records of state
// changes. Pure functions of their arguments: no Kafka client, no I/O, safe to
// call from any thread.
#ifndef NEWSD_PIPELINE_WIRE_FORMAT_H_
#define NEWSD_PIPELINE_WIRE_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/chain.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/kafka_source.h"
#include "pipeline/refused_outputs.h"

namespace newsd {

// Builds the dead letter for `message` rejected with `failure`: original key, value
// and headers, plus the Kafka Connect error headers (__connect.errors.topic,
// .partition, .offset, .exception.class.name, .exception.message) and
// newsd.errors.stage / newsd.errors.code (absl status code name, e.g.
// "INVALID_ARGUMENT"). The exception message is made well-formed UTF-8 (ill-formed
// bytes → U+FFFD), since readers decode it as text and a stage may quote input.
// `form` (refused_outputs.h) shrinks it after the broker refused a larger one:
// kDeadLetterWithoutValue drops the value (header newsd.errors.value_omitted_bytes,
// its size in bytes); kHeadersOnly also drops the original headers (header
// newsd.errors.headers_omitted, their count), a key over 256 bytes (header
// newsd.errors.key_omitted_bytes) and cuts the exception message to 1,000 bytes.
OutboundMessage MakeDeadLetter(const RawMessage& message, const ChainFailure& failure,
                               const std::string& dead_letter_topic,
                               OutputForm form = OutputForm::kDeadLetter);

// The message-index part of a Confluent Schema Registry frame naming `message` in
// its .proto file: the path of indexes (top-level message index in the file, then
// nested-type indexes), written as zigzag varints, the count first; the path [0]
// (the file's first top-level message) as the single byte 0x00. ArticleEvent is
// message 1 of event.proto: bytes 0x02 0x02.
std::string SchemaRegistryMessageIndexes(const google::protobuf::Descriptor& message);

// Builds the output message for a processed article: key = story id (article id
// when there is none); a stale version (Story.stale) gets "<that key>/stale/<input
// topic>/<partition>/<offset>" (else ".../stale/<article id>"); value = serialized ArticleEvent (framed for the Schema Registry when
// `schema_registry_id` > 0: 0x00, the id big-endian in 4 bytes, then
// SchemaRegistryMessageIndexes(ArticleEvent); see config.proto), headers
// content-type: application/x-protobuf and schema: newsd.v1.ArticleEvent.
OutboundMessage MakeEventMessage(const v1::ArticleEvent& event, const std::string& output_topic,
                                 uint32_t schema_registry_id = 0);

// The Protobuf bytes inside a Confluent Schema Registry frame (magic byte 0, 4-byte
// schema id, zigzag-varint message indexes); `value` itself if it is not framed (a
// serialized non-empty message never starts with byte 0). nullopt if the frame is
// truncated.
std::optional<absl::string_view> StripSchemaRegistryFrame(absl::string_view value);

// The changelog record of one state change of store `store` (state_store.h):
// topic `changelog_topic`, key ChangelogKey(store, key) (changelog.h), value
// `value` (nullopt: a tombstone, the key was deleted) and the single header
// kChangelogInstanceHeader = `instance_id` (the writing process, whose reader
// skips its own records).
OutboundMessage MakeChangelogRecord(const std::string& changelog_topic,
                                    absl::string_view instance_id, absl::string_view store,
                                    absl::string_view key, std::optional<std::string> value);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_WIRE_FORMAT_H_
