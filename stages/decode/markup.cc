#include "stages/decode/markup.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libxml/HTMLparser.h"
#include "libxml/parser.h"
#include "libxml/parserInternals.h"
#include "stages/common/unicode.h"
#include "stages/decode/charset.h"
#include "stages/decode/text_cleanup.h"
#include "unicode/utf16.h"

namespace newsd::stages {
namespace {

// libxml2's nesting limit without XML_PARSE_HUGE (parser.c xmlParserMaxDepth).
constexpr int kLibxmlMaxDepth = 256;

constexpr int kXmlOptions = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_COMPACT | XML_PARSE_IGNORE_ENC;
constexpr int kHtmlOptions = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                             HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC;

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

struct ParserCtxtDeleter {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

// Per-parse state reachable from SAX callbacks through ctxt->_private.
struct ParseState {
  std::string rejected_entity;
};

// SAX entityDecl: any entity declaration (general or parameter, internal or
// external) stops the parser before it can be used.
void RejectEntityDecl(void* ctx, const xmlChar* name, int /*type*/,
                      const xmlChar* /*public_id*/, const xmlChar* /*system_id*/,
                      xmlChar* /*content*/) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (state->rejected_entity.empty()) {
    state->rejected_entity = name != nullptr ? reinterpret_cast<const char*>(name) : "?";
  }
  xmlStopParser(ctxt);
}

absl::string_view View(const xmlChar* s) {
  return s == nullptr ? absl::string_view() : reinterpret_cast<const char*>(s);
}

void AppendEntityRef(const xmlNode* node, std::string* out) {
  const std::string name = absl::StrCat(View(node->name), ";");
  if (const char* value = LookupHtml5Reference(name)) {
    out->append(value);
  } else {
    absl::StrAppend(out, "&", View(node->name), ";");
  }
}

void AppendText(const xmlNode* node, int depth, std::string* out) {
  if (depth > kLibxmlMaxDepth) return;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    switch (c->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        absl::StrAppend(out, View(c->content));
        break;
      case XML_ENTITY_REF_NODE:
        AppendEntityRef(c, out);
        break;
      case XML_ELEMENT_NODE:
        AppendText(c, depth + 1, out);
        break;
      default:
        break;
    }
  }
}

bool IsBlockName(absl::string_view n) {
  static const auto* const names = new absl::flat_hash_set<absl::string_view>{
      "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "h1", "h2", "h3",
      "h4", "h5", "h6", "hl1", "hl2", "section", "article", "main", "header", "footer",
      "figure", "figcaption", "address", "tr", "td", "th", "block", "br", "hr", "body",
      "body.content", "body.head", "body.end", "abstract", "tagline", "bibliography",
      "caption", "details", "summary", "center", "fieldset", "html", "content"};
  return names->contains(n);
}

bool IsSkippedName(absl::string_view n) {
  static const auto* const names = new absl::flat_hash_set<absl::string_view>{
      "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
      "math", "canvas", "form", "button", "select", "textarea", "table", "nitf-table",
      "media", "head"};
  return names->contains(n);
}

class ParagraphWalker {
 public:
  explicit ParagraphWalker(const ParagraphOptions& options) : options_(options) {}

  void Walk(const xmlNode* node, int depth) {
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      switch (c->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          absl::StrAppend(&current_, View(c->content));
          break;
        case XML_ENTITY_REF_NODE:
          AppendEntityRef(c, &current_);
          break;
        case XML_ELEMENT_NODE:
          Element(c, depth + 1);
          break;
        default:
          break;
      }
    }
  }

  std::vector<std::string> Finish() {
    Flush();
    return std::move(paragraphs_);
  }
  bool depth_limited() const { return depth_limited_; }

 private:
  void Element(const xmlNode* e, int depth) {
    if (depth > options_.max_depth) {
      depth_limited_ = true;
      return;
    }
    const std::string lower = absl::AsciiStrToLower(Name(e));
    if (IsSkippedName(lower) || (options_.skip && options_.skip(e))) return;
    const bool block = IsBlockName(lower);
    if (block) Flush();
    Walk(e, depth);
    if (block) Flush();
  }

  void Flush() {
    std::string p = CollapseWhitespace(current_);
    current_.clear();
    if (!p.empty()) paragraphs_.push_back(std::move(p));
  }

  const ParagraphOptions& options_;
  std::string current_;
  std::vector<std::string> paragraphs_;
  bool depth_limited_ = false;
};

}  // namespace

