// Encodings and text hygiene: byte-exact inputs for every case of the decode
// stage's charset handling (charset.h) and cleanup (text_cleanup.h).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/common/unicode.h"
#include "stages/decode/charset.h"
#include "stages/decode/decode.h"
#include "stages/decode/markup.h"
#include "stages/decode/text_cleanup.h"
#include "tests/stages/testing/status_matchers.h"

namespace newsd::stages {
namespace {

using ::newsd::testing::IsOk;
using ::newsd::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

absl::StatusOr<v1::Article> Decode(absl::string_view payload, absl::string_view content_type = "") {
  v1::Article article;
  article.set_id("news.raw/0/7");
  article.mutable_source()->set_content_type(std::string(content_type));
  StageContext ctx;
  ctx.payload = payload;
  if (absl::Status s = DecodeStage(DecodeOptions{}).Process(article, ctx); !s.ok()) return s;
  return article;
}

std::set<std::string> Flags(absl::string_view text, bool entities = false) {
  std::set<std::string> flags;
  CleanText(text, CleanupOptions{entities}, &flags);
  return flags;
}

// ---- Bytes → UTF-8 -----------------------------------------------------------------

TEST(CharsetTest, Utf8BomIsRemoved) {
  absl::StatusOr<Utf8Text> t = DecodeToUtf8("\xEF\xBB\xBF" "Caf\xC3\xA9", {});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->text, "Caf\u00e9");
  EXPECT_EQ(t->charset, "UTF-8");
  EXPECT_THAT(t->flags, IsEmpty());
}

TEST(CharsetTest, Utf16BomsWinOverDeclarations) {
  // "Hé" in UTF-16LE and UTF-16BE, declared (wrongly) as ISO-8859-1.
  absl::StatusOr<Utf8Text> le =
      DecodeToUtf8(absl::string_view("\xFF\xFEH\x00\xE9\x00", 6), {"ISO-8859-1", ""});
  ASSERT_THAT(le, IsOk());
  EXPECT_EQ(le->text, "H\u00e9");
  absl::StatusOr<Utf8Text> be =
      DecodeToUtf8(absl::string_view("\xFE\xFF\x00H\x00\xE9", 6), {});
  ASSERT_THAT(be, IsOk());
  EXPECT_EQ(be->text, "H\u00e9");
  EXPECT_TRUE(HasWideBom(absl::string_view("\xFF\xFEH\x00", 4)));
  EXPECT_FALSE(HasWideBom("\xEF\xBB\xBFH"));
}

TEST(DecodeEncodingTest, Utf16XmlWithBomIsSniffedAsItsFormat) {
  // "<?xml version="1.0" encoding="UTF-16"?><nitf>…" as UTF-16LE with a BOM, no
  // content-type: the format is recognised after conversion, not taken as text.
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><nitf><body><body.head><hedline>"
      "<hl1>UTF-16 headline</hl1></hedline></body.head><body.content><p>Para one.</p>"
      "</body.content></body></nitf>";
  std::string le = "\xff\xfe", be = "\xfe\xff";
  for (char c : xml) {
    le += c;
    le += '\0';
    be += '\0';
    be += c;
  }
  for (const std::string& bytes : {le, be}) {
    absl::StatusOr<v1::Article> a = Decode(bytes);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->format(), v1::FORMAT_NITF);
    EXPECT_EQ(a->text(), "UTF-16 headline\n\nPara one.");
  }
}

TEST(CharsetTest, Latin1LabelOnWindows1252BytesUsesWindows1252) {
  // 0x93/0x94 are “ ” and 0x97 is — in windows-1252, C1 controls in ISO-8859-1.
  absl::StatusOr<Utf8Text> t = DecodeToUtf8("\x93Quoted\x94 \x97 caf\xE9", {"ISO-8859-1", ""});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->text, "\u201cQuoted\u201d \u2014 caf\u00e9");
  EXPECT_EQ(t->charset, "windows-1252");
  EXPECT_THAT(t->flags, ElementsAre("charset_mislabelled"));
  // Plain Latin-1 bytes under the Latin-1 label: nothing to report.
  t = DecodeToUtf8("caf\xE9", {"latin1", ""});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->text, "caf\u00e9");
  EXPECT_THAT(t->flags, IsEmpty());
}

