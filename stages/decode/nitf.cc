#include "stages/decode/nitf.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/common/unicode.h"
#include "stages/decode/markup.h"
#include "stages/decode/wire_time.h"

namespace newsd::stages {
namespace {

// "By <person>Alan Karben</person> <byttl>NITF Network News Online</byttl>" →
// "By Alan Karben, NITF Network News Online".
std::string BylineText(const xmlNode* byline) {
  std::string out;
  for (const xmlNode* c = byline->children; c != nullptr; c = c->next) {
    if (IsElement(c, "byttl")) {
      const std::string title = Text(c);
      if (title.empty()) continue;
      const std::string before = CollapseWhitespace(out);
      out = before.empty() || absl::EndsWith(before, ",") ? absl::StrCat(before, " ", title)
                                                          : absl::StrCat(before, ", ", title);
    } else if (c->type == XML_ELEMENT_NODE) {
      absl::StrAppend(&out, " ", Text(c), " ");
    } else if (c->type == XML_TEXT_NODE && c->content != nullptr) {
      out.append(reinterpret_cast<const char*>(c->content));
    }
  }
  return CollapseWhitespace(out);
}

void ReadDateline(const xmlNode* dateline, v1::Dateline* out) {
  const xmlNode* location = Child(dateline, "location");
  const xmlNode* date = Child(dateline, "story.date");
  std::string place = location != nullptr ? Text(location) : Text(dateline);
  if (location == nullptr && date != nullptr) {
    const std::string date_text = Text(date);
    if (absl::EndsWith(place, date_text)) place.resize(place.size() - date_text.size());
  }
  place = CollapseWhitespace(place);
  while (!place.empty() && (place.back() == ',' || place.back() == ' ')) place.pop_back();
  if (out->place().empty()) out->set_place(place);
  if (date != nullptr && out->date().empty()) out->set_date(Text(date));
}

std::string IdentifiedContent(const xmlNode* e) {
  std::string value = Text(e);
  for (absl::string_view attr : {"value", "location-code", "idsrc"}) {
    if (!value.empty()) break;
    value = Attr(e, attr);
  }
  return value.empty() ? "" : absl::StrCat(Name(e), ":", value);
}

void ReadDocdata(const xmlNode* docdata, DecodedDocument* doc) {
  v1::Wire& wire = doc->wire;
  if (const xmlNode* id = Child(docdata, "doc-id")) {
    if (wire.guid().empty()) wire.set_guid(Attr(id, "id-string"));
    if (wire.provider().empty()) wire.set_provider(Attr(id, "regsrc"));
  }
  if (wire.provider().empty()) {
    if (const xmlNode* src = Descendant(docdata, "from-src", 2)) {
      wire.set_provider(Attr(src, "src-name"));
    }
  }
  if (wire.pub_status() == v1::PUB_STATUS_UNSPECIFIED) {
    wire.set_pub_status(ParsePubStatus(Attr(docdata, "management-status")));
  }
  if (wire.previous_guid().empty()) {
    wire.set_previous_guid(Attr(docdata, "management-doc-idref"));
    wire.set_previous_status(ParsePubStatus(Attr(docdata, "management-idref-status")));
  }
  if (wire.urgency() == 0) wire.set_urgency(ParseUrgency(Attr(Child(docdata, "urgency"), "ed-urg")));
  if (!wire.has_version_created()) {
    SetWireTime(Attr(Child(docdata, "date.issue"), "norm"), &wire, &v1::Wire::mutable_version_created,
                &doc->flags);
  }
  if (!wire.has_embargo_until()) {
    SetEmbargoTime(Attr(Child(docdata, "date.release"), "norm"), &wire, &doc->flags);
  }
  if (wire.version() == 0) {
    uint32_t version = 0;
    if (absl::SimpleAtoi(Attr(Child(docdata, "du-key"), "version"), &version)) {
      wire.set_version(version);
    }
  }
  for (const xmlNode* scope : Children(docdata, "doc-scope")) {
    if (std::string s = Attr(scope, "scope"); !s.empty()) wire.add_scopes(std::move(s));
  }
  for (const xmlNode* kw : Descendants(Child(docdata, "key-list"), "keyword", 2)) {
    if (std::string k = Attr(kw, "key"); !k.empty()) wire.add_keywords(std::move(k));
  }
  for (const xmlNode* e : ChildElements(Child(docdata, "identified-content"))) {
    if (std::string v = IdentifiedContent(e); !v.empty()) wire.add_identified_content(std::move(v));
  }
  if (const xmlNode* evloc = Child(docdata, "evloc"); evloc != nullptr && wire.located().empty()) {
    std::vector<std::string> parts;
    for (absl::string_view attr : {"city", "state-prov", "iso-cc"}) {
      if (std::string v = Attr(evloc, attr); !v.empty()) parts.push_back(std::move(v));
    }
    wire.set_located(absl::StrJoin(parts, ", "));
  }
}

}  // namespace

void ReadNitf(const xmlNode* nitf, const DecodeLimits& limits, DecodedDocument* doc) {
  const xmlNode* head = Child(nitf, "head");
  const xmlNode* body = Child(nitf, "body");
  const xmlNode* body_head = Child(body, "body.head");
  if (doc->wire.declared_language().empty()) {
    std::string lang = Lang(nitf);
    if (lang.empty() && body != nullptr) lang = Lang(body);
    doc->wire.set_declared_language(lang);
  }
  if (doc->headline.empty()) doc->headline = Text(Child(Child(body_head, "hedline"), "hl1"));
  if (doc->headline.empty()) doc->headline = Text(Child(head, "title"));
  if (const xmlNode* byline = Child(body_head, "byline"); byline != nullptr && doc->byline.empty()) {
    doc->byline = BylineText(byline);
  }
  if (const xmlNode* dateline = Child(body_head, "dateline")) ReadDateline(dateline, &doc->dateline);
  if (const xmlNode* docdata = Child(head, "docdata")) ReadDocdata(docdata, doc);
  for (const xmlNode* tobject : Children(head, "tobject")) {
    for (const xmlNode* subject : Children(tobject, "tobject.subject")) {
      if (std::string code = Attr(subject, "tobject.subject.refnum"); !code.empty()) {
        doc->wire.add_subjects(absl::StrCat("subj:", code));
      }
    }
  }
  if (!doc->published_at.has_value()) {
    const xmlNode* docdata = Child(head, "docdata");
    for (const std::string& value :
         {Attr(Child(docdata, "date.release"), "norm"),
          Attr(Child(head, "pubdata"), "date.publication"),
          Attr(Child(docdata, "date.issue"), "norm")}) {
      if (std::optional<absl::Time> t = ParseWireTime(value)) {
        doc->published_at = *t;
        break;
      }
    }
  }
  bool depth_limited = false;
  ParagraphOptions options;
  options.max_depth = limits.xml_max_depth;
  options.skip = [](const xmlNode* e) { return IsElement(e, "note"); };
  for (std::string& p : ExtractParagraphs(Child(body, "body.content"), options, &depth_limited)) {
    doc->paragraphs.push_back(std::move(p));
  }
  for (const xmlNode* tagline : Children(Child(body, "body.end"), "tagline")) {
    if (std::string t = Text(tagline); !t.empty()) doc->credits.push_back(std::move(t));
  }
  NoteDepthLimit(depth_limited, doc);
  doc->from_markup = true;
}

bool ReadNitfBody(absl::string_view xml, const DecodeLimits& limits, DecodedDocument* doc) {
  absl::StatusOr<XmlDocPtr> parsed = ParseXml(xml);
  if (!parsed.ok()) return false;
  const xmlNode* root = xmlDocGetRootElement(parsed->get());
  if (!IsElement(root, "nitf")) return false;
  ReadNitf(root, limits, doc);
  return true;
}

absl::StatusOr<DecodedItems> DecodeNitf(const DecodeInput& input) {
  absl::StatusOr<ParsedMarkup> parsed = ParseXmlInput(input);
  if (!parsed.ok()) return parsed.status();
  const xmlNode* root = xmlDocGetRootElement(parsed->doc.get());
  if (!IsElement(root, "nitf")) {
    return absl::InvalidArgumentError(
        absl::StrCat("NITF: root element is <", Name(root), ">, expected <nitf>"));
  }
  DecodedDocument doc;
  doc.format = v1::FORMAT_NITF;
  doc.flags = std::move(parsed->flags);
  ReadNitf(root, input.limits, &doc);
  DecodedItems items;
  items.push_back(std::move(doc));
  return items;
}

}  // namespace newsd::stages