std::optional<std::string> RewriteInvalidNumericReferences(absl::string_view markup, bool xml) {
  std::optional<std::string> out;
  size_t copied = 0;  // markup[0, copied) is in *out
  for (size_t amp = markup.find("&#"); amp != absl::string_view::npos;
       amp = markup.find("&#", amp + 1)) {
    const bool hex = amp + 2 < markup.size() && (markup[amp + 2] == 'x' || markup[amp + 2] == 'X');
    size_t i = amp + (hex ? 3 : 2);
    const size_t digits_begin = i;
    uint64_t value = 0;
    for (; i < markup.size(); ++i) {
      const auto d = static_cast<unsigned char>(markup[i]);
      if (hex ? !absl::ascii_isxdigit(d) : !absl::ascii_isdigit(d)) break;
      const uint64_t digit = absl::ascii_isdigit(d) ? d - '0' : absl::ascii_tolower(d) - 'a' + 10;
      value = std::min<uint64_t>(value * (hex ? 16 : 10) + digit, uint64_t{0x110000});
    }
    if (i == digits_begin) continue;
    const bool semicolon = i < markup.size() && markup[i] == ';';
    if (xml && !semicolon) continue;  // not a reference: the XML parser reports it
    const bool to_replacement = value == 0 || value > 0x10FFFF || U_IS_SURROGATE(value);
    const bool xml_forbidden = xml && ((value < 0x20 && value != 0x9 && value != 0xA &&
                                        value != 0xD) ||
                                       value == 0xFFFE || value == 0xFFFF);
    if (!to_replacement && !xml_forbidden) continue;
    if (!out.has_value()) out.emplace().reserve(markup.size());
    out->append(markup.data() + copied, amp - copied);
    if (to_replacement) out->append("&#xFFFD;");
    copied = i + (semicolon ? 1 : 0);
  }
  if (out.has_value()) out->append(markup.data() + copied, markup.size() - copied);
  return out;
}

absl::StatusOr<XmlDocPtr> ParseXml(absl::string_view utf8) {
  InitLibxml();
  if (utf8.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError("XML document of 2 GiB or more");
  }
  std::unique_ptr<xmlParserCtxt, ParserCtxtDeleter> ctxt(xmlNewParserCtxt());
  if (ctxt == nullptr) return absl::ResourceExhaustedError("libxml2: out of memory");
  const std::optional<std::string> rewritten = RewriteInvalidNumericReferences(utf8, true);
  if (rewritten.has_value()) utf8 = *rewritten;
  ParseState state;
  ctxt->_private = &state;
  ctxt->sax->entityDecl = &RejectEntityDecl;
  XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), utf8.data(), static_cast<int>(utf8.size()),
                                  "item.xml", "UTF-8", kXmlOptions));
  if (!state.rejected_entity.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("XML entity declaration <!ENTITY ",
                                                   state.rejected_entity,
                                                   "> rejected (DTD entities are disabled)"));
  }
  const xmlError* err = xmlCtxtGetLastError(ctxt.get());
  if (doc == nullptr || !ctxt->wellFormed || (err != nullptr && err->level == XML_ERR_FATAL)) {
    std::string message = err != nullptr && err->message != nullptr
                              ? std::string(absl::StripAsciiWhitespace(err->message))
                              : "unknown error";
    if (absl::StrContains(message, "Excessive depth")) {
      return absl::ResourceExhaustedError(
          absl::StrCat("XML nesting deeper than ", kLibxmlMaxDepth, " levels"));
    }
    return absl::InvalidArgumentError(absl::StrCat("XML not well-formed: ", message,
                                                   " (line ", err ? err->line : 0, ")"));
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return absl::InvalidArgumentError("XML not well-formed: no root element");
  }
  return doc;
}

absl::StatusOr<XmlDocPtr> ParseHtml(absl::string_view utf8) {
  InitLibxml();
  if (utf8.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError("HTML document of 2 GiB or more");
  }
  const std::optional<std::string> rewritten = RewriteInvalidNumericReferences(utf8, false);
  if (rewritten.has_value()) utf8 = *rewritten;
  XmlDocPtr doc(htmlReadMemory(utf8.data(), static_cast<int>(utf8.size()), "item.html",
                               "UTF-8", kHtmlOptions));
  if (doc == nullptr || xmlDocGetRootElement(doc.get()) == nullptr) {
    return absl::InvalidArgumentError("HTML parser produced no document");
  }
  return doc;
}

absl::string_view Name(const xmlNode* node) { return View(node->name); }

