// HTML article pages (FORMAT_HTML).
#ifndef NEWSD_STAGES_DECODE_HTML_H_
#define NEWSD_STAGES_DECODE_HTML_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/decode/document.h"

namespace newsd::stages {

// Decodes an HTML article page (libxml2 HTML parser, recovery mode; charset from
// the BOM, the Content-Type charset, then <meta charset> — HTML Living Standard
// §13.2.3 — then detection):
//  * headline: og:title (Open Graph protocol), else twitter:title, else <title>,
//    else the first <h1>;
//  * main text: the first <article>, else the element with
//    itemprop="articleBody" (schema.org), else <main>, else <body>; boilerplate is
//    left out: nav, aside, header, footer, figure, form and script-like elements,
//    and elements whose class or id names navigation, menus, sharing, comments,
//    related links, promotions, cookie or newsletter boxes; a first paragraph
//    equal to the headline is dropped;
//  * metadata: og:url or <link rel="canonical"> → wire.url and wire.guid;
//    article:published_time → published_at and first_created;
//    article:modified_time → version_created; og:site_name → provider;
//    meta author / article:author → byline; keywords, news_keywords, article:tag,
//    article:section → keywords; <html lang> → declared_language.
// Errors: kInvalidArgument "HTML parser produced no document"; charset errors.
absl::StatusOr<DecodedItems> DecodeHtml(const DecodeInput& input);

// Reads an HTML or XHTML body carried inside another format (a ninjs body_html or
// "bodies" value): a fragment or a whole document in UTF-8, parsed by ParseHtml
// (markup.h; an XML declaration, DOCTYPE and namespaces are tolerated). Its main
// text is chosen and cleaned of boilerplate as DecodeHtml does and appended to
// doc->paragraphs; a first paragraph equal to doc->headline is dropped; <html
// lang> fills an empty declared_language. A blank or unparseable value adds
// nothing.
void ReadHtmlBody(absl::string_view html, const DecodeLimits& limits, DecodedDocument* doc);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_DECODE_HTML_H_
