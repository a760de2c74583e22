// Stage options from their descriptor: the generic, table-driven half of the typed
// stage contract.
//
// Each stage's options are a proto message (proto/newsd/v1/<stage>_options.proto)
// whose fields are all `optional` uint64, double or string, each annotated once with
// its default, range and allowed values (proto/newsd/v1/option_annotations.proto):
//
//   optional uint64 max_bytes = 1 [(default_value) = "8388608", (min_value) = 1,
//                                  (max_value) = 1073741824];
//
// ResolveStageOptions reads those annotations through the descriptor; no stage
// writes a default, a range or a parse of its own. Knows nothing of NLP or Kafka.
#ifndef NEWSD_PIPELINE_STAGE_OPTIONS_H_
#define NEWSD_PIPELINE_STAGE_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "newsd/v1/config.pb.h"

namespace newsd {

// Fills `options` (cleared first; a message of the stage's options type) from
// `config`: from the typed field named like the stage (StageConfig.typed_options) or
// else from the untyped `options` map, each key converted to the field of that name
// and its value parsed as the field's type; then every field not given is set to its
// (default_value). Thread-compatible; no allocation beyond the message's own.
// Errors, all kInvalidArgument, start with the option as the config wrote it:
//   options["max_bytes"]: expected an integer in [1, 1073741824], got "lots"
//   decode.max_bytes: expected an integer in [1, 1073741824], got "0"
//   options["oversize"]: expected "reject" or "truncate", got "drop"
//   options["window"]: expected a positive duration such as "72h", got "soon"
//   options["colour"]: unknown option for stage 'decode'; known: max_bytes, ...
//   decode: options for stage 'decode' given to stage 'segment'
//   decode: give the options either typed or as `options` entries, not both
absl::Status ResolveStageOptions(const v1::StageConfig& config,
                                 google::protobuf::Message& options);

// Checks an options message type: every field an `optional` uint64, double or
// string with a (default_value) that passes its own checks, bounds only on numbers,
// choices and duration only on strings. kInternal naming the field otherwise.
// StageRegistry refuses (aborts on) a registration whose message fails this.
absl::Status CheckOptionsDescriptor(const google::protobuf::Descriptor& descriptor);

// The field's (default_value), as written in the .proto.
const std::string& OptionDefault(const google::protobuf::FieldDescriptor& field);

// `raw` parsed as a base-10 unsigned integer in [min, max]. kInvalidArgument
// "LABEL: expected an integer in [MIN, MAX], got \"RAW\"".
absl::StatusOr<uint64_t> ParseUint64Option(absl::string_view label, absl::string_view raw,
                                           uint64_t min, uint64_t max);

// `raw` parsed as a finite decimal number in [min, max]. kInvalidArgument
// "LABEL: expected a number in [MIN, MAX], got \"RAW\"".
absl::StatusOr<double> ParseDoubleOption(absl::string_view label, absl::string_view raw,
                                         double min, double max);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_STAGE_OPTIONS_H_
