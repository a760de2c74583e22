#include "stages/decode/feeds.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "stages/common/unicode.h"
#include "stages/decode/markup.h"
#include "stages/decode/plain_text.h"
#include "stages/decode/wire_time.h"

namespace newsd::stages {
namespace {

// The raw (unparsed) text of an element: escaped HTML in RSS/Atom is text.
std::string RawText(const xmlNode* e) {
  std::string raw;
  if (e == nullptr) return raw;
  for (const xmlNode* c = e->children; c != nullptr; c = c->next) {
    if (c->content != nullptr && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)) {
      raw.append(reinterpret_cast<const char*>(c->content));
    }
  }
  return raw;
}

void SetHtmlBody(const std::string& html, const DecodeLimits& limits, DecodedDocument* doc) {
  bool depth_limited = false;
  doc->paragraphs = HtmlFragmentParagraphs(html, limits.xml_max_depth, &depth_limited);
  NoteDepthLimit(depth_limited, doc);
}

// Appends one article per element of `entries`, at most limits.max_items.
template <typename ReadFn>
DecodedItems ReadEntries(const std::vector<xmlNode*>& entries, const DecodeLimits& limits,
                         const std::vector<std::string>& charset_flags, ReadFn read) {
  DecodedItems out;
  for (const xmlNode* entry : entries) {
    if (out.size() >= limits.max_items) {
      out.front().flags.push_back("items_truncated");
      break;
    }
    DecodedDocument doc;
    doc.from_markup = true;
    doc.flags = charset_flags;
    read(entry, &doc);
    out.push_back(std::move(doc));
  }
  return out;
}

void SetTimes(const std::string& created, const std::string& updated, DecodedDocument* doc) {
  SetWireTime(created, &doc->wire, &v1::Wire::mutable_first_created, &doc->flags);
  SetWireTime(updated, &doc->wire, &v1::Wire::mutable_version_created, &doc->flags);
  doc->published_at = ParseWireTime(created);
  if (!doc->published_at.has_value()) doc->published_at = ParseWireTime(updated);
}

}  // namespace

absl::StatusOr<DecodedItems> DecodeRss(const DecodeInput& input) {
  absl::StatusOr<ParsedMarkup> parsed = ParseXmlInput(input);
  if (!parsed.ok()) return parsed.status();
  const xmlNode* root = xmlDocGetRootElement(parsed->doc.get());
  const xmlNode* channel = Child(root, "channel");
  // RSS 2.0: items inside <channel>; RSS 1.0: items are siblings of <channel>.
  std::vector<xmlNode*> items = Children(channel, "item");
  if (items.empty()) items = Children(root, "item");
  if (items.empty()) return absl::InvalidArgumentError("RSS: no item");
  const std::string provider = Text(Child(channel, "title"));
  const std::string language = Text(Child(channel, "language"));
  return ReadEntries(items, input.limits, parsed->flags, [&](const xmlNode* item, DecodedDocument* doc) {
    doc->format = v1::FORMAT_RSS;
    doc->headline = Text(Child(item, "title"));
    const std::string link = Text(Child(item, "link"));
    std::string guid = Text(Child(item, "guid"));
    if (guid.empty()) guid = Attr(item, "about");
    doc->wire.set_guid(guid.empty() ? link : guid);
    doc->wire.set_url(link);
    doc->wire.set_provider(provider);
    doc->wire.set_declared_language(language);
    std::string html = RawText(Child(item, "encoded"));
    if (html.empty()) html = RawText(Child(item, "description"));
    SetHtmlBody(html, input.limits, doc);
    std::string date = Text(Child(item, "pubDate"));
    if (date.empty()) date = Text(Child(item, "date"));
    SetTimes(date, date, doc);
    doc->byline = Text(Child(item, "author"));
    if (doc->byline.empty()) doc->byline = Text(Child(item, "creator"));
    for (const xmlNode* category : Children(item, "category")) {
      if (std::string c = Text(category); !c.empty()) doc->wire.add_keywords(std::move(c));
    }
  });
}

absl::StatusOr<DecodedItems> DecodeAtom(const DecodeInput& input) {
  absl::StatusOr<ParsedMarkup> parsed = ParseXmlInput(input);
  if (!parsed.ok()) return parsed.status();
  xmlNode* root = xmlDocGetRootElement(parsed->doc.get());
  std::vector<xmlNode*> entries =
      IsElement(root, "entry") ? std::vector<xmlNode*>{root} : Children(root, "entry");
  if (entries.empty()) return absl::InvalidArgumentError("Atom: no entry");
  const std::string provider = IsElement(root, "feed") ? Text(Child(root, "title")) : "";
  return ReadEntries(entries, input.limits, parsed->flags, [&](const xmlNode* entry,
                                                               DecodedDocument* doc) {
    doc->format = v1::FORMAT_ATOM;
    doc->headline = Text(Child(entry, "title"));
    doc->wire.set_guid(Text(Child(entry, "id")));
    for (const xmlNode* link : Children(entry, "link")) {
      const std::string rel = Attr(link, "rel");
      if (rel.empty() || rel == "alternate") {
        doc->wire.set_url(Attr(link, "href"));
        break;
      }
    }
    doc->wire.set_provider(provider);
    doc->wire.set_declared_language(Lang(entry));
    const xmlNode* content = Child(entry, "content");
    if (content == nullptr || IsBlank(Text(content))) content = Child(entry, "summary");
    const std::string type = Attr(content, "type");
    if (type == "xhtml") {
      ParagraphOptions options;
      options.max_depth = input.limits.xml_max_depth;
      bool depth_limited = false;
      doc->paragraphs = ExtractParagraphs(content, options, &depth_limited);
      NoteDepthLimit(depth_limited, doc);
    } else if (type == "html") {
      SetHtmlBody(RawText(content), input.limits, doc);
    } else {
      doc->paragraphs = SplitTextParagraphs(RawText(content));
    }
    SetTimes(Text(Child(entry, "published")), Text(Child(entry, "updated")), doc);
    doc->byline = Text(Child(Child(entry, "author"), "name"));
    for (const xmlNode* category : Children(entry, "category")) {
      std::string label = Attr(category, "label");
      if (label.empty()) label = Attr(category, "term");
      if (!label.empty()) doc->wire.add_keywords(std::move(label));
    }
  });
}

}  // namespace newsd::stages
