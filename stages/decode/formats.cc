#include "stages/decode/formats.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/decode/feeds.h"
#include "stages/decode/html.h"
#include "stages/decode/newsml1.h"
#include "stages/decode/newsml_g2.h"
#include "stages/decode/ninjs.h"
#include "stages/decode/nitf.h"
#include "stages/decode/plain_text.h"
#include "stages/decode/reuters_sgml.h"

namespace newsd::stages {
namespace {

constexpr size_t kHeadBytes = 64 * 1024;

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         c == '.' || c == '-';
}

std::string ReadName(absl::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsNameChar(s[n])) ++n;
  return std::string(s.substr(0, n));
}

// "g2:newsItem" → "newsItem".
absl::string_view LocalName(absl::string_view name) {
  const size_t colon = name.rfind(':');
  return colon == absl::string_view::npos ? name : name.substr(colon + 1);
}

// The namespace of NewsML-G2 ("NAR", News Architecture), without its date.
constexpr absl::string_view kG2Namespace = "iptc.org/std/nar/";

bool RootIs(const PayloadHead& h, std::initializer_list<absl::string_view> names) {
  for (absl::string_view n : names) {
    if (LocalName(h.root) == n) return true;
  }
  return false;
}

// SAX pass over the head of a payload that opens with "[": stops (returns false)
// at the first object, or at a nesting beyond kSniffMaxDepth, the largest
// json_max_depth (both ninjs: the decoder reports what it makes of them).
class CollectionSniffer : public nlohmann::json_sax<nlohmann::json> {
 public:
  static constexpr int kSniffMaxDepth = 1000;

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    ninjs_ = true;
    return false;
  }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override {
    if (++depth_ > kSniffMaxDepth) {
      ninjs_ = true;
      return false;
    }
    return true;
  }
  bool end_array() override {
    // "[]": an empty collection, which the ninjs decoder names as such.
    if (--depth_ == 0 && !any_value_) ninjs_ = true;
    any_value_ = true;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  bool ninjs() const { return ninjs_; }

 private:
  bool Value() {
    any_value_ = true;
    return true;
  }

  int depth_ = 0;
  bool any_value_ = false;
  bool ninjs_ = false;
};

// A JSON object ("{"), or a JSON array that holds an object at any depth before
// the end of the head (a ninjs collection: "[{", "[null, {", "[[{") or is empty
// ("[]", "[ ]": a ninjs error "empty collection"). Text that merely opens with a
// bracket ("[UPDATE 1] ...") and arrays of other values ("[1, 2]") are not.
bool LooksLikeJson(absl::string_view head) {
  if (absl::StartsWith(head, "{")) return true;
  if (!absl::StartsWith(head, "[")) return false;
  CollectionSniffer sniffer;
  nlohmann::json::sax_parse(head, &sniffer);
  return sniffer.ninjs();
}

// Adapts a single-document decoder to FormatDecoder.
template <absl::StatusOr<DecodedDocument> (*kDecode)(const DecodeInput&)>
absl::StatusOr<DecodedItems> Single(const DecodeInput& input) {
  absl::StatusOr<DecodedDocument> doc = kDecode(input);
  if (!doc.ok()) return doc.status();
  DecodedItems items;
  items.push_back(*std::move(doc));
  return items;
}

}  // namespace

PayloadHead ReadPayloadHead(absl::string_view payload) {
  PayloadHead h;
  absl::string_view s = payload.substr(0, kHeadBytes);
  absl::ConsumePrefix(&s, "\xEF\xBB\xBF");
  s = absl::StripLeadingAsciiWhitespace(s);
  h.head = s;
  // Skip the prolog: XML declaration, processing instructions, comments, DOCTYPE.
  for (;;) {
    s = absl::StripLeadingAsciiWhitespace(s);
    size_t end;
    if (absl::StartsWith(s, "<?")) {
      end = s.find("?>");
      if (end == absl::string_view::npos) return h;
      s.remove_prefix(end + 2);
    } else if (absl::StartsWith(s, "<!--")) {
      end = s.find("-->");
      if (end == absl::string_view::npos) return h;
      s.remove_prefix(end + 3);
    } else if (absl::StartsWith(s, "<!")) {
      end = s.find('>');
      // A DOCTYPE with an internal subset ends at "]>", not at the first '>'.
      const size_t subset = s.find('[');
      if (subset < end) {
        const size_t subset_end = s.find("]>", subset);
        end = subset_end == absl::string_view::npos ? subset_end : subset_end + 1;
      }
      if (end == absl::string_view::npos) return h;
      absl::string_view decl = s.substr(2, end - 2);
      if (absl::ConsumePrefix(&decl, "DOCTYPE") || absl::ConsumePrefix(&decl, "doctype")) {
        h.doctype = ReadName(absl::StripLeadingAsciiWhitespace(decl));
      }
      s.remove_prefix(end + 1);
    } else {
      break;
    }
  }
  if (s.size() >= 2 && s[0] == '<' && absl::ascii_isalpha(static_cast<unsigned char>(s[1]))) {
    h.root = ReadName(s.substr(1));
  }
  return h;
}

