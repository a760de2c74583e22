#include "stages/decode/ninjs.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/common/unicode.h"
#include "stages/decode/charset.h"
#include "stages/decode/markup.h"
#include "stages/decode/plain_text.h"
#include "stages/decode/wire_time.h"

namespace newsd::stages {
namespace {

using Json = nlohmann::json;

// SAX pass that only checks nesting depth (nlohmann's DOM parser has no limit).
class DepthChecker : public nlohmann::json_sax<Json> {
 public:
  explicit DepthChecker(int max_depth) : max_depth_(max_depth) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return Enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    error_ = absl::InvalidArgumentError(
        absl::StrCat("ninjs: invalid JSON at byte ", position, ": ", e.what()));
    return false;
  }

  const absl::Status& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) {
      error_ = absl::ResourceExhaustedError(absl::StrCat(
          "ninjs: JSON nested deeper than ", max_depth_, " levels (json_max_depth)"));
      return false;
    }
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  int max_depth_;
  int depth_ = 0;
  absl::Status error_;
};

// Typed, tolerant access to one ninjs object.
class Reader {
 public:
  Reader(const Json& object, std::vector<std::string>* flags) : object_(object), flags_(flags) {}

  // The property `name` (case-insensitive), or nullptr if absent or null.
  const Json* Get(absl::string_view name) const {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (absl::EqualsIgnoreCase(it.key(), name) && !it.value().is_null()) return &it.value();
    }
    return nullptr;
  }

  // A string property; numbers are printed; other types are ignored with a flag.
  std::string String(absl::string_view name) const { return AsString(Get(name)); }

  const Json* Array(absl::string_view name) const {
    const Json* v = Get(name);
    if (v == nullptr || v->is_array()) return v;
    Ignored();
    return nullptr;
  }

  std::string AsString(const Json* v) const {
    if (v == nullptr) return "";
    if (v->is_string()) return v->get<std::string>();
    if (v->is_number_unsigned()) return absl::StrCat(v->get<uint64_t>());
    if (v->is_number_integer()) return absl::StrCat(v->get<int64_t>());
    Ignored();
    return "";
  }

  void Ignored() const {
    if (std::find(flags_->begin(), flags_->end(), "ninjs_field_ignored") == flags_->end()) {
      flags_->push_back("ninjs_field_ignored");
    }
  }

  std::vector<std::string>* flags() const { return flags_; }

 private:
  const Json& object_;
  std::vector<std::string>* flags_;
};

bool IsHtml(absl::string_view content_type) {
  return absl::StrContains(absl::AsciiStrToLower(content_type), "html");
}

std::vector<std::string> BodyParagraphs(absl::string_view value, bool html,
                                        const DecodeLimits& limits, DecodedDocument* doc) {
  if (!html) return SplitTextParagraphs(value);
  bool depth_limited = false;
  std::vector<std::string> out = HtmlFragmentParagraphs(value, limits.xml_max_depth, &depth_limited);
  NoteDepthLimit(depth_limited, doc);
  return out;
}

// The first entry of a "bodies"/"descriptions" list: an HTML one if any, else a text one.
bool ReadRoleList(const Reader& r, absl::string_view name, const DecodeLimits& limits,
                  DecodedDocument* doc) {
  const Json* list = r.Array(name);
  if (list == nullptr) return false;
  const Json* text = nullptr;
  for (const Json& entry : *list) {
    if (!entry.is_object()) {
      r.Ignored();
      continue;
    }
    const Reader e(entry, r.flags());
    const std::string type = e.String("contenttype");
    const std::string value = e.String("value");
    if (value.empty()) continue;
    if (IsHtml(type) || IsHtml(e.String("role"))) {
      doc->paragraphs = BodyParagraphs(value, true, limits, doc);
      return true;
    }
    if (text == nullptr) text = &entry;
  }
  if (text == nullptr) return false;
  doc->paragraphs = BodyParagraphs(Reader(*text, r.flags()).String("value"), false, limits, doc);
  return true;
}

// The first non-blank of the single-value properties `names` (name, is HTML).
bool ReadSingleBody(const Reader& r,
                    std::initializer_list<std::pair<absl::string_view, bool>> names,
                    const DecodeLimits& limits, DecodedDocument* doc) {
  for (const auto& [name, html] : names) {
    if (std::string value = r.String(name); !IsBlank(value)) {
      doc->paragraphs = BodyParagraphs(value, html, limits, doc);
      return true;
    }
  }
  return false;
}

