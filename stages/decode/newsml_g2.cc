#include "stages/decode/newsml_g2.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/decode/dateline.h"
#include "stages/decode/markup.h"
#include "stages/decode/nitf.h"
#include "stages/decode/plain_text.h"
#include "stages/decode/wire_time.h"

namespace newsd::stages {
namespace {

constexpr absl::string_view kItemNames[] = {"newsItem",     "packageItem",   "planningItem",
                                            "conceptItem",  "knowledgeItem", "catalogItem"};

bool IsItem(const xmlNode* e) {
  return std::any_of(std::begin(kItemNames), std::end(kItemNames),
                     [e](absl::string_view n) { return IsElement(e, n); });
}

// G2 documents that are not news: their kind (newsd_inputs_skipped_total) and what
// they are (NewsML-G2 Guidelines: "Concepts and Concept Items", "Knowledge
// Items", "Catalogs", "Planning Information", "Packages").
struct NotArticle {
  absl::string_view element;
  absl::string_view kind;
  absl::string_view what;
};
constexpr NotArticle kNotArticles[] = {
    {"conceptItem", "newsml_g2_concept",
     "it describes one concept (a person, an organisation, an event, a topic ...)"},
    {"knowledgeItem", "newsml_g2_knowledge", "it holds a set of concepts"},
    {"catalogItem", "newsml_g2_catalog", "it is a catalog of controlled vocabularies"},
    {"catalog", "newsml_g2_catalog", "it is a catalog of controlled vocabularies"},
    {"planningItem", "newsml_g2_planning", "it plans news coverage"},
    {"packageItem", "newsml_g2_package", "it is a package of references to other items"},
    {"groupSet", "newsml_g2_package",
     "it is the structure of a package (references to other items)"},
};

// The not-an-article document for `e`, or nullopt when `e` may be an article.
std::optional<DecodedDocument> NotArticleDocument(const xmlNode* e) {
  for (const NotArticle& n : kNotArticles) {
    if (!IsElement(e, n.element)) continue;
    DecodedDocument doc;
    doc.format = v1::FORMAT_NEWSML_G2;
    doc.wire.set_guid(Attr(e, "guid"));
    doc.not_article_kind = std::string(n.kind);
    // NewsML-G2 conceptItem "urn:..." is not news: it describes one concept (...)
    doc.not_article_reason = absl::StrCat(
        "NewsML-G2 ", n.element,
        doc.wire.guid().empty() ? "" : absl::StrCat(" \"", doc.wire.guid(), "\""),
        " is not news: ", n.what);
    return doc;
  }
  return std::nullopt;
}

// "nprov:REUTERS" → "REUTERS".
absl::string_view QcodeCode(absl::string_view qcode) {
  const size_t colon = qcode.find(':');
  return colon == absl::string_view::npos ? qcode : qcode.substr(colon + 1);
}

// A G2 "flex" property's label: its name child, else @literal, else its qcode code.
std::string Label(const xmlNode* e) {
  if (e == nullptr) return "";
  if (std::string name = Text(Child(e, "name")); !name.empty()) return name;
  if (std::string literal = Attr(e, "literal"); !literal.empty()) return literal;
  return std::string(QcodeCode(Attr(e, "qcode")));
}

std::string Located(const xmlNode* located) {
  std::vector<std::string> names;
  auto add = [&names](std::string n) {
    if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) {
      names.push_back(std::move(n));
    }
  };
  add(Text(Child(located, "name")));
  for (const xmlNode* broader : Children(located, "broader")) add(Text(Child(broader, "name")));
  return absl::StrJoin(names, ", ");
}

void ReadItemMeta(const xmlNode* meta, DecodedDocument* doc) {
  v1::Wire& wire = doc->wire;
  wire.set_provider(Label(Child(meta, "provider")));
  SetWireTime(Text(Child(meta, "versionCreated")), &wire, &v1::Wire::mutable_version_created, &doc->flags);
  SetWireTime(Text(Child(meta, "firstCreated")), &wire, &v1::Wire::mutable_first_created, &doc->flags);
  SetEmbargoTime(Text(Child(meta, "embargoed")), &wire, &doc->flags);
  wire.set_pub_status(ParsePubStatus(Attr(Child(meta, "pubStatus"), "qcode")));
  for (const xmlNode* signal : Children(meta, "signal")) {
    if (std::string q = Attr(signal, "qcode"); !q.empty()) wire.add_signals(std::move(q));
  }
  for (const xmlNode* service : Children(meta, "service")) {
    if (std::string s = Label(service); !s.empty()) wire.add_scopes(std::move(s));
  }
  if (doc->headline.empty()) doc->headline = Text(Child(meta, "title"));
}

const xmlNode* MainHeadline(const xmlNode* content_meta) {
  const std::vector<xmlNode*> headlines = Children(content_meta, "headline");
  for (const xmlNode* h : headlines) {
    const std::string role = Attr(h, "role");
    if (role.empty() || role == "hlrole:main") return h;
  }
  return headlines.empty() ? nullptr : headlines.front();
}

void ReadContentMeta(const xmlNode* meta, DecodedDocument* doc,
                     std::vector<std::string>* descriptions,
                     std::optional<absl::Time>* content_created) {
  v1::Wire& wire = doc->wire;
  wire.set_urgency(ParseUrgency(Text(Child(meta, "urgency"))));
  wire.set_slugline(Text(Child(meta, "slugline")));
  if (std::string h = Text(MainHeadline(meta)); !h.empty()) doc->headline = std::move(h);
  doc->byline = Text(Child(meta, "by"));
  if (std::string dateline = Text(Child(meta, "dateline")); !dateline.empty()) {
    if (std::optional<DatelineMatch> d = ParseDateline(dateline, DatelineMode::kDeclared)) {
      doc->dateline.set_place(d->place);
      doc->dateline.set_date(d->date);
      doc->dateline.set_agency(d->agency);
    } else {
      doc->dateline.set_place(dateline);
    }
  }
  if (const xmlNode* located = Child(meta, "located")) wire.set_located(Located(located));
  for (const xmlNode* subject : Children(meta, "subject")) {
    if (std::string q = Attr(subject, "qcode"); !q.empty()) wire.add_subjects(std::move(q));
  }
  for (const xmlNode* keyword : Children(meta, "keyword")) {
    if (std::string k = Text(keyword); !k.empty()) wire.add_keywords(std::move(k));
  }
  if (std::string lang = Attr(Child(meta, "language"), "tag"); !lang.empty()) {
    wire.set_declared_language(std::move(lang));
  }
  for (const xmlNode* d : Children(meta, "description")) {
    if (std::string t = Text(d); !t.empty()) descriptions->push_back(std::move(t));
  }
  *content_created = ParseWireTime(Text(Child(meta, "contentCreated")));
}

void ReadContentSet(const xmlNode* content_set, const DecodeLimits& limits, DecodedDocument* doc) {
  bool depth_limited = false;
  ParagraphOptions options;
  options.max_depth = limits.xml_max_depth;
  for (const xmlNode* inline_xml : Children(content_set, "inlineXML")) {
    const std::vector<xmlNode*> roots = ChildElements(inline_xml);
    if (roots.empty()) continue;
    if (IsElement(roots.front(), "nitf")) {
      ReadNitf(roots.front(), limits, doc);
    } else {
      for (const xmlNode* root : roots) {
        for (std::string& p : ExtractParagraphs(root, options, &depth_limited)) {
          doc->paragraphs.push_back(std::move(p));
        }
      }
    }
    NoteDepthLimit(depth_limited, doc);
    return;
  }
  if (const xmlNode* inline_data = Child(content_set, "inlineData")) {
    std::string raw;
    for (const xmlNode* c = inline_data->children; c != nullptr; c = c->next) {
      if (c->content != nullptr) raw.append(reinterpret_cast<const char*>(c->content));
    }
    doc->paragraphs = SplitTextParagraphs(raw);
  }
}

DecodedDocument ReadItem(const xmlNode* item, const DecodeLimits& limits) {
  DecodedDocument doc;
  doc.format = v1::FORMAT_NEWSML_G2;
  doc.from_markup = true;
  doc.wire.set_guid(Attr(item, "guid"));
  uint32_t version = 0;
  if (absl::SimpleAtoi(Attr(item, "version"), &version)) doc.wire.set_version(version);
  doc.wire.set_declared_language(Lang(item));
  if (const xmlNode* meta = Child(item, "itemMeta")) ReadItemMeta(meta, &doc);
  std::vector<std::string> descriptions;
  std::optional<absl::Time> content_created;
  if (const xmlNode* meta = Child(item, "contentMeta")) {
    ReadContentMeta(meta, &doc, &descriptions, &content_created);
  }
  if (IsElement(item, "contentSet")) {
    ReadContentSet(item, limits, &doc);
  } else if (const xmlNode* content_set = Child(item, "contentSet")) {
    ReadContentSet(content_set, limits, &doc);
  }
  if (doc.paragraphs.empty()) doc.paragraphs = std::move(descriptions);
  if (doc.byline.empty()) {
    doc.byline = Text(Child(Child(Child(item, "contentMeta"), "creator"), "name"));
  }
  const xmlNode* item_meta = Child(item, "itemMeta");
  doc.published_at = ParseWireTime(Text(Child(item_meta, "versionCreated")));
  if (!doc.published_at) doc.published_at = ParseWireTime(Text(Child(item_meta, "firstCreated")));
  if (!doc.published_at) doc.published_at = content_created;
  return doc;
}

}  // namespace

