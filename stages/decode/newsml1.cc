#include "stages/decode/newsml1.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "stages/decode/dateline.h"
#include "stages/decode/markup.h"
#include "stages/decode/plain_text.h"
#include "stages/decode/wire_time.h"

namespace newsd::stages {
namespace {

constexpr int kSearchDepth = 12;

std::string FormalName(const xmlNode* e) { return Attr(e, "FormalName"); }

bool IsBodyRole(absl::string_view role) { return role == "Body" || role == "Main"; }

bool IsNonBodyRole(absl::string_view role) {
  return role == "HeadLine" || role == "SubHeadLine" || role == "StyleSheet" ||
         role == "Contact" || role == "Logo" || role == "Photo" || role == "Video";
}

void AppendContentItem(const xmlNode* item, const DecodeLimits& limits, DecodedDocument* doc) {
  const std::string mime = Attr(Child(item, "MimeType"), "FormalName");
  const xmlNode* data = Child(item, "DataContent");
  if (data == nullptr) return;
  bool depth_limited = false;
  ParagraphOptions options;
  options.max_depth = limits.xml_max_depth;
  const std::vector<xmlNode*> elements = ChildElements(data);
  if (!elements.empty()) {
    for (const xmlNode* e : elements) {
      for (std::string& p : ExtractParagraphs(e, options, &depth_limited)) {
        doc->paragraphs.push_back(std::move(p));
      }
    }
  } else if (mime.empty() || absl::StartsWith(mime, "text/plain")) {
    std::string raw;
    for (const xmlNode* c = data->children; c != nullptr; c = c->next) {
      if (c->content != nullptr) raw.append(reinterpret_cast<const char*>(c->content));
    }
    for (std::string& p : SplitTextParagraphs(raw)) doc->paragraphs.push_back(std::move(p));
  }
  NoteDepthLimit(depth_limited, doc);
}

void ReadBody(const xmlNode* news_item, const DecodeLimits& limits, DecodedDocument* doc) {
  std::vector<xmlNode*> components = Descendants(news_item, "NewsComponent", kSearchDepth);
  // Descendants stops at the outermost match: walk the nested components too.
  std::vector<const xmlNode*> all;
  for (size_t i = 0; i < components.size(); ++i) {
    all.push_back(components[i]);
    for (xmlNode* nested : Children(components[i], "NewsComponent")) components.push_back(nested);
  }
  for (const xmlNode* c : all) {
    if (!IsBodyRole(FormalName(Child(c, "Role")))) continue;
    for (const xmlNode* item : Children(c, "ContentItem")) AppendContentItem(item, limits, doc);
  }
  if (!doc->paragraphs.empty()) return;
  for (const xmlNode* c : all) {
    if (IsNonBodyRole(FormalName(Child(c, "Role")))) continue;
    for (const xmlNode* item : Children(c, "ContentItem")) {
      const std::string mime = Attr(Child(item, "MimeType"), "FormalName");
      if (absl::StartsWith(mime, "text/") || absl::StrContains(mime, "xhtml")) {
        AppendContentItem(item, limits, doc);
      }
    }
  }
}

DecodedDocument ReadNewsItem(const xmlNode* root, const xmlNode* item, const DecodeLimits& limits) {
  DecodedDocument doc;
  doc.format = v1::FORMAT_NEWSML_1;
  doc.from_markup = true;
  v1::Wire& wire = doc.wire;
  const xmlNode* id = Child(Child(item, "Identification"), "NewsIdentifier");
  wire.set_guid(Text(Child(id, "PublicIdentifier")));
  if (wire.guid().empty() && id != nullptr) {
    wire.set_guid(absl::StrCat("urn:newsml:", Text(Child(id, "ProviderId")), ":",
                               Text(Child(id, "DateId")), ":", Text(Child(id, "NewsItemId"))));
  }
  uint32_t version = 0;
  if (absl::SimpleAtoi(Text(Child(id, "RevisionId")), &version)) wire.set_version(version);
  wire.set_provider(
      FormalName(Child(Child(Child(root, "NewsEnvelope"), "SentFrom"), "Party")));
  if (wire.provider().empty()) wire.set_provider(Text(Child(id, "ProviderId")));

  const xmlNode* management = Child(item, "NewsManagement");
  SetWireTime(Text(Child(management, "FirstCreated")), &wire, &v1::Wire::mutable_first_created, &doc.flags);
  if (SetWireTime(Text(Child(management, "ThisRevisionCreated")), &wire, &v1::Wire::mutable_version_created, &doc.flags)) {
    doc.published_at = ParseWireTime(Text(Child(management, "ThisRevisionCreated")));
  }
  wire.set_pub_status(ParsePubStatus(FormalName(Child(management, "Status"))));
  wire.set_urgency(ParseUrgency(FormalName(Child(management, "Urgency"))));

  const xmlNode* lines = nullptr;
  for (const xmlNode* candidate : Descendants(item, "NewsLines", kSearchDepth)) {
    if (Child(candidate, "HeadLine") != nullptr) {
      lines = candidate;
      break;
    }
  }
  if (lines != nullptr) {
    doc.headline = Text(Child(lines, "HeadLine"));
    wire.set_slugline(Text(Child(lines, "SlugLine")));
    doc.byline = Text(Child(lines, "ByLine"));
    for (const xmlNode* credit : Children(lines, "CreditLine")) {
      if (std::string c = Text(credit); !c.empty()) doc.credits.push_back(std::move(c));
    }
    if (std::string dateline = Text(Child(lines, "DateLine")); !dateline.empty()) {
      std::optional<DatelineMatch> d = ParseDateline(dateline, DatelineMode::kDeclared);
      doc.dateline.set_place(d.has_value() ? d->place : dateline);
      if (d.has_value()) {
        doc.dateline.set_date(d->date);
        doc.dateline.set_agency(d->agency);
      }
    }
  }
  if (const xmlNode* language = Descendant(item, "Language", kSearchDepth)) {
    wire.set_declared_language(FormalName(language));
  }
  for (const xmlNode* code : Descendants(item, "SubjectCode", kSearchDepth)) {
    for (const xmlNode* s : ChildElements(code)) {
      if (std::string f = FormalName(s); !f.empty()) wire.add_subjects(absl::StrCat("subj:", f));
    }
  }
  for (const xmlNode* metadata : Descendants(item, "Metadata", kSearchDepth)) {
    for (const xmlNode* property : Children(metadata, "Property")) {
      if (absl::EndsWith(FormalName(property), "Keywords")) {
        if (std::string v = Attr(property, "Value"); !v.empty()) wire.add_keywords(std::move(v));
      }
    }
  }
  ReadBody(item, limits, &doc);
  return doc;
}

}  // namespace

absl::StatusOr<DecodedItems> DecodeNewsMl1(const DecodeInput& input) {
  absl::StatusOr<ParsedMarkup> parsed = ParseXmlInput(input);
  if (!parsed.ok()) return parsed.status();
  const xmlNode* root = xmlDocGetRootElement(parsed->doc.get());
  const std::vector<xmlNode*> items = Children(root, "NewsItem");
  if (items.empty()) return absl::InvalidArgumentError("NewsML 1: no NewsItem");
  DecodedItems out;
  for (const xmlNode* item : items) {
    if (out.size() >= input.limits.max_items) {
      out.front().flags.push_back("items_truncated");
      break;
    }
    DecodedDocument doc = ReadNewsItem(root, item, input.limits);
    doc.flags.insert(doc.flags.begin(), parsed->flags.begin(), parsed->flags.end());
    out.push_back(std::move(doc));
  }
  return out;
}

}  // namespace newsd::stages
