#include "stages/decode/html.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "re2/re2.h"
#include "stages/common/re2_util.h"
#include "stages/common/unicode.h"
#include "stages/decode/markup.h"
#include "stages/decode/wire_time.h"

namespace newsd::stages {
namespace {

constexpr int kSearchDepth = 64;

// class/id tokens of page furniture (Readability-style "unlikely candidates").
const RE2& BoilerplateRegex() {
  static const RE2* const re = new RE2(
      R"((?i)(^|[\s_-])(nav|navbar|menu|footer|sidebar|comments?|share|sharing|social|)"
      R"(related|promo|advert|ads?|cookie|consent|subscribe|newsletter|breadcrumbs?|)"
      R"(signup|popup|modal|banner|masthead|skip)($|[\s_-]))");
  return *re;
}

bool IsBoilerplate(const xmlNode* e) {
  static constexpr absl::string_view kSkipped[] = {"nav", "aside", "header", "footer",
                                                   "figure", "menu", "dialog"};
  for (absl::string_view name : kSkipped) {
    if (IsElement(e, name)) return true;
  }
  const std::string cls = Attr(e, "class");
  const std::string id = Attr(e, "id");
  return RE2::PartialMatch(ToPiece(cls), BoilerplateRegex()) ||
         RE2::PartialMatch(ToPiece(id), BoilerplateRegex()) || Attr(e, "role") == "navigation";
}

// First element below `node` (depth-first) for which `pred` holds.
const xmlNode* FindElement(const xmlNode* node, int depth,
                           const std::function<bool(const xmlNode*)>& pred) {
  if (node == nullptr || depth <= 0) return nullptr;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (pred(c)) return c;
    if (const xmlNode* found = FindElement(c, depth - 1, pred)) return found;
  }
  return nullptr;
}

// <meta property|name="key" content="value">, keys lowercased; repeated keys
// are joined with '\n'.
absl::flat_hash_map<std::string, std::string> MetaTags(const xmlNode* root) {
  absl::flat_hash_map<std::string, std::string> meta;
  for (const xmlNode* m : Descendants(root, "meta", kSearchDepth)) {
    std::string key = Attr(m, "property");
    if (key.empty()) key = Attr(m, "name");
    const std::string content = Attr(m, "content");
    if (key.empty() || content.empty()) continue;
    std::string& slot = meta[absl::AsciiStrToLower(key)];
    slot = slot.empty() ? content : slot + "\n" + content;
  }
  return meta;
}

std::string First(const absl::flat_hash_map<std::string, std::string>& meta,
                  std::initializer_list<absl::string_view> keys) {
  for (absl::string_view key : keys) {
    auto it = meta.find(key);
    if (it != meta.end()) return std::string(it->second.substr(0, it->second.find('\n')));
  }
  return "";
}

// Appends the main text below `root` to doc->paragraphs: the first <article>,
// else the articleBody element, else <main>, else <body>, else `root`, without
// boilerplate; a first paragraph equal to doc->headline is dropped.
void ReadMainText(const xmlNode* root, const DecodeLimits& limits, DecodedDocument* doc) {
  const xmlNode* main = Descendant(root, "article", kSearchDepth);
  if (main == nullptr) {
    main = FindElement(root, kSearchDepth,
                       [](const xmlNode* e) { return Attr(e, "itemprop") == "articleBody"; });
  }
  if (main == nullptr) main = Descendant(root, "main", kSearchDepth);
  if (main == nullptr) main = Descendant(root, "body", kSearchDepth);
  if (main == nullptr) main = root;
  ParagraphOptions options;
  options.max_depth = limits.xml_max_depth;
  options.skip = [](const xmlNode* e) { return IsBoilerplate(e); };
  bool depth_limited = false;
  std::vector<std::string> paragraphs = ExtractParagraphs(main, options, &depth_limited);
  if (!paragraphs.empty() && paragraphs.front() == doc->headline) {
    paragraphs.erase(paragraphs.begin());
  }
  for (std::string& p : paragraphs) doc->paragraphs.push_back(std::move(p));
  NoteDepthLimit(depth_limited, doc);
}

}  // namespace

absl::StatusOr<DecodedItems> DecodeHtml(const DecodeInput& input) {
  absl::StatusOr<ParsedMarkup> parsed = ParseHtmlInput(input);
  if (!parsed.ok()) return parsed.status();
  const xmlNode* root = xmlDocGetRootElement(parsed->doc.get());
  DecodedDocument doc;
  doc.format = v1::FORMAT_HTML;
  doc.from_markup = true;
  doc.flags = std::move(parsed->flags);
  const auto meta = MetaTags(root);
  v1::Wire& wire = doc.wire;

  doc.headline = First(meta, {"og:title", "twitter:title"});
  if (doc.headline.empty()) doc.headline = Text(Descendant(root, "title", kSearchDepth));
  if (doc.headline.empty()) doc.headline = Text(Descendant(root, "h1", kSearchDepth));
  std::string url = First(meta, {"og:url"});
  if (url.empty()) {
    const xmlNode* canonical = FindElement(root, kSearchDepth, [](const xmlNode* e) {
      return IsElement(e, "link") && absl::EqualsIgnoreCase(Attr(e, "rel"), "canonical");
    });
    url = Attr(canonical, "href");
  }
  wire.set_url(url);
  wire.set_guid(url);
  wire.set_provider(First(meta, {"og:site_name"}));
  wire.set_declared_language(Attr(root, "lang"));
  doc.byline = First(meta, {"author", "article:author"});
  const std::string published = First(meta, {"article:published_time", "date", "pubdate"});
  if (SetWireTime(published, &wire, &v1::Wire::mutable_first_created, &doc.flags)) {
    doc.published_at = ParseWireTime(published);
  }
  SetWireTime(First(meta, {"article:modified_time"}), &wire, &v1::Wire::mutable_version_created, &doc.flags);
  for (absl::string_view key : {"keywords", "news_keywords", "article:tag", "article:section"}) {
    auto it = meta.find(key);
    if (it == meta.end()) continue;
    for (absl::string_view k : absl::StrSplit(it->second, absl::ByAnyChar(",\n"))) {
      k = absl::StripAsciiWhitespace(k);
      if (!k.empty()) wire.add_keywords(std::string(k));
    }
  }

  ReadMainText(root, input.limits, &doc);
  DecodedItems items;
  items.push_back(std::move(doc));
  return items;
}

void ReadHtmlBody(absl::string_view html, const DecodeLimits& limits, DecodedDocument* doc) {
  if (IsBlank(html)) return;
  absl::StatusOr<XmlDocPtr> parsed = ParseHtml(html);
  if (!parsed.ok()) return;
  const xmlNode* root = xmlDocGetRootElement(parsed->get());
  if (doc->wire.declared_language().empty()) {
    // The HTML parser keeps an XHTML xml:lang as an attribute named "xml:lang".
    std::string lang = Lang(root);
    if (lang.empty()) lang = Attr(root, "xml:lang");
    doc->wire.set_declared_language(std::move(lang));
  }
  ReadMainText(root, limits, doc);
}

}  // namespace newsd::stages
