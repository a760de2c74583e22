#include "stages/decode/ninjs.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "stages/common/unicode.h"
#include "stages/decode/charset.h"
#include "stages/decode/formats.h"
#include "stages/decode/html.h"
#include "stages/decode/markup.h"
#include "stages/decode/nitf.h"
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

  // The strings of a value that is a string (or number) or an array of them.
  std::vector<std::string> Strings(const Json* v) const {
    std::vector<std::string> out;
    if (v == nullptr) return out;
    if (!v->is_array()) {
      if (std::string s = AsString(v); !s.empty()) out.push_back(std::move(s));
      return out;
    }
    for (const Json& e : *v) {
      if (e.is_null()) continue;
      if (std::string s = AsString(&e); !s.empty()) out.push_back(std::move(s));
    }
    return out;
  }

  // The elements of an array value; any other value is a list of one.
  static std::vector<const Json*> Entries(const Json* v) {
    std::vector<const Json*> out;
    if (v == nullptr) return out;
    if (!v->is_array()) {
      out.push_back(v);
      return out;
    }
    for (const Json& e : *v) {
      if (!e.is_null()) out.push_back(&e);
    }
    return out;
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

// How a body value is decoded.
enum class BodyType { kText, kHtml, kNitf };

// The type a body declares by its content type or role ("text/html",
// "application/xhtml+xml", "xhtml", "application/nitf+xml", "nitf"); kText when it
// names neither.
BodyType DeclaredType(absl::string_view type) {
  const std::string lower = absl::AsciiStrToLower(type);
  if (absl::StrContains(lower, "nitf")) return BodyType::kNitf;
  if (absl::StrContains(lower, "html")) return BodyType::kHtml;
  return BodyType::kText;
}

// How a body value is read, and how good a candidate it is among "bodies"
// (lower is better).
struct ValueKind {
  BodyType type;
  int rank;
};

// The kind of a body value: NITF when its root element is <nitf>, whatever it
// declares (providers label NITF bodies "text/html" or nothing) — rank 1; else the
// declared HTML — rank 0; a "text" value that is markup (starts with an element or
// DOCTYPE and closes an element) is HTML, and a declared NITF value that is not
// NITF is tried as NITF, then HTML — rank 3; other text — rank 2.
ValueKind KindOf(absl::string_view value, BodyType declared) {
  const PayloadHead head = ReadPayloadHead(value);
  const absl::string_view root = head.root;
  if (root == "nitf" || absl::EndsWith(root, ":nitf")) return {BodyType::kNitf, 1};
  if (declared == BodyType::kHtml) return {BodyType::kHtml, 0};
  if (declared == BodyType::kNitf) return {BodyType::kNitf, 3};
  if ((!root.empty() || !head.doctype.empty()) &&
      (absl::StrContains(head.head, "</") || absl::StrContains(head.head, "/>"))) {
    return {BodyType::kHtml, 3};
  }
  return {BodyType::kText, 2};
}

// A markup body whose DOCTYPE declares entities is rejected as a standalone XML
// document is (markup.h: "XML entity declaration <!ENTITY x> rejected"): read as
// HTML, its internal subset would leak into the text ("]>") and its entity
// references would be left undefined.
absl::Status CheckNoDtdEntities(absl::string_view value) {
  const PayloadHead head = ReadPayloadHead(value);
  if (head.doctype.empty()) return absl::OkStatus();
  absl::string_view prolog = head.head;
  if (!head.root.empty()) {
    const size_t root = prolog.find(absl::StrCat("<", head.root));
    if (root != absl::string_view::npos) prolog = prolog.substr(0, root);
  }
  if (!absl::StrContains(prolog, "<!ENTITY")) return absl::OkStatus();
  absl::StatusOr<XmlDocPtr> parsed = ParseXml(value);
  if (!parsed.ok() && absl::StartsWith(parsed.status().message(), "XML entity declaration")) {
    return parsed.status();
  }
  return absl::InvalidArgumentError(
      "XML entity declaration <!ENTITY> rejected (DTD entities are disabled)");
}

// `value` without a DOCTYPE declaration with an internal subset
// ("<!DOCTYPE x [...]>") before its root element: the HTML parser does not read
// an internal subset and would keep its end ("]>") as text.
std::string WithoutInternalSubset(absl::string_view value) {
  const std::string lower = absl::AsciiStrToLower(value.substr(0, 64 * 1024));
  const size_t start = lower.find("<!doctype");
  if (start == std::string::npos) return std::string(value);
  const size_t gt = lower.find('>', start);
  const size_t subset = lower.find('[', start);
  if (gt == std::string::npos || subset > gt) return std::string(value);
  // The subset of a declaration that can reach the HTML reader holds no
  // <!ENTITY> (CheckNoDtdEntities), so its first "]>" ends it.
  const size_t end = value.find("]>", subset);
  if (end == absl::string_view::npos) return std::string(value);
  return absl::StrCat(value.substr(0, start), value.substr(end + 2));
}

// Appends the paragraphs of one body value: NITF through nitf.h (which also fills
// the byline, dateline and wire fields the item lacks; HTML parsing if it is not
// well-formed NITF), HTML/XHTML through html.h, text as blank-line paragraphs.
absl::Status ReadBodyValue(absl::string_view value, BodyType declared, const DecodeLimits& limits,
                           DecodedDocument* doc) {
  const BodyType type = KindOf(value, declared).type;
  if (type != BodyType::kText) {
    if (absl::Status s = CheckNoDtdEntities(value); !s.ok()) return s;
  }
  switch (type) {
    case BodyType::kNitf:
      if (ReadNitfBody(value, limits, doc)) return absl::OkStatus();
      ReadHtmlBody(WithoutInternalSubset(value), limits, doc);
      return absl::OkStatus();
    case BodyType::kHtml:
      ReadHtmlBody(WithoutInternalSubset(value), limits, doc);
      return absl::OkStatus();
    case BodyType::kText:
      for (std::string& p : SplitTextParagraphs(value)) doc->paragraphs.push_back(std::move(p));
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

// Reads the body values `values` (one string, or an array of strings: one
// paragraph block each); false, with no paragraph added, if they yield no text
// (all blank, or markup without text such as "<p></p>" or only <script>).
absl::StatusOr<bool> ReadBodyValues(const std::vector<std::string>& values, BodyType declared,
                                    const DecodeLimits& limits, DecodedDocument* doc) {
  const size_t before = doc->paragraphs.size();
  for (const std::string& v : values) {
    if (IsBlank(v)) continue;
    if (absl::Status s = ReadBodyValue(v, declared, limits, doc); !s.ok()) return s;
  }
  if (std::any_of(doc->paragraphs.begin() + before, doc->paragraphs.end(),
                  [](const std::string& p) { return !IsBlank(p); })) {
    return true;
  }
  doc->paragraphs.resize(before);
  return false;
}

// The entries of a "bodies"/"descriptions" list, best rank (KindOf) first — a
// declared HTML/XHTML one, else a NITF one, else a plain text one, else any
// other; in list order within a rank — until one yields text.
absl::StatusOr<bool> ReadRoleList(const Reader& r, absl::string_view name,
                                  const DecodeLimits& limits, DecodedDocument* doc) {
  const Json* list = r.Array(name);
  if (list == nullptr) return false;
  struct Candidate {
    int rank;
    BodyType type;
    std::vector<std::string> values;
  };
  std::vector<Candidate> candidates;
  for (const Json& entry : *list) {
    if (!entry.is_object()) {
      r.Ignored();
      continue;
    }
    const Reader e(entry, r.flags());
    std::vector<std::string> values = e.Strings(e.Get("value"));
    if (std::all_of(values.begin(), values.end(), [](const std::string& v) { return IsBlank(v); })) {
      continue;
    }
    BodyType declared = DeclaredType(e.String("contenttype"));
    if (declared == BodyType::kText) declared = DeclaredType(e.String("role"));
    const int rank = KindOf(values.front(), declared).rank;
    candidates.push_back({rank, declared, std::move(values)});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.rank < b.rank; });
  for (const Candidate& c : candidates) {
    absl::StatusOr<bool> read = ReadBodyValues(c.values, c.type, limits, doc);
    if (!read.ok() || *read) return read;
  }
  return false;
}

// The first of the single-value properties `names` (a string or an array of
// strings) that yields text.
absl::StatusOr<bool> ReadSingleBody(
    const Reader& r, std::initializer_list<std::pair<absl::string_view, BodyType>> names,
    const DecodeLimits& limits, DecodedDocument* doc) {
  for (const auto& [name, type] : names) {
    absl::StatusOr<bool> read = ReadBodyValues(r.Strings(r.Get(name)), type, limits, doc);
    if (!read.ok() || *read) return read;
  }
  return false;
}

// The first body candidate (ninjs.h) that yields text.
absl::Status ReadBody(const Reader& r, const DecodeLimits& limits, DecodedDocument* doc) {
  constexpr BodyType kHtml = BodyType::kHtml;
  absl::StatusOr<bool> read = ReadRoleList(r, "bodies", limits, doc);
  if (read.ok() && !*read) {
    read = ReadSingleBody(r,
                          {{"body_html", kHtml},
                           {"body_xhtml", kHtml},
                           {"body_nitf", BodyType::kNitf},
                           {"body_text", BodyType::kText}},
                          limits, doc);
  }
  if (read.ok() && !*read) read = ReadRoleList(r, "descriptions", limits, doc);
  if (read.ok() && !*read) {
    read = ReadSingleBody(r,
                          {{"description_html", kHtml},
                           {"description_xhtml", kHtml},
                           {"description_text", BodyType::kText}},
                          limits, doc);
  }
  return read.status();
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

// The creators in `v`: a string, an object ({"name"} or, as AP writes "bylines",
// {"by", "title"}) or an array of those, joined with ", ".
std::string Creators(const Reader& r, const Json* v) {
  if (v == nullptr) return "";
  std::vector<std::string> names;
  for (const Json* entry : r.Entries(v)) {
    if (entry->is_string()) {
      names.push_back(entry->get<std::string>());
    } else if (entry->is_object()) {
      const Reader e(*entry, r.flags());
      std::string name = e.String("name");
      if (name.empty()) name = e.String("by");
      if (name.empty()) {
        r.Ignored();
        continue;
      }
      if (std::string title = e.String("title"); !title.empty()) {
        absl::StrAppend(&name, ", ", title);
      }
      names.push_back(std::move(name));
    } else {
      r.Ignored();
    }
  }
  std::string out;
  for (const std::string& n : names) {
    if (!IsBlank(n)) absl::StrAppend(&out, out.empty() ? "" : ", ", n);
  }
  return out;
}

// "byline" (ninjs 1.x), else "bylines" (AP), else "by" (ninjs 2.x/3.x).
std::string Byline(const Reader& r) {
  for (absl::string_view name : {"byline", "bylines", "by"}) {
    if (std::string b = Creators(r, r.Get(name)); !b.empty()) return b;
  }
  return "";
}

// "medtop:04000000", "http://cv.iptc.org/newscodes/mediatopic/04000000": one
// token with a scheme or prefix, unlike a keyword such as "Economy".
bool LooksLikeCode(absl::string_view s) {
  return !s.empty() && absl::StrContains(s, ':') &&
         std::none_of(s.begin(), s.end(),
                      [](char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); });
}

void ReadSubjects(const Reader& r, v1::Wire* wire) {
  for (absl::string_view name : {"subjects", "subject"}) {
    for (const Json* entry : r.Entries(r.Get(name))) {
      if (entry->is_string()) {
        std::string s = entry->get<std::string>();
        if (IsBlank(s)) continue;
        LooksLikeCode(s) ? wire->add_subjects(std::move(s)) : wire->add_keywords(std::move(s));
        continue;
      }
      if (!entry->is_object()) {
        r.Ignored();
        continue;
      }
      const Reader e(*entry, r.flags());
      std::string uri = e.String("uri");
      if (uri.empty()) uri = e.String("qcode");
      const std::string code = e.String("code");
      const std::string scheme = e.String("scheme");
      if (!uri.empty()) {
        wire->add_subjects(std::move(uri));
      } else if (!code.empty()) {
        wire->add_subjects(scheme.empty() ? code : absl::StrCat(scheme, ":", code));
      } else if (std::string n = e.String("name"); !n.empty()) {
        wire->add_keywords(std::move(n));
      }
    }
  }
  // Keywords: an array of strings (or of {"name"}/{"value"} objects), or one
  // comma-separated string.
  const Json* keywords = r.Get("keywords");
  if (keywords != nullptr && keywords->is_string()) {
    for (absl::string_view k : absl::StrSplit(keywords->get<std::string>(), ',')) {
      k = absl::StripAsciiWhitespace(k);
      if (!k.empty()) wire->add_keywords(std::string(k));
    }
    return;
  }
  for (const Json* k : r.Entries(keywords)) {
    std::string s;
    if (k->is_object()) {
      const Reader e(*k, r.flags());
      s = e.String("name");
      if (s.empty()) s = e.String("value");
    } else {
      s = r.AsString(k);
    }
    if (!IsBlank(s)) wire->add_keywords(std::move(s));
  }
}

// A date-time property as read: absent (missing or null), or present with its
// time when it is readable and plausible (IsPlausibleWireTime), else nullopt.
struct TimeValue {
  bool present = false;
  std::optional<absl::Time> time;
};

// A Unix time in seconds, or in milliseconds when its magnitude is 1e11 or more
// (1e11 s is the year 5138; 1e11 ms is March 1973); nullopt when not finite or
// out of range (IsPlausibleWireTime).
std::optional<absl::Time> EpochTime(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  const double seconds = std::abs(value) >= 1e11 ? value / 1000 : value;
  if (!(std::abs(seconds) < 1e12)) return std::nullopt;
  const absl::Time t = absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
  if (!IsPlausibleWireTime(t)) return std::nullopt;
  return t;
}

// The same for an integer, exact: milliseconds when its magnitude is 1e11 or more.
std::optional<absl::Time> EpochTime(int64_t value) {
  const absl::Time t = value >= 100000000000 || value <= -100000000000
                           ? absl::FromUnixMillis(value)
                           : absl::FromUnixSeconds(value);
  if (!IsPlausibleWireTime(t)) return std::nullopt;
  return t;
}

// A date-time property: a string is read by ParseWireTime, except that a JSON
// number, or a string of exactly 10 or 13 digits, is a Unix time in seconds or
// milliseconds (feeds built from JavaScript write Date.now()). Any other present
// value (a blank string, true, an array, an object, a number out of range) is
// present but unreadable.
TimeValue ReadTime(const Reader& r, absl::string_view name) {
  TimeValue out;
  const Json* v = r.Get(name);
  if (v == nullptr) return out;
  out.present = true;
  if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX)) out.time = EpochTime(static_cast<int64_t>(u));
  } else if (v->is_number_integer()) {
    out.time = EpochTime(v->get<int64_t>());
  } else if (v->is_number_float()) {
    out.time = EpochTime(v->get<double>());
  } else if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    const absl::string_view digits = absl::StripAsciiWhitespace(s);
    int64_t i = 0;
    if ((digits.size() == 10 || digits.size() == 13) &&
        std::all_of(digits.begin(), digits.end(),
                    [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) &&
        absl::SimpleAtoi(digits, &i)) {
      out.time = EpochTime(i);
    } else {
      out.time = ParseWireTime(s);
    }
  }
  return out;
}

