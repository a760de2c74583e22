// `${ENV_VAR}` and `${file:/path}` references in the string fields of a config
// message, so that secrets (SASL passwords, TLS key passphrases) need not live in
// the config file.
//
// Syntax, in every string field of the message and its sub-messages (singular,
// repeated, map values; not map keys), expanded once, left to right:
//   ${NAME}        the environment variable NAME ([A-Za-z_][A-Za-z0-9_]*). Unset is
//                  an error; set to "" expands to "".
//   ${file:PATH}   the content of the file at the absolute PATH, with one trailing
//                  newline ("\n" or "\r\n") removed. Unreadable is an error.
//   $${            a literal "${" (nothing is expanded there).
// A "$" not followed by "{" is literal. Anything else between "${" and "}" (no
// closing brace, an empty or invalid name, another prefix such as "${X:-default}")
// is an error. An expanded value is never expanded again. Errors name the field
// path (`kafka.properties["sasl.password"]`) and the variable or file, never a value.
#ifndef NEWSD_PIPELINE_CONFIG_EXPAND_H_
#define NEWSD_PIPELINE_CONFIG_EXPAND_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace newsd {

// Looks an environment variable up: nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
std::optional<std::string> ProcessEnv(const std::string& name);

// Expands the references in one string. `field` names it in errors.
// kInvalidArgument on syntax errors and unset variables, kNotFound on unreadable files.
absl::StatusOr<std::string> ExpandReferences(absl::string_view text, absl::string_view field,
                                             const EnvLookup& env = ProcessEnv);

// Expands every string field of `message` in place (protobuf reflection). Stops at
// the first error, whose message starts with the field path. Bytes fields are left
// as they are.
absl::Status ExpandConfigReferences(google::protobuf::Message& message,
                                    const EnvLookup& env = ProcessEnv);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_CONFIG_EXPAND_H_
