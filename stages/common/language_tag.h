// Language tags (IETF BCP 47: RFC 5646, RFC 4647).
#ifndef NEWSD_STAGES_COMMON_LANGUAGE_TAG_H_
#define NEWSD_STAGES_COMMON_LANGUAGE_TAG_H_

#include <string>

#include "absl/strings/string_view.h"

namespace newsd::stages {

// A declared language tag in BCP 47 form, as Wire.declared_language documents it:
// surrounding white space removed, "_" read as "-" (POSIX and Java locale names),
// then parsed and written back by ICU (uloc_forLanguageTag, uloc_toLanguageTag):
// the case conventions of RFC 5646 §2.1.1 ("EN-gb" → "en-GB", "en_US" → "en-US",
// "zh-hant-tw" → "zh-Hant-TW", "DE-DE-U-CO-PHONEBK" → "de-DE-u-co-phonebk") and
// ICU's canonical replacements of deprecated, grandfathered and extlang tags
// ("iw" → "he", "i-klingon" → "tlh", "zh-yue-HK" → "yue-HK"; a lone private-use
// tag gets "und": "x-private" → "und-x-private").
// A value ICU does not read in full as a well-formed tag is returned with its white
// space removed and otherwise as given: "English (UK)", "en--GB", "en_US.UTF-8".
std::string NormalizeLanguageTag(absl::string_view tag);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_COMMON_LANGUAGE_TAG_H_