absl::StatusOr<DecodedItems> DecodeNewsMlG2(const DecodeInput& input) {
  absl::StatusOr<ParsedMarkup> parsed = ParseXmlInput(input);
  if (!parsed.ok()) return parsed.status();
  const xmlNode* root = xmlDocGetRootElement(parsed->doc.get());
  std::vector<const xmlNode*> items;
  bool truncated = false;
  if (IsElement(root, "newsMessage")) {
    for (const xmlNode* e : ChildElements(Child(root, "itemSet"))) {
      if (!IsItem(e)) continue;
      if (items.size() >= input.limits.max_items) {
        truncated = true;
        break;
      }
      items.push_back(e);
    }
    if (items.empty()) return absl::InvalidArgumentError("NewsML-G2: newsMessage has no items");
  } else if (IsItem(root) || IsElement(root, "contentSet") || IsElement(root, "groupSet") ||
             IsElement(root, "catalog")) {
    items.push_back(root);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("NewsML-G2: unsupported root element <", Name(root), ">"));
  }
  DecodedItems out;
  for (const xmlNode* item : items) {
    if (std::optional<DecodedDocument> not_article = NotArticleDocument(item)) {
      out.push_back(*std::move(not_article));
      continue;
    }
    DecodedDocument doc = ReadItem(item, input.limits);
    doc.flags.insert(doc.flags.begin(), parsed->flags.begin(), parsed->flags.end());
    out.push_back(std::move(doc));
  }
  if (truncated) {
    // On the first article (items that are not articles are skipped).
    auto first = std::find_if(out.begin(), out.end(), [](const DecodedDocument& d) {
      return d.not_article_kind.empty();
    });
    (first == out.end() ? out.front() : *first).flags.push_back("items_truncated");
  }
  return out;
}

}  // namespace newsd::stages