// Sets the Wire field `field` from `value`; a present value that is not a
// plausible time adds `unparsed_flag` (once) instead. True when set.
bool SetTime(const TimeValue& value, v1::Wire* wire,
             google::protobuf::Timestamp* (v1::Wire::*field)(), absl::string_view unparsed_flag,
             std::vector<std::string>* flags) {
  if (!value.present) return false;
  if (!value.time.has_value()) {
    if (std::find(flags->begin(), flags->end(), unparsed_flag) == flags->end()) {
      flags->push_back(std::string(unparsed_flag));
    }
    return false;
  }
  *(wire->*field)() = ToTimestamp(*value.time);
  return true;
}

// One ninjs object (an item, or one item of a collection).
absl::StatusOr<DecodedDocument> ReadItem(const Json& object, const DecodeLimits& limits,
                                         const std::vector<std::string>& charset_flags) {
  DecodedDocument doc;
  doc.format = v1::FORMAT_NINJS;
  doc.from_markup = true;
  doc.flags = charset_flags;
  const Reader r(object, &doc.flags);
  v1::Wire& wire = doc.wire;
  std::string guid = r.String("uri");
  if (guid.empty()) guid = r.String("guid");
  wire.set_guid(std::move(guid));
  uint32_t version = 0;
  if (absl::SimpleAtoi(r.String("version"), &version)) wire.set_version(version);
  const TimeValue version_created = ReadTime(r, "versioncreated");
  const TimeValue first_created = ReadTime(r, "firstcreated");
  if (SetTime(version_created, &wire, &v1::Wire::mutable_version_created, "date_unparsed",
              &doc.flags)) {
    doc.published_at = version_created.time;
  }
  if (SetTime(first_created, &wire, &v1::Wire::mutable_first_created, "date_unparsed",
              &doc.flags) &&
      !doc.published_at.has_value()) {
    doc.published_at = first_created.time;
  }
  // "embargoed" up to 2.x, "embargoedUntil" from 3.0: any present value that is
  // not a plausible time rejects the item (embargo_unparsed, decode.h); when both
  // are present, "embargoed" is the time kept.
  const TimeValue embargoed = ReadTime(r, "embargoed");
  const TimeValue embargoed_until = ReadTime(r, "embargoeduntil");
  SetTime(embargoed_until, &wire, &v1::Wire::mutable_embargo_until, "embargo_unparsed",
          &doc.flags);
  SetTime(embargoed, &wire, &v1::Wire::mutable_embargo_until, "embargo_unparsed", &doc.flags);
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
  if (absl::Status s = ReadBody(r, limits, &doc); !s.ok()) return s;
  return doc;
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

  std::vector<const Json*> objects;
  bool truncated = false;
  bool skipped = false;
  if (root.is_object()) {
    objects.push_back(&root);
  } else if (root.is_array()) {
    for (const Json& entry : root) {
      if (!entry.is_object()) {
        skipped = true;
        continue;
      }
      if (objects.size() >= input.limits.max_items) {
        truncated = true;
        break;
      }
      objects.push_back(&entry);
    }
  }
  if (root.is_array() && root.empty()) {
    return absl::InvalidArgumentError("ninjs: empty collection (a JSON array without items)");
  }
  if (objects.empty()) {
    return absl::InvalidArgumentError(
        "ninjs: top-level value is neither an object nor an array of objects");
  }
  DecodedItems items;
  for (const Json* object : objects) {
    absl::StatusOr<DecodedDocument> doc = ReadItem(*object, input.limits, utf8->flags);
    if (!doc.ok()) return doc.status();
    items.push_back(*std::move(doc));
  }
  if (truncated) items.front().flags.push_back("items_truncated");
  if (skipped) items.front().flags.push_back("items_skipped");
  return items;
}

}  // namespace newsd::stages