void ReadBody(const Reader& r, const DecodeLimits& limits, DecodedDocument* doc) {
  if (ReadRoleList(r, "bodies", limits, doc) ||
      ReadSingleBody(r, {{"body_html", true}, {"body_xhtml", true}, {"body_text", false}},
                     limits, doc) ||
      ReadRoleList(r, "descriptions", limits, doc)) {
    return;
  }
  ReadSingleBody(r, {{"description_xhtml", true}, {"description_text", false}}, limits, doc);
}

std::string Headline(const Reader& r) {
  if (std::string h = r.String("headline"); !h.empty()) return h;
  if (const Json* list = r.Array("headlines")) {
    std::string first;
    for (const Json& entry : *list) {
      if (!entry.is_object()) continue;
      const Reader e(entry, r.flags());
      const std::string value = e.String("value");
      if (e.String("role") == "main" && !value.empty()) return value;
      if (first.empty()) first = value;
    }
    if (!first.empty()) return first;
  }
  return r.String("title");
}

std::string Byline(const Reader& r) {
  if (std::string b = r.String("byline"); !b.empty()) return b;
  const Json* by = r.Get("by");
  if (by == nullptr) return "";
  if (by->is_string()) return by->get<std::string>();
  std::vector<std::string> names;
  if (by->is_array()) {
    for (const Json& entry : *by) {
      if (entry.is_object()) names.push_back(Reader(entry, r.flags()).String("name"));
    }
  }
  std::string out;
  for (const std::string& n : names) {
    if (!n.empty()) absl::StrAppend(&out, out.empty() ? "" : ", ", n);
  }
  return out;
}

void ReadSubjects(const Reader& r, v1::Wire* wire) {
  for (absl::string_view name : {"subjects", "subject"}) {
    const Json* list = r.Array(name);
    if (list == nullptr) continue;
    for (const Json& entry : *list) {
      if (!entry.is_object()) {
        r.Ignored();
        continue;
      }
      const Reader e(entry, r.flags());
      const std::string uri = e.String("uri");
      const std::string code = e.String("code");
      const std::string scheme = e.String("scheme");
      if (!uri.empty()) {
        wire->add_subjects(uri);
      } else if (!code.empty()) {
        wire->add_subjects(scheme.empty() ? code : absl::StrCat(scheme, ":", code));
      } else if (std::string n = e.String("name"); !n.empty()) {
        wire->add_keywords(std::move(n));
      }
    }
  }
  if (const Json* keywords = r.Array("keywords")) {
    for (const Json& k : *keywords) {
      if (std::string s = r.AsString(&k); !s.empty()) wire->add_keywords(std::move(s));
    }
  }
}

}  // namespace

absl::StatusOr<DecodedItems> DecodeNinjs(const DecodeInput& input) {
  absl::StatusOr<Utf8Text> utf8 =
      DecodeToUtf8(input.payload, {input.content_type.charset, ""}, input.limits.charset);
  if (!utf8.ok()) return utf8.status();
  DepthChecker checker(input.limits.json_max_depth);
  if (!Json::sax_parse(utf8->text, &checker)) return checker.error();
  const Json root = Json::parse(utf8->text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("ninjs: invalid JSON");
  if (!root.is_object()) return absl::InvalidArgumentError("ninjs: top-level value is not an object");

  DecodedDocument doc;
  doc.format = v1::FORMAT_NINJS;
  doc.from_markup = true;
  doc.flags = std::move(utf8->flags);
  const Reader r(root, &doc.flags);
  v1::Wire& wire = doc.wire;
  wire.set_guid(r.String("uri"));
  uint32_t version = 0;
  if (absl::SimpleAtoi(r.String("version"), &version)) wire.set_version(version);
  if (SetWireTime(r.String("versioncreated"), &wire, &v1::Wire::mutable_version_created, &doc.flags)) {
    doc.published_at = ParseWireTime(r.String("versioncreated"));
  }
  SetWireTime(r.String("firstcreated"), &wire, &v1::Wire::mutable_first_created, &doc.flags);
  SetEmbargoTime(r.String("embargoed"), &wire, &doc.flags);
  wire.set_pub_status(ParsePubStatus(r.String("pubstatus")));
  wire.set_urgency(ParseUrgency(r.String("urgency")));
  wire.set_slugline(r.String("slugline"));
  wire.set_declared_language(r.String("language"));
  if (const Json* located = r.Get("located"); located != nullptr && located->is_string()) {
    wire.set_located(located->get<std::string>());
  }
  ReadSubjects(r, &wire);
  doc.headline = Headline(r);
  doc.byline = Byline(r);
  ReadBody(r, input.limits, &doc);
  DecodedItems items;
  items.push_back(std::move(doc));
  return items;
}

}  // namespace newsd::stages
