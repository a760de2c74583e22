// Safe XML and HTML parsing (libxml2) and the DOM helpers every markup decoder
// (NITF, NewsML-G2, NewsML 1.2, RSS/Atom, HTML, ninjs HTML bodies) shares.
//
// Safety (OWASP XXE Prevention Cheat Sheet, "libxml2"): no network access
// (XML_PARSE_NONET), no external DTD loading (XML_PARSE_DTDLOAD off), no entity
// substitution (XML_PARSE_NOENT off). Any <!ENTITY> declaration stops the parser at
// once (SAX entityDecl hook): billion-laughs bombs and external entities (XXE) are
// rejected before anything is expanded. Nesting deeper than libxml2's own limit
// (256 levels without XML_PARSE_HUGE) is rejected; the DOM walkers below ignore
// elements deeper than the configured `max_depth` and report it.
#ifndef NEWSD_STAGES_DECODE_MARKUP_H_
#define NEWSD_STAGES_DECODE_MARKUP_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libxml/tree.h"
#include "stages/decode/document.h"

namespace newsd::stages {

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// HTML5 reads a numeric character reference to 0, to a surrogate or to a value
// above U+10FFFF as U+FFFD (WHATWG HTML §13.2.5.80); libxml2 2.9 drops it from
// HTML and rejects it in XML as not well-formed. ParseXml and ParseHtml first
// rewrite such references ("&#0;", "&#xD800;", "&#99999999;", any number of
// digits; in HTML also without ";") to "&#xFFFD;"; in XML (`xml`) they also drop
// the references XML 1.0 §2.2 forbids that HTML5 would keep as control characters
// for the cleanup to remove (C0 controls but TAB, LF, CR; U+FFFE, U+FFFF).
// Returns the rewritten text, or nullopt when nothing needed rewriting.
std::optional<std::string> RewriteInvalidNumericReferences(absl::string_view markup, bool xml);

// Parses well-formed UTF-8 XML `utf8` (any encoding declaration is ignored: the
// caller converted the bytes, see charset.h).
// Errors: kInvalidArgument "XML entity declaration <!ENTITY NAME> rejected (DTD
// entities are disabled)"; "XML not well-formed: <libxml2 message> (line N)";
// kResourceExhausted "XML nesting deeper than 256 levels".
absl::StatusOr<XmlDocPtr> ParseXml(absl::string_view utf8);

// Parses UTF-8 HTML (a page or a fragment) with libxml2's HTML parser in recovery
// mode: never fails on tag soup. Errors: kInvalidArgument "HTML parser produced no
// document" (e.g. empty input).
absl::StatusOr<XmlDocPtr> ParseHtml(absl::string_view utf8);

// ---- DOM helpers (element names are compared by local name, ignoring
// namespaces, case-sensitively for XML; HTML names are lowercase already) -------

// The local name of an element ("newsItem" for <g2:newsItem>).
absl::string_view Name(const xmlNode* node);
bool IsElement(const xmlNode* node, absl::string_view name);
// The first child element named `name`, or nullptr.
xmlNode* Child(const xmlNode* node, absl::string_view name);
// All child elements named `name`, in order.
std::vector<xmlNode*> Children(const xmlNode* node, absl::string_view name);
// All child elements, in order.
std::vector<xmlNode*> ChildElements(const xmlNode* node);
// The first element named `name` in document order below `node` (not `node`
// itself), at most `max_depth` levels down; nullptr if none.
xmlNode* Descendant(const xmlNode* node, absl::string_view name, int max_depth);
// All elements named `name` below `node`, in document order, at most `max_depth`
// levels down; elements inside a match are not searched.
std::vector<xmlNode*> Descendants(const xmlNode* node, absl::string_view name,
                                  int max_depth);
// Value of the attribute with local name `name` (any namespace), "" if absent.
std::string Attr(const xmlNode* node, absl::string_view name);
// The text content of `node` with white space collapsed (CollapseWhitespace) and
// entity references of undeclared entities decoded from the HTML5 table
// (LookupHtml5Reference in text_cleanup.h);
// "" for nullptr.
std::string Text(const xmlNode* node);
// The xml:lang in scope at `node` (or HTML lang attribute), "" if none.
std::string Lang(const xmlNode* node);

// How ExtractParagraphs walks a subtree.
struct ParagraphOptions {
  // Elements deeper than this below the root are ignored (flag "xml_depth_limit").
  int max_depth = 100;
  // Extra elements to skip with their content (beyond the built-in list: script,
  // style, noscript, template, iframe, object, embed, svg, math, canvas, form,
  // button, select, textarea, table, nitf-table, media).
  std::function<bool(const xmlNode*)> skip;
};

// The paragraphs of the block structure below `root`: a paragraph ends at every
// block element boundary (p, div, li, blockquote, pre, h1–h6, hl1, hl2, dt, dd,
// section, article, figcaption, address, tr, block, br, ...); inline markup
// (a, b, em, span, person, org, ...) is flattened; white space is collapsed;
// blank paragraphs are dropped. `*depth_limited` is set when max_depth cut content.
std::vector<std::string> ExtractParagraphs(const xmlNode* root, const ParagraphOptions& options,
                                           bool* depth_limited);

// A markup payload parsed into a DOM, with the charset findings (charset.h).
struct ParsedMarkup {
  XmlDocPtr doc;
  std::vector<std::string> flags;
};

// Converts the payload to UTF-8 (BOM, then the Content-Type charset, then the XML
// encoding declaration, then detection: charset.h) and parses it with ParseXml.
// Errors: those of DecodeToUtf8 and ParseXml.
absl::StatusOr<ParsedMarkup> ParseXmlInput(const DecodeInput& input);

// As ParseXmlInput for HTML, with the HTML meta charset as the in-document
// declaration. Errors: those of DecodeToUtf8 and ParseHtml.
absl::StatusOr<ParsedMarkup> ParseHtmlInput(const DecodeInput& input);

// The paragraphs (ExtractParagraphs) of an HTML or XHTML fragment in UTF-8, such
// as a ninjs body_html or an RSS description; the fragment is parsed by ParseHtml.
// Returns no paragraphs for an empty fragment.
std::vector<std::string> HtmlFragmentParagraphs(absl::string_view html, int max_depth,
                                                bool* depth_limited);

// Adds "xml_depth_limit" to `doc->flags` once when `depth_limited`.
void NoteDepthLimit(bool depth_limited, DecodedDocument* doc);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_MARKUP_H_
