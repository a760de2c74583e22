#include "pipeline/stage_options.h"

#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "newsd/v1/option_annotations.pb.h"

namespace newsd {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr double kUint64Max = 18446744073709551615.0;

uint64_t MinUint64(const FieldDescriptor& f) {
  const auto& o = f.options();
  return o.HasExtension(v1::min_value) ? static_cast<uint64_t>(o.GetExtension(v1::min_value))
                                       : 0;
}

uint64_t MaxUint64(const FieldDescriptor& f) {
  const auto& o = f.options();
  if (!o.HasExtension(v1::max_value) || o.GetExtension(v1::max_value) >= kUint64Max) {
    return std::numeric_limits<uint64_t>::max();
  }
  return static_cast<uint64_t>(o.GetExtension(v1::max_value));
}

double MinDouble(const FieldDescriptor& f) {
  const auto& o = f.options();
  return o.HasExtension(v1::min_value) ? o.GetExtension(v1::min_value)
                                       : -std::numeric_limits<double>::max();
}

double MaxDouble(const FieldDescriptor& f) {
  const auto& o = f.options();
  return o.HasExtension(v1::max_value) ? o.GetExtension(v1::max_value)
                                       : std::numeric_limits<double>::max();
}

// "\"a\" or \"b\"", "\"a\", \"b\" or \"c\"".
std::string ChoiceList(const FieldDescriptor& f) {
  const auto& o = f.options();
  const int n = o.ExtensionSize(v1::choices);
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) absl::StrAppend(&out, i + 1 == n ? " or " : ", ");
    absl::StrAppend(&out, "\"", o.GetExtension(v1::choices, i), "\"");
  }
  return out;
}

// Checks a string option's value against (choices) and (duration).
absl::Status CheckString(const FieldDescriptor& f, absl::string_view label,
                         absl::string_view value) {
  const auto& o = f.options();
  if (o.ExtensionSize(v1::choices) > 0) {
    bool found = false;
    for (int i = 0; i < o.ExtensionSize(v1::choices); ++i) {
      found = found || o.GetExtension(v1::choices, i) == value;
    }
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": expected ", ChoiceList(f), ", got \"", value, "\""));
    }
  }
  if (o.GetExtension(v1::duration)) {
    absl::Duration d;
    if (!absl::ParseDuration(value, &d) || d <= absl::ZeroDuration() ||
        d == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          label, ": expected a positive duration such as \"72h\", got \"", value, "\""));
    }
  }
  return absl::OkStatus();
}