const std::vector<FormatSpec>& KnownFormats() {
  static const auto* const formats = new std::vector<FormatSpec>{
      {v1::FORMAT_REUTERS_SGML, "Reuters-21578 SGML",
       {"application/sgml", "text/sgml", "application/x-reuters-sgml"},
       [](const PayloadHead& h) { return h.root == "REUTERS"; }, &Single<&DecodeReutersSgml>},
      {v1::FORMAT_NITF, "NITF", {"application/nitf+xml"},
       [](const PayloadHead& h) { return RootIs(h, {"nitf"}); }, &DecodeNitf},
      {v1::FORMAT_NEWSML_G2, "NewsML-G2",
       {"application/vnd.iptc.g2.newsitem+xml", "application/vnd.iptc.g2.packageitem+xml",
        "application/vnd.iptc.g2.newsmessage+xml", "application/vnd.iptc.g2.conceptitem+xml",
        "application/vnd.iptc.g2.knowledgeitem+xml", "application/vnd.iptc.g2.planningitem+xml",
        "application/vnd.iptc.g2.catalogitem+xml"},
       [](const PayloadHead& h) {
         // A package's bare <groupSet>, and a <catalog> (a common name) in the
         // NewsML-G2 namespace, are G2 too: the decoder skips them as not articles.
         return RootIs(h, {"newsItem", "packageItem", "newsMessage", "conceptItem",
                           "knowledgeItem", "planningItem", "catalogItem", "contentSet",
                           "groupSet"}) ||
                (RootIs(h, {"catalog"}) && absl::StrContains(h.head, kG2Namespace));
       },
       &DecodeNewsMlG2},
      {v1::FORMAT_NEWSML_1, "NewsML 1", {"application/vnd.iptc.newsml+xml"},
       [](const PayloadHead& h) { return RootIs(h, {"NewsML"}); }, &DecodeNewsMl1},
      {v1::FORMAT_RSS, "RSS", {"application/rss+xml", "application/rdf+xml"},
       [](const PayloadHead& h) { return RootIs(h, {"rss", "RDF"}); }, &DecodeRss},
      {v1::FORMAT_ATOM, "Atom", {"application/atom+xml"},
       [](const PayloadHead& h) { return RootIs(h, {"feed", "entry"}); }, &DecodeAtom},
      {v1::FORMAT_HTML, "HTML", {"text/html", "application/xhtml+xml"},
       [](const PayloadHead& h) {
         return absl::EqualsIgnoreCase(h.doctype, "html") ||
                absl::EqualsIgnoreCase(h.root, "html") ||
                absl::EqualsIgnoreCase(h.root, "head") ||
                absl::EqualsIgnoreCase(h.root, "body");
       },
       &DecodeHtml},
      {v1::FORMAT_NINJS, "ninjs", {"application/ninjs+json", "application/vnd.ninjs+json"},
       [](const PayloadHead& h) { return LooksLikeJson(h.head); }, &DecodeNinjs},
      {v1::FORMAT_PLAIN_TEXT, "plain text", {"text/plain"},
       [](const PayloadHead&) { return true; }, &Single<&DecodePlainText>},
  };
  return *formats;
}

absl::StatusOr<const FormatSpec*> SelectFormat(absl::string_view payload,
                                               const ContentType& content_type) {
  const std::vector<FormatSpec>& formats = KnownFormats();
  if (!content_type.media_type.empty()) {
    for (const FormatSpec& f : formats) {
      for (absl::string_view m : f.media_types) {
        if (m == content_type.media_type) return &f;
      }
    }
  }
  const PayloadHead head = ReadPayloadHead(payload);
  for (const FormatSpec& f : formats) {
    if (f.format == v1::FORMAT_PLAIN_TEXT) continue;
    if (f.sniff(head)) return &f;
  }
  if (!head.root.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported markup document: root element <", head.root, ">"));
  }
  return &formats.back();
}

}  // namespace newsd::stages
