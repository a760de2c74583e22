// Word lists of the quotes stage: cue verbs, pronouns, and the small words the
// speaker search skips, for English and German.
//
// Sources: the English cue verbs are the reporting verbs of news copy as listed
// by the AP Stylebook ("said" and its alternatives) and the speech-verb lexicon
// of Pareti's PARC 3.0 attribution corpus (say, tell, add, note, warn, explain,
// claim, insist, ...), each in all its inflected forms, so that any tense and
// either order ("Lavrov said" / "said Lavrov" / "will say") matches. The German
// cue verbs are the frequent speech verbs (Redeeinleitende Verben) of the German
// Wikinews quotation corpus guidelines of Petersen-Frey & Biemann (2024):
// sagen, erklären, betonen, meinen, ... in present, preterite and participle,
// plus "laut" and the post-quote "so". All entries are lowercase, with
// typographic apostrophes folded to ASCII (see FoldTypographic).
#ifndef NEWSD_STAGES_QUOTES_LEXICON_H_
#define NEWSD_STAGES_QUOTES_LEXICON_H_

#include "absl/strings/string_view.h"

namespace newsd::stages {

// Languages with a lexicon; anything else uses kEnglish.
enum class QuoteLanguage { kEnglish, kGerman };

// QuoteLanguage for a BCP-47 tag: "de", "de-AT", "gsw" → kGerman, else kEnglish.
QuoteLanguage QuoteLanguageFor(absl::string_view bcp47);

// How a cue word may be used.
enum class CueUse {
  kNone,         // not a cue
  kVerb,         // a speech verb: speaker before it or right after it
  kPreposition,  // "according (to)", "laut": the speaker follows
  kPostQuote,    // German "so": a cue only right after a closing mark ("„…“, so Müller")
};

// CueUse of lowercase word `word` (one token) in `language`. "according" is a
// kPreposition only when followed by "to" (the caller checks the next token).
CueUse CueUseOf(QuoteLanguage language, absl::string_view word);

// True for lowercase cue verbs whose object is the addressee, not the speaker
// ("told the police", "asked reporters"): the speaker is never looked for after
// them.
bool TakesAddressee(absl::string_view word);

// True for "it" (German "es"): refers to an organisation that spoke last.
bool IsNeuterPronoun(QuoteLanguage language, absl::string_view word);

// Grammatical gender a pronoun or person word implies.
enum class Gender { kUnknown, kMale, kFemale };

// For a lowercase third-person singular subject pronoun ("he", "she", "er";
// German "sie" is kFemale as well, the plural reading is left out): true and
// its gender; false for any other word.
bool IsPersonPronoun(QuoteLanguage language, absl::string_view word, Gender* gender);

// Gender implied by a lowercase honorific or person noun right before a name or
// heading a description ("mr" → male, "spokeswoman" → female, "frau" → female);
// kUnknown otherwise.
Gender GenderOfWord(absl::string_view word);

// True for lowercase words that may stand between a speaker and the cue verb
// without ending the speaker search ("also", "further", "has", "had", "will",
// "later", "auch", "hat") — adverbs and auxiliaries.
bool IsSkippableBeforeCue(QuoteLanguage language, absl::string_view word);

// True for lowercase determiners that open a description ("the", "a", "der",
// "die", "ein") — "the minister said" → a role description.
bool IsDeterminer(QuoteLanguage language, absl::string_view word);

// True for lowercase determiners that cannot open a subject ("dem", "einem",
// "den", "des": German dative, accusative and genitive forms).
bool IsObliqueDeterminer(QuoteLanguage language, absl::string_view word);

// True for lowercase prepositions ("in", "after", "bei", "nach"): a noun phrase
// right after one is not the subject of a cue ("bei der Eröffnung sagte ...").
bool IsPreposition(QuoteLanguage language, absl::string_view word);

// True for lowercase words that mark a scare quote when right before the quote
// ("so-called", "dubbed", "termed", "sogenannte").
bool IsScareMarker(absl::string_view word);

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_QUOTES_LEXICON_H_
