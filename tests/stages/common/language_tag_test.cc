#include "stages/common/language_tag.h"

#include "gtest/gtest.h"

namespace newsd::stages {
namespace {

TEST(NormalizeLanguageTagTest, CaseConventionsOfRfc5646) {
  EXPECT_EQ(NormalizeLanguageTag("EN-gb"), "en-GB");
  EXPECT_EQ(NormalizeLanguageTag("en_US"), "en-US");
  EXPECT_EQ(NormalizeLanguageTag("zh-hant-tw"), "zh-Hant-TW");
  EXPECT_EQ(NormalizeLanguageTag("SR-LATN-rs"), "sr-Latn-RS");
  EXPECT_EQ(NormalizeLanguageTag("mN-cYrL-Mn"), "mn-Cyrl-MN");  // RFC 5646 §2.1.1
  EXPECT_EQ(NormalizeLanguageTag("es-419"), "es-419");
  EXPECT_EQ(NormalizeLanguageTag("DE-ch-1901"), "de-CH-1901");
  EXPECT_EQ(NormalizeLanguageTag("nb-NO"), "nb-NO");
  EXPECT_EQ(NormalizeLanguageTag(" De\n"), "de");
  EXPECT_EQ(NormalizeLanguageTag("und"), "und");
  // After a singleton everything is lowercase.
  EXPECT_EQ(NormalizeLanguageTag("EN-ca-X-Ca"), "en-CA-x-ca");
  EXPECT_EQ(NormalizeLanguageTag("az-Arab-x-AZE-derbend"), "az-Arab-x-aze-derbend");
  EXPECT_EQ(NormalizeLanguageTag("DE-DE-U-CO-PHONEBK"), "de-DE-u-co-phonebk");
}

TEST(NormalizeLanguageTagTest, IcuCanonicalReplacements) {
  EXPECT_EQ(NormalizeLanguageTag("iw"), "he");
  EXPECT_EQ(NormalizeLanguageTag("in-ID"), "id-ID");
  EXPECT_EQ(NormalizeLanguageTag("I-KLINGON"), "tlh");
  EXPECT_EQ(NormalizeLanguageTag("zh-YUE-hk"), "yue-HK");
  EXPECT_EQ(NormalizeLanguageTag("X-Private"), "und-x-private");
}

TEST(NormalizeLanguageTagTest, ValuesThatAreNoTagsAreKeptTrimmed) {
  EXPECT_EQ(NormalizeLanguageTag(""), "");
  EXPECT_EQ(NormalizeLanguageTag("  "), "");
  EXPECT_EQ(NormalizeLanguageTag(" English (UK) "), "English (UK)");
  EXPECT_EQ(NormalizeLanguageTag("en--GB"), "en--GB");
  EXPECT_EQ(NormalizeLanguageTag("en-"), "en-");
  EXPECT_EQ(NormalizeLanguageTag("e"), "e");
  EXPECT_EQ(NormalizeLanguageTag("12-GB"), "12-GB");
  EXPECT_EQ(NormalizeLanguageTag("en-verylongsubtag"), "en-verylongsubtag");
  EXPECT_EQ(NormalizeLanguageTag("en_US.UTF-8"), "en_US.UTF-8");
  EXPECT_EQ(NormalizeLanguageTag(std::string(200, 'a')), std::string(200, 'a'));
}

}  // namespace
}  // namespace newsd::stages