TEST(CharsetTest, Latin1LabelOnUtf8BytesUsesUtf8) {
  absl::StatusOr<Utf8Text> t = DecodeToUtf8("caf\xC3\xA9 \xE2\x80\x94 ok", {"", "ISO-8859-1"});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->text, "caf\u00e9 \u2014 ok");
  EXPECT_THAT(t->flags, ElementsAre("charset_mislabelled"));
}

TEST(CharsetTest, TransportCharsetWinsOverDocumentDeclaration) {
  // windows-1251 "Привет" declared by Content-Type, the document says UTF-8.
  absl::StatusOr<Utf8Text> t =
      DecodeToUtf8("\xCF\xF0\xE8\xE2\xE5\xF2", {"windows-1251", "UTF-8"});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->text, "\u041f\u0440\u0438\u0432\u0435\u0442");
}

TEST(CharsetTest, UndeclaredLegacyCharsetIsDetected) {
  const std::string german =
      "F\xFCr Lucien Favre war es \xAB" "der gr\xF6\xDFte Skandal im Fu\xDF" "ball seit Jahren\xBB. "
      "Der Trainer von Borussia Dortmund regte sich nach dem 2:4 auf.";
  absl::StatusOr<Utf8Text> t = DecodeToUtf8(german, {});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->charset, "ISO-8859-1");
  EXPECT_EQ(t->text.substr(0, 4), "F\u00fcr");
  EXPECT_NE(t->text.find("\u00abder gr\u00f6\u00dfte Skandal im Fu\u00dfball"), std::string::npos);
  EXPECT_THAT(t->flags, ElementsAre("charset_guessed"));

  const std::string russian =
      "\xcf\xf0\xe5\xe7\xe8\xe4\xe5\xed\xf2 \xd0\xee\xf1\xf1\xe8\xe8 \xe7\xe0\xff\xe2\xe8\xeb \xee "
      "\xef\xee\xe4\xe4\xe5\xf0\xe6\xea\xe5 \xf1\xe8\xf0\xe8\xe9\xf1\xea\xee\xe3\xee \xed\xe0\xf0\xee\xe4\xe0.";
  t = DecodeToUtf8(russian, {});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->charset, "windows-1251");
  EXPECT_EQ(t->text.substr(0, 18), "\u041f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442");
}

TEST(CharsetTest, InvalidUtf8IsReplacedWithMaximalSubparts) {
  // Valid UTF-8 around: a lone continuation byte, a truncated 3-byte sequence, an
  // overlong "/" (C0 AF: two maximal subparts) and a surrogate (ED A0 80: three).
  absl::StatusOr<Utf8Text> t =
      DecodeToUtf8("na\xC3\xAFve \x80 x\xE2\x82 y\xC0\xAF z\xED\xA0\x80 caf\xC3\xA9 \xC3\xA9t\xC3\xA9 "
                   "and some more text", {});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->text,
            "na\u00efve \uFFFD x\uFFFD y\uFFFD\uFFFD z\uFFFD\uFFFD\uFFFD caf\u00e9 \u00e9t\u00e9 "
            "and some more text");
  EXPECT_THAT(t->flags, ElementsAre("invalid_utf8_replaced"));
  EXPECT_FALSE(FindInvalidUtf8(t->text).has_value());
}