bool IsElement(const xmlNode* node, absl::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && Name(node) == name;
}

xmlNode* Child(const xmlNode* node, absl::string_view name) {
  if (node == nullptr) return nullptr;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (IsElement(c, name)) return c;
  }
  return nullptr;
}

std::vector<xmlNode*> Children(const xmlNode* node, absl::string_view name) {
  std::vector<xmlNode*> out;
  if (node == nullptr) return out;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (IsElement(c, name)) out.push_back(c);
  }
  return out;
}

std::vector<xmlNode*> ChildElements(const xmlNode* node) {
  std::vector<xmlNode*> out;
  if (node == nullptr) return out;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

namespace {

void CollectDescendants(const xmlNode* node, absl::string_view name, int depth, bool first_only,
                        std::vector<xmlNode*>* out) {
  if (depth <= 0) return;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (Name(c) == name) {
      out->push_back(c);
    } else {
      CollectDescendants(c, name, depth - 1, first_only, out);
    }
    if (first_only && !out->empty()) return;
  }
}

}  // namespace

xmlNode* Descendant(const xmlNode* node, absl::string_view name, int max_depth) {
  std::vector<xmlNode*> found;
  if (node != nullptr) CollectDescendants(node, name, max_depth, true, &found);
  return found.empty() ? nullptr : found.front();
}

std::vector<xmlNode*> Descendants(const xmlNode* node, absl::string_view name, int max_depth) {
  std::vector<xmlNode*> found;
  if (node != nullptr) CollectDescendants(node, name, max_depth, false, &found);
  return found;
}

std::string Attr(const xmlNode* node, absl::string_view name) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return "";
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (View(a->name) != name) continue;
    xmlChar* value = xmlNodeListGetString(node->doc, a->children, 1);
    std::string out(View(value));
    xmlFree(value);
    return out;
  }
  return "";
}

std::string Text(const xmlNode* node) {
  if (node == nullptr) return "";
  std::string raw;
  AppendText(node, 0, &raw);
  return CollapseWhitespace(raw);
}

std::string Lang(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* lang = xmlNodeGetLang(node);
  std::string out(View(lang));
  xmlFree(lang);
  if (out.empty()) {
    for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
      out = Attr(n, "lang");
      if (!out.empty()) break;
    }
  }
  return out;
}

std::vector<std::string> ExtractParagraphs(const xmlNode* root, const ParagraphOptions& options,
                                           bool* depth_limited) {
  ParagraphWalker walker(options);
  if (root != nullptr) walker.Walk(root, 0);
  std::vector<std::string> out = walker.Finish();
  if (walker.depth_limited()) *depth_limited = true;
  return out;
}

namespace {

absl::StatusOr<ParsedMarkup> ParseInput(const DecodeInput& input, bool html) {
  CharsetHints hints;
  hints.transport = input.content_type.charset;
  hints.document =
      html ? HtmlDeclaredCharset(input.payload) : XmlDeclaredEncoding(input.payload);
  absl::StatusOr<Utf8Text> utf8 = DecodeToUtf8(input.payload, hints, input.limits.charset);
  if (!utf8.ok()) return utf8.status();
  absl::StatusOr<XmlDocPtr> doc = html ? ParseHtml(utf8->text) : ParseXml(utf8->text);
  if (!doc.ok()) return doc.status();
  return ParsedMarkup{*std::move(doc), std::move(utf8->flags)};
}

}  // namespace

absl::StatusOr<ParsedMarkup> ParseXmlInput(const DecodeInput& input) {
  return ParseInput(input, /*html=*/false);
}

absl::StatusOr<ParsedMarkup> ParseHtmlInput(const DecodeInput& input) {
  return ParseInput(input, /*html=*/true);
}

std::vector<std::string> HtmlFragmentParagraphs(absl::string_view html, int max_depth,
                                                bool* depth_limited) {
  if (IsBlank(html)) return {};
  absl::StatusOr<XmlDocPtr> doc = ParseHtml(html);
  if (!doc.ok()) return {};
  ParagraphOptions options;
  options.max_depth = max_depth;
  return ExtractParagraphs(xmlDocGetRootElement(doc->get()), options, depth_limited);
}

void NoteDepthLimit(bool depth_limited, DecodedDocument* doc) {
  if (depth_limited &&
      std::find(doc->flags.begin(), doc->flags.end(), "xml_depth_limit") == doc->flags.end()) {
    doc->flags.push_back("xml_depth_limit");
  }
}

}  // namespace newsd::stages