// Parses `raw` as field `f`'s type, checks it and sets it in `m`.
absl::Status SetFromText(Message& m, const FieldDescriptor& f, absl::string_view label,
                         absl::string_view raw) {
  const Reflection& r = *m.GetReflection();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT64: {
      absl::StatusOr<uint64_t> v = ParseUint64Option(label, raw, MinUint64(f), MaxUint64(f));
      if (!v.ok()) return v.status();
      r.SetUInt64(&m, &f, *v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      absl::StatusOr<double> v = ParseDoubleOption(label, raw, MinDouble(f), MaxDouble(f));
      if (!v.ok()) return v.status();
      r.SetDouble(&m, &f, *v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      if (absl::Status s = CheckString(f, label, raw); !s.ok()) return s;
      r.SetString(&m, &f, std::string(raw));
      return absl::OkStatus();
    default:
      return absl::InternalError(
          absl::StrCat(label, ": option type ", f.cpp_type_name(), " is not supported"));
  }
}

// Checks a value given in the typed form.
absl::Status CheckTyped(const Message& m, const FieldDescriptor& f, absl::string_view label) {
  const Reflection& r = *m.GetReflection();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT64: {
      const uint64_t v = r.GetUInt64(m, &f);
      if (v < MinUint64(f) || v > MaxUint64(f)) {
        return absl::InvalidArgumentError(absl::StrCat(label, ": expected an integer in [",
                                                       MinUint64(f), ", ", MaxUint64(f),
                                                       "], got \"", v, "\""));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      const double v = r.GetDouble(m, &f);
      if (!std::isfinite(v) || v < MinDouble(f) || v > MaxDouble(f)) {
        return absl::InvalidArgumentError(absl::StrCat(label, ": expected a number in [",
                                                       MinDouble(f), ", ", MaxDouble(f),
                                                       "], got \"", v, "\""));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      return CheckString(f, label, r.GetString(m, &f));
    default:
      return absl::InternalError(
          absl::StrCat(label, ": option type ", f.cpp_type_name(), " is not supported"));
  }
}

std::vector<std::string> FieldNames(const Descriptor& d) {
  std::vector<std::string> names;
  for (int i = 0; i < d.field_count(); ++i) names.push_back(d.field(i)->name());
  return names;
}

}  // namespace

const std::string& OptionDefault(const FieldDescriptor& field) {
  return field.options().GetExtension(v1::default_value);
}

absl::StatusOr<uint64_t> ParseUint64Option(absl::string_view label, absl::string_view raw,
                                           uint64_t min, uint64_t max) {
  uint64_t value = 0;
  if (!absl::SimpleAtoi(raw, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": expected an integer in [", min,
                                                   ", ", max, "], got \"", raw, "\""));
  }
  return value;
}

absl::StatusOr<double> ParseDoubleOption(absl::string_view label, absl::string_view raw,
                                         double min, double max) {
  double value = 0;
  if (!absl::SimpleAtod(raw, &value) || !std::isfinite(value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": expected a number in [", min,
                                                   ", ", max, "], got \"", raw, "\""));
  }
  return value;
}

absl::Status ResolveStageOptions(const v1::StageConfig& config, Message& options) {
  options.Clear();
  const Descriptor& d = *options.GetDescriptor();
  const Reflection& cr = *config.GetReflection();
  const FieldDescriptor* typed = cr.GetOneofFieldDescriptor(
      config, config.GetDescriptor()->FindOneofByName("typed_options"));
  std::string prefix;  // "decode." in the typed form
  if (typed != nullptr) {
    if (typed->name() != config.name()) {
      return absl::InvalidArgumentError(absl::StrCat(typed->name(), ": options for stage '",
                                                     typed->name(), "' given to stage '",
                                                     config.name(), "'"));
    }
    if (!config.options().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          typed->name(), ": give the options either typed or as `options` entries, not both"));
    }
    if (typed->message_type() != &d) {
      return absl::InternalError(absl::StrCat(typed->name(), ": is a ",
                                              typed->message_type()->full_name(),
                                              ", the stage takes a ", d.full_name()));
    }
    options.CopyFrom(cr.GetMessage(config, typed));
    prefix = absl::StrCat(typed->name(), ".");
    for (int i = 0; i < d.field_count(); ++i) {
      const FieldDescriptor& f = *d.field(i);
      if (!options.GetReflection()->HasField(options, &f)) continue;
      if (absl::Status s = CheckTyped(options, f, absl::StrCat(prefix, f.name())); !s.ok()) {
        return s;
      }
    }
  } else {
    for (const auto& [key, value] : config.options()) {
      const FieldDescriptor* f = d.FindFieldByName(key);
      if (f == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("options[\"", key,
                                                       "\"]: unknown option for stage '",
                                                       config.name(), "'; known: ",
                                                       absl::StrJoin(FieldNames(d), ", ")));
      }
    }
    // In field order, so that the first error is the same on every run (map order is not).
    for (int i = 0; i < d.field_count(); ++i) {
      const FieldDescriptor& f = *d.field(i);
      auto it = config.options().find(f.name());
      if (it == config.options().end()) continue;
      if (absl::Status s =
              SetFromText(options, f, absl::StrCat("options[\"", f.name(), "\"]"), it->second);
          !s.ok()) {
        return s;
      }
    }
  }
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor& f = *d.field(i);
    if (options.GetReflection()->HasField(options, &f)) continue;
    if (absl::Status s = SetFromText(options, f, absl::StrCat(d.name(), ".", f.name(), " default"),
                                     OptionDefault(f));
        !s.ok()) {
      return absl::InternalError(s.message());
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOptionsDescriptor(const Descriptor& d) {
  std::unique_ptr<Message> m(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&d)->New());
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor& f = *d.field(i);
    const std::string label = absl::StrCat(d.full_name(), ".", f.name());
    const bool in_real_oneof =
        f.containing_oneof() != nullptr && !f.containing_oneof()->is_synthetic();
    if (!f.has_presence() || f.is_repeated() || in_real_oneof) {
      return absl::InternalError(absl::StrCat(label, ": must be an `optional` scalar"));
    }
    const auto& o = f.options();
    const bool number = f.cpp_type() == FieldDescriptor::CPPTYPE_UINT64 ||
                        f.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE;
    if (!number && f.cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      return absl::InternalError(absl::StrCat(label, ": must be uint64, double or string"));
    }
    if (!o.HasExtension(v1::default_value)) {
      return absl::InternalError(absl::StrCat(label, ": has no (newsd.v1.default_value)"));
    }
    if (!number && (o.HasExtension(v1::min_value) || o.HasExtension(v1::max_value))) {
      return absl::InternalError(absl::StrCat(label, ": bounds on a string option"));
    }
    if (number && (o.ExtensionSize(v1::choices) > 0 || o.GetExtension(v1::duration))) {
      return absl::InternalError(absl::StrCat(label, ": choices or duration on a number"));
    }
    if (absl::Status s = SetFromText(*m, f, label, OptionDefault(f)); !s.ok()) {
      return absl::InternalError(absl::StrCat("default of ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace newsd