TEST(CharsetTest, MostlyGarbageIsRejected) {
  // (The valid "é" rules out a legacy charset: this is damaged UTF-8.)
  EXPECT_THAT(DecodeToUtf8("\xC3\xA9\xFD\xFC\xFB\xFA ab", {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid UTF-8: 4 ill-formed sequences in 8 code points (first at byte 2)"));
  EXPECT_THAT(DecodeToUtf8("caf\xE9", {"x-no-such-charset", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown charset 'x-no-such-charset'"));
}

TEST(CharsetTest, DeclarationsAreRead) {
  EXPECT_EQ(XmlDeclaredEncoding("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
            "ISO-8859-1");
  EXPECT_EQ(XmlDeclaredEncoding("\xEF\xBB\xBF<?xml version='1.0' encoding='windows-1252' ?>"),
            "windows-1252");
  EXPECT_EQ(XmlDeclaredEncoding("<a encoding=\"x\"/>"), "");
  EXPECT_EQ(HtmlDeclaredCharset("<html><head><meta charset=\"Shift_JIS\">"), "shift_jis");
  EXPECT_EQ(HtmlDeclaredCharset(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-2\">"),
            "iso-8859-2");
  EXPECT_EQ(HtmlDeclaredCharset("<p>charset=utf-8</p>"), "");
}

// ---- Through the stage -------------------------------------------------------------

TEST(DecodeEncodingTest, XmlEncodingDeclarationLatin1WithWindows1252Bytes) {
  const std::string nitf =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<nitf><body><body.head><hedline><hl1>"
      "\x93" "Fed\x94 holds</hl1></hedline></body.head><body.content><p>It didn\x92t move \x96 "
      "caf\xE9.</p></body.content></body></nitf>";
  absl::StatusOr<v1::Article> a = Decode(nitf);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "\u201cFed\u201d holds\n\nIt didn\u2019t move \u2013 caf\u00e9.");
  EXPECT_THAT(a->flags(), ElementsAre("charset_mislabelled"));
}

TEST(DecodeEncodingTest, XmlDeclaredLatin1ButUtf8Bytes) {
  absl::StatusOr<v1::Article> a = Decode(
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><nitf><body><body.head><hedline><hl1>"
      "Caf\xC3\xA9 opens</hl1></hedline></body.head></body></nitf>");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Caf\u00e9 opens");
  EXPECT_THAT(a->flags(), ElementsAre("charset_mislabelled", "body_empty"));
}

TEST(DecodeEncodingTest, HtmlMetaCharset) {
  absl::StatusOr<v1::Article> a = Decode(
      "<html><head><meta charset=\"windows-1251\"><title>\xcd\xee\xe2\xee\xf1\xf2\xe8</title>"
      "</head><body><article><p>\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0.</p></article></body></html>");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->format(), v1::FORMAT_HTML);
  EXPECT_EQ(a->text(), "\u041d\u043e\u0432\u043e\u0441\u0442\u0438\n\n"
                       "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440.");
  EXPECT_THAT(a->flags(), IsEmpty());
}

TEST(DecodeEncodingTest, PlainTextWindows1252Undeclared) {
  absl::StatusOr<v1::Article> a = Decode(
      "Caf\xE9 owners protest\nThe caf\xE9 owners of the Marais said the new rules were "
      "\x93unfair\x94 and would hurt their business during the summer season.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Caf\u00e9 owners protest\n\nThe caf\u00e9 owners of the Marais said the "
                       "new rules were \u201cunfair\u201d and would hurt their business during "
                       "the summer season.");
  EXPECT_THAT(a->flags(), ElementsAre("charset_guessed"));
}

TEST(DecodeEncodingTest, CrLfAndStrayCr) {
  absl::StatusOr<v1::Article> a = Decode("Head\r\nOne\r\rTwo\rthree\r\n");
  ASSERT_THAT(a, IsOk());
  // In plain text a lone CR ends a line (old Mac line ends).
  EXPECT_EQ(a->text(), "Head\n\nOne\n\nTwo three");
  // In markup text a stray CR inside a paragraph becomes a space and is flagged.
  a = Decode("{\"headline\": \"Head\\rline\", \"body_html\": \"<p>One\\r\\ntwo</p>\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Head line\n\nOne two");
  EXPECT_THAT(a->flags(), ElementsAre("stray_cr_normalized"));
}

// ---- Cleanup ------------------------------------------------------------------------

TEST(CleanTextTest, MojibakeIsRepairedPerRun) {
  std::set<std::string> flags;
  EXPECT_EQ(CleanText("didnâ€™t, cafÃ© and â€œquotesâ€\u009d", {}, &flags),
            "didn\u2019t, caf\u00e9 and \u201cquotes\u201d");
  EXPECT_THAT(flags, ElementsAre("mojibake_repaired"));
  // Good text next to mojibake is untouched.
  flags.clear();
  EXPECT_EQ(CleanText("café, naïve, Ã¼ber, 50 °C, « guillemets »", {}, &flags),
            "café, naïve, \u00fcber, 50 °C, « guillemets »");
  EXPECT_THAT(flags, ElementsAre("mojibake_repaired"));
  // Double mojibake (UTF-8 → windows-1252 twice).
  std::string twice = "donÃ¢â‚¬â„¢t";
  EXPECT_EQ(RepairMojibake(&twice), 4u);  // 3 characters, then 1
  EXPECT_EQ(twice, "don\u2019t");
  // Clean text: no flag.
  EXPECT_THAT(Flags("The café’s “menu” — 5 €"), IsEmpty());
}

TEST(CleanTextTest, EntitiesIncludingDoubleEscaped) {
  std::set<std::string> flags;
  EXPECT_EQ(CleanText("AT&amp;T said &quot;no&quot; &amp;amp; &#8217;twas &#x2014; &eacute;",
                      {true}, &flags),
            "AT&T said \"no\" & \u2019twas \u2014 \u00e9");
  EXPECT_THAT(flags, ElementsAre("entities_decoded"));
  // Unknown names and bare ampersands stay; plain text never decodes.
  flags.clear();
  EXPECT_EQ(CleanText("R&D &foo; & more &#0; &#xD800;", {true}, &flags),
            "R&D &foo; & more \uFFFD \uFFFD");
  EXPECT_EQ(CleanText("AT&amp;T", {false}, &flags), "AT&amp;T");
}

TEST(CleanTextTest, SpacesInvisiblesBidiAndControls) {
  std::set<std::string> flags;
  EXPECT_EQ(CleanText("10\u00a0km\u202fnorth\u2009of\u3000Kyiv", {}, &flags),
            "10 km north of Kyiv");
  EXPECT_THAT(flags, ElementsAre("spaces_normalized"));
  flags.clear();
  EXPECT_EQ(CleanText("zero\u200bwidth\u2060joiner\ufeffbom soft\u00adhyphen", {}, &flags),
            "zerowidthjoinerbom softhyphen");
  EXPECT_THAT(flags, ElementsAre("invisible_chars_removed"));
  flags.clear();
  EXPECT_EQ(CleanText("\u202bשלום\u202c \u200fabc\u200e \u2067x\u2069", {}, &flags),
            "שלום abc x");
  EXPECT_THAT(flags, ElementsAre("bidi_controls_removed"));
  flags.clear();
  EXPECT_EQ(CleanText("bell\x07 del\x7f nbsp\u0081 rlm\u008f", {}, &flags), "bell del nbsp rlm");
  EXPECT_THAT(flags, ElementsAre("control_chars_removed"));
}

// ---- C1 controls: windows-1252 bytes read as Latin-1 ---------------------------------

TEST(CleanTextTest, C1ControlsAreMappedThroughWindows1252) {
  std::set<std::string> flags;
  EXPECT_EQ(CleanText("\u0093quoted\u0094 and it\u0092s \u0096 5\u0080\u0085", {}, &flags),
            "\u201cquoted\u201d and it\u2019s \u2013 5\u20ac\u2026");
  EXPECT_THAT(flags, ElementsAre("c1_controls_mapped"));
  // Every C1 control: the 27 windows-1252 defines are mapped, the other 5 removed.
  for (UChar32 c = 0x80; c <= 0x9F; ++c) {
    std::string in = "a";
    AppendUtf8(c, &in);
    in += "z";
    flags.clear();
    const std::string out = CleanText(in, {}, &flags);
    const bool undefined = c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
    EXPECT_EQ(CountCodePoints(out), undefined ? 2u : 3u) << c;
    EXPECT_THAT(flags, ElementsAre(undefined ? "control_chars_removed" : "c1_controls_mapped")) << c;
  }
}

TEST(CleanTextTest, MojibakeIsRepairedBeforeControlsAreTouched) {
  // "levy”" as UTF-8 (E2 80 9D) read as windows-1252: 0x9D is undefined there and
  // survives as U+009D. Deleting it first would leave "levyâ€".
  std::set<std::string> flags;
  EXPECT_EQ(CleanText("the \u00e2\u20ac\u0153levy\u00e2\u20ac\u009d was cut", {}, &flags),
            "the \u201clevy\u201d was cut");
  EXPECT_THAT(flags, ElementsAre("mojibake_repaired"));
  // The U+009D lost upstream (dropped or replaced by U+FFFD): still "”".
  flags.clear();
  EXPECT_EQ(CleanText("the \u00e2\u20ac\u0153levy\u00e2\u20ac was cut; "
                      "\u00e2\u20ac\u0153tax\u00e2\u20ac\ufffd too", {}, &flags),
            "the \u201clevy\u201d was cut; \u201ctax\u201d too");
  EXPECT_THAT(flags, ElementsAre("mojibake_repaired"));
}

TEST(DecodeEncodingTest, C1BytesInLatin1OrUndeclaredPayloads) {
  const std::string bytes = "Levy vote\n\x93Quoted\x94 and it\x92s done, the minister said.\n";
  const std::string expected =
      "Levy vote\n\n\u201cQuoted\u201d and it\u2019s done, the minister said.";
  for (const char* content_type : {"text/plain; charset=ISO-8859-1", ""}) {
    absl::StatusOr<v1::Article> a = Decode(bytes, content_type);
    ASSERT_THAT(a, IsOk()) << content_type;
    EXPECT_EQ(a->text(), expected) << content_type;
    EXPECT_THAT(a->flags(), ElementsAre(*content_type ? "charset_mislabelled" : "charset_guessed"));
  }
  // Text already mis-decoded as Latin-1 upstream: UTF-8 bytes of U+0093 ... U+0092.
  absl::StatusOr<v1::Article> a =
      Decode("Levy vote\n\xC2\x93Quoted\xC2\x94 and it\xC2\x92s done, the minister said.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), expected);
  EXPECT_THAT(a->flags(), ElementsAre("c1_controls_mapped"));
}

TEST(DecodeEncodingTest, PlainTextMojibakeWithU009DIsRepaired) {
  // UTF-8 bytes of "â€œlevyâ€\u009d": the plain-text decoder removes C0 controls
  // up front, but must leave U+009D to the mojibake repair.
  absl::StatusOr<v1::Article> a = Decode(
      "Levy\x07 vote\nThe \xC3\xA2\xE2\x82\xAC\xC5\x93levy\xC3\xA2\xE2\x82\xAC\xC2\x9D passed.\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Levy vote\n\nThe \u201clevy\u201d passed.");
  EXPECT_THAT(a->flags(), UnorderedElementsAre("control_chars_removed", "mojibake_repaired"));
}

// ---- HTML5 character references -------------------------------------------------------

TEST(CleanTextTest, Html5CharacterReferences) {
  std::set<std::string> flags;
  // Invalid numeric references: U+FFFD (HTML5 §13.2.5.80), any number of digits.
  EXPECT_EQ(CleanText("a&#xD800;b&#0;c&#99999999;d&#99999999999999999999;e", {true}, &flags),
            "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe");
  EXPECT_THAT(flags, ElementsAre("entities_decoded"));
  // C1 numeric references are windows-1252 (&#150; is "–").
  EXPECT_EQ(CleanText("1990&#150;1995 &#147;x&#148;", {true}, &flags), "1990\u20131995 \u201cx\u201d");
  // Legacy names without ";" are decoded unless a letter, digit or "=" follows.
  EXPECT_EQ(CleanText("&copy 2024 Reuters &amp more, &eacute.", {true}, &flags),
            "\u00a9 2024 Reuters & more, \u00e9.");
  EXPECT_EQ(CleanText("&notice &copy2024 ?a=1&copy=2", {true}, &flags),
            "&notice &copy2024 ?a=1&copy=2");
  // A name that HTML5 only knows with its ";" stays literal without it.
  EXPECT_EQ(CleanText("wait&hellip then &hellip;", {true}, &flags), "wait&hellip then \u2026");
  // HTML5-only names, including multi-code-point values.
  EXPECT_EQ(CleanText("&bigstar; &NotEqualTilde; &fjlig;", {true}, &flags),
            "\u2605 \u2242\u0338 fj");
  std::string text = "&copy";
  EXPECT_EQ(DecodeHtmlEntities(&text), 1u);
  EXPECT_EQ(text, "\u00a9");
  EXPECT_STREQ(LookupHtml5Reference("amp"), "&");
  EXPECT_EQ(LookupHtml5Reference("hellip"), nullptr);
  EXPECT_EQ(LookupHtml5Reference("nosuch;"), nullptr);
}

TEST(DecodeEncodingTest, Html5ReferencesInHtmlAndXml) {
  // libxml2's HTML parser dropped invalid numeric references and left
  // HTML5-only names and legacy names without ";" undecoded.
  absl::StatusOr<v1::Article> a = Decode(
      "<html><head><title>Refs</title></head><body><article><p>a&#xD800;b&#0;c&#99999999;d "
      "&copy 2024 &amp more &hellip x &bigstar;</p></article></body></html>",
      "text/html");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Refs\n\na\uFFFDb\uFFFDc\uFFFDd \u00a9 2024 & more &hellip x \u2605");
  // XML: an invalid numeric reference is not well-formed; it reads as HTML5 does.
  a = Decode("<nitf><body><body.head><hedline><hl1>a&#0;b&#xD800;c&#1;d</hl1></hedline>"
             "</body.head></body></nitf>");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "a\uFFFDb\uFFFDcd");
  EXPECT_EQ(RewriteInvalidNumericReferences("&#65; &#x41;", false), std::nullopt);
  EXPECT_EQ(RewriteInvalidNumericReferences("x&#0y&#x110000;", false), "x&#xFFFD;y&#xFFFD;");
}

// Every ASCII byte between two letters: printable ones and LF are kept, TAB
// becomes a space, VT and FF become spaces (flagged), a CR alone becomes a space
// (flagged) and a CRLF a LF, the other C0 controls and DEL are removed (flagged).
TEST(CleanTextTest, EveryAsciiByte) {
  for (int b = 0; b < 0x80; ++b) {
    const char c = static_cast<char>(b);
    std::set<std::string> flags;
    const std::string out = CleanText(absl::StrCat("a", std::string(1, c), "z"), {}, &flags);
    std::string expected = absl::StrCat("a", std::string(1, c), "z");
    std::set<std::string> expected_flags;
    if (b == '\t') {
      expected = "a z";
    } else if (b == '\v' || b == '\f') {
      expected = "a z";
      expected_flags = {std::string(kFlagSpacesNormalized)};
    } else if (b == '\r') {
      expected = "a z";
      expected_flags = {std::string(kFlagStrayCr)};
    } else if ((b < 0x20 && b != '\n') || b == 0x7F) {
      expected = "az";
      expected_flags = {std::string(kFlagControlsRemoved)};
    }
    EXPECT_EQ(out, expected) << "byte " << b;
    EXPECT_EQ(flags, expected_flags) << "byte " << b;
  }
  std::set<std::string> flags;
  EXPECT_EQ(CleanText("one\r\ntwo\r\n", {}, &flags), "one\ntwo\n");
  EXPECT_THAT(flags, IsEmpty());
  EXPECT_EQ(CleanText("end\r", {}, &flags), "end ");
  EXPECT_THAT(flags, ElementsAre(std::string(kFlagStrayCr)));
}

TEST(CleanTextTest, ZwjAndZwnjAreKept) {
  // Persian "می‌خواهم" needs ZWNJ; the family emoji is a ZWJ sequence; Hindi
  // "क्‍ष" uses ZWJ for the half form.
  const std::string text = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 "
                           "\U0001F468\u200d\U0001F469\u200d\U0001F467 \u0915\u094d\u200d\u0937";
  std::set<std::string> flags;
  EXPECT_EQ(CleanText(text, {}, &flags), text);
  EXPECT_THAT(Flags(text), IsEmpty());
}

TEST(CleanTextTest, TypographyIsKeptButFoldable) {
  const std::string text = "\u201cIt\u2019s \u2018fine\u2019\u201d \u2014 \u00abja\u00bb\u2026";
  std::set<std::string> flags;
  EXPECT_EQ(CleanText(text, {}, &flags), text);
  EXPECT_THAT(flags, IsEmpty());
  EXPECT_EQ(FoldTypography(text), "\"It's 'fine'\" - \"ja\".");
  EXPECT_EQ(CountCodePoints(FoldTypography(text)), CountCodePoints(text));
  EXPECT_EQ(FoldTypographic(0x2212), '-');
  EXPECT_EQ(FoldTypographic('a'), 'a');
}

TEST(DecodeEncodingTest, RepairsAreFlaggedOnTheArticle) {
  absl::StatusOr<v1::Article> a = Decode(
      "{\"headline\": \"Fed\\u00a0holds\", \"body_text\": \"It didnâ€™t move.\\u200b\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Fed holds\n\nIt didn\u2019t move.");
  EXPECT_THAT(a->flags(), UnorderedElementsAre("spaces_normalized", "mojibake_repaired",
                                               "invisible_chars_removed"));
}

TEST(DecodeEncodingTest, OutputIsNfc) {
  absl::StatusOr<v1::Article> a =
      Decode("{\"headline\": \"Cafe\\u0301\", \"body_text\": \"Zu\\u0308rich\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Caf\u00e9\n\nZ\u00fcrich");
}

TEST(CleanTextTest, NoncharactersBecomeReplacementCharacters) {
  // U+FFFE, U+FFFF, U+FDD0, U+FDEF, U+1FFFF, U+10FFFF: well-formed UTF-8, not text.
  std::set<std::string> flags;
  EXPECT_EQ(CleanText("a\xEF\xBF\xBE b\xEF\xBF\xBF c\xEF\xB7\x90 d\xEF\xB7\xAF e\xF0\x9F\xBF\xBF "
                      "f\xF4\x8F\xBF\xBF",
                      {}, &flags),
            "a\uFFFD b\uFFFD c\uFFFD d\uFFFD e\uFFFD f\uFFFD");
  EXPECT_THAT(flags, ElementsAre("noncharacters_replaced"));
  // Neighbours of the noncharacters are kept: U+FDCF, U+FDF0, U+FFFD, U+1FFFD.
  flags.clear();
  EXPECT_EQ(CleanText("\uFDCF \uFDF0 \uFFFD \U0001FFFD", {}, &flags),
            "\uFDCF \uFDF0 \uFFFD \U0001FFFD");
  EXPECT_THAT(flags, IsEmpty());
  // From a character reference.
  flags.clear();
  EXPECT_EQ(CleanText("x &#xFFFF; &#65534; y", CleanupOptions{true}, &flags),
            "x \uFFFD \uFFFD y");
  EXPECT_THAT(flags, UnorderedElementsAre("entities_decoded", "noncharacters_replaced"));
}

TEST(DecodeEncodingTest, NoncharactersDoNotLoseTheArticle) {
  absl::StatusOr<v1::Article> a = Decode("Headline\n\nBody \xEF\xBF\xBE END\n");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Headline\n\nBody \uFFFD END");
  EXPECT_THAT(a->flags(), ElementsAre("noncharacters_replaced"));

  a = Decode("{\"headline\": \"Fed\\uFFFF\", \"body_text\": \"Rates \\uFDD0held.\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Fed\uFFFD\n\nRates \uFFFDheld.");
  EXPECT_THAT(a->flags(), ElementsAre("noncharacters_replaced"));

  // A residual (double-escaped) reference in markup is decoded, then replaced.
  a = Decode("{\"headline\": \"Fed\", \"body_html\": \"<p>Rates &amp;#xFFFE; held.</p>\"}");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->text(), "Fed\n\nRates \uFFFD held.");
  EXPECT_THAT(a->flags(), UnorderedElementsAre("entities_decoded", "noncharacters_replaced"));
}

}  // namespace
}  // namespace newsd::stages
