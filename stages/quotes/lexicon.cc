#include "stages/quotes/lexicon.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace newsd::stages {
namespace {

using WordSet = absl::flat_hash_set<absl::string_view>;

// Lemma forms of English reporting verbs: base, 3rd person, past, gerund.
const WordSet& EnglishCueVerbs() {
  static const WordSet* const kSet = new WordSet{
      "say", "says", "said", "saying", "tell", "tells", "told", "telling",
      "add", "adds", "added", "adding", "note", "notes", "noted", "noting",
      "warn", "warns", "warned", "warning", "explain", "explains", "explained",
      "explaining", "state", "states", "stated", "claim", "claims", "claimed",
      "claiming", "insist", "insists", "insisted", "insisting", "argue", "argues",
      "argued", "arguing", "declare", "declares", "declared", "announce",
      "announces", "announced", "ask", "asks", "asked", "asking", "reply",
      "replies", "replied", "respond", "responds", "responded", "write", "writes",
      "wrote", "written", "comment", "comments", "commented", "recall", "recalls",
      "recalled", "acknowledge", "acknowledges", "acknowledged", "admit", "admits",
      "admitted", "suggest", "suggests", "suggested", "conclude", "concludes",
      "concluded", "emphasize", "emphasized", "emphasised", "emphasises",
      "emphasizes", "stress", "stresses", "stressed", "urge", "urges", "urged",
      "tweet", "tweets", "tweeted", "confirm", "confirms", "confirmed", "deny",
      "denies", "denied", "predict", "predicts", "predicted", "remark",
      "remarks", "remarked", "observe", "observes", "observed", "vow", "vows",
      "vowed", "promise", "promises", "promised", "complain", "complains",
      "complained", "continue", "continues", "continued", "agree", "agrees",
      "agreed", "describe", "describes", "described", "quote", "quoted",
      "quipped", "quips", "exclaimed", "shouted", "demanded", "pointed",
      "maintained", "maintains", "reiterated", "reiterates", "assured",
      "cautioned", "believes", "believed", "thinks", "thought", "estimated",
      "stating", "declaring", "announcing", "replying", "responding", "writing",
      "commenting", "recalling", "acknowledging", "admitting", "suggesting",
      "concluding", "emphasizing", "emphasising", "stressing", "urging",
      "confirming", "denying", "predicting", "describing", "reiterating",
      "assert", "asserts", "asserted", "asserting", "reason", "reasons", "reasoned",
      "report", "reports", "reported", "reporting", "reads", "recommend",
      "recommends", "recommended", "recommending", "pointing", "insisting",
      "warning", "telling"};
  return *kSet;
}

// German speech verbs: present (3sg, 3pl), preterite (3sg, 3pl), participle.
const WordSet& GermanCueVerbs() {
  static const WordSet* const kSet = new WordSet{
      "sagt", "sagen", "sagte", "sagten", "gesagt", "erklärt", "erklären",
      "erklärte", "erklärten", "betont", "betonen", "betonte", "betonten", "meint",
      "meinen", "meinte", "meinten", "fügte", "fügt", "teilte", "teilt", "mitgeteilt",
      "berichtet", "berichtete", "berichteten", "warnt", "warnte", "warnten",
      "kritisiert", "kritisierte", "kritisierten", "fordert", "forderte",
      "forderten", "äußert", "äußerte", "äußerten", "geäußert", "schreibt",
      "schrieb", "schrieben", "antwortet", "antwortete", "bestätigt", "bestätigte",
      "verkündet", "verkündete", "kündigte", "sprach", "spricht", "erläuterte",
      "erläutert", "unterstrich", "ergänzte", "ergänzt", "bekräftigte", "räumte",
      "zitiert", "zitierte", "hieß", "heißt", "verlautete", "verlautbarte",
      "behauptet", "behauptete", "argumentierte", "versicherte", "versprach",
      "bezeichnete", "bezeichnet", "stellte", "gab", "appellierte", "mahnte",
      "beklagte", "bedauerte", "lobte", "kommentierte", "twitterte", "rief",
      "nannte", "nennt", "nannten", "bezeichneten", "warf", "wies", "verwies",
      "begründete", "schilderte", "berichten", "bestätigten", "teilten",
      "erklärten", "hinzu", "zitierte", "sprachen", "spricht", "fragte", "fragt",
      "resümierte", "bilanzierte", "befand", "urteilte", "glaubt", "glaubte",
      "vermutete", "hofft", "hoffte", "kündigten", "schätzte", "prognostizierte"};
  return *kSet;
}

}  // namespace

QuoteLanguage QuoteLanguageFor(absl::string_view bcp47) {
  const std::string tag = absl::AsciiStrToLower(bcp47);
  if (tag == "de" || absl::StartsWith(tag, "de-") || tag == "gsw" ||
      absl::StartsWith(tag, "gsw-")) {
    return QuoteLanguage::kGerman;
  }
  return QuoteLanguage::kEnglish;
}

CueUse CueUseOf(QuoteLanguage language, absl::string_view word) {
  if (language == QuoteLanguage::kGerman) {
    if (word == "laut") return CueUse::kPreposition;
    if (word == "so") return CueUse::kPostQuote;
    return GermanCueVerbs().contains(word) ? CueUse::kVerb : CueUse::kNone;
  }
  if (word == "according") return CueUse::kPreposition;
  return EnglishCueVerbs().contains(word) ? CueUse::kVerb : CueUse::kNone;
}

bool TakesAddressee(absl::string_view word) {
  static const WordSet* const kSet = new WordSet{
      "tell", "tells", "told", "telling", "ask", "asks", "asked", "asking", "urge",
      "urges", "urged", "urging", "warn", "warns", "warned", "warning", "assured",
      "promise", "promises", "promised", "erklärte", "teilte", "versicherte",
      "versprach", "warnte", "forderte", "mahnte"};
  return kSet->contains(word);
}

bool IsNeuterPronoun(QuoteLanguage language, absl::string_view word) {
  return word == "it" || (language == QuoteLanguage::kGerman && word == "es");
}

bool IsPersonPronoun(QuoteLanguage language, absl::string_view word, Gender* gender) {
  if (word == "he" || (language == QuoteLanguage::kGerman && word == "er")) {
    *gender = Gender::kMale;
    return true;
  }
  if (word == "she" || (language == QuoteLanguage::kGerman && word == "sie")) {
    *gender = Gender::kFemale;
    return true;
  }
  return false;
}

Gender GenderOfWord(absl::string_view word) {
  static const WordSet* const kMale = new WordSet{
      "mr", "mr.", "sir", "lord", "herr", "spokesman", "chairman", "congressman",
      "businessman", "king", "prince", "father", "son", "brother", "husband",
      "actor", "sprecher"};
  static const WordSet* const kFemale = new WordSet{
      "mrs", "mrs.", "ms", "ms.", "miss", "madam", "dame", "lady", "frau",
      "spokeswoman", "chairwoman", "congresswoman", "businesswoman", "queen",
      "princess", "mother", "daughter", "sister", "wife", "actress", "sprecherin",
      "ministerin", "präsidentin", "kanzlerin"};
  if (kMale->contains(word)) return Gender::kMale;
  if (kFemale->contains(word)) return Gender::kFemale;
  return Gender::kUnknown;
}

bool IsSkippableBeforeCue(QuoteLanguage language, absl::string_view word) {
  static const WordSet* const kEnglish = new WordSet{
      "also", "further", "later", "then", "again", "previously", "earlier",
      "has", "had", "have", "would", "will", "recently", "once",
      "repeatedly", "reportedly", "however", "is", "was", "were", "are",
      "first", "last", "publicly", "separately", "simply", "only",
      "flatly", "bluntly", "quickly", "subsequently", "did", "does", "may",
      "might", "could", "should", "must", "can", "yesterday", "today",
      "tonight"};
  static const WordSet* const kGerman = new WordSet{
      "auch", "hat", "haben", "hatte", "hatten", "wird", "werden", "später",
      "dann", "zudem", "außerdem", "weiter", "bereits", "schon", "noch", "erneut",
      "gestern", "heute"};
  return (language == QuoteLanguage::kGerman ? kGerman : kEnglish)->contains(word);
}

bool IsDeterminer(QuoteLanguage language, absl::string_view word) {
  static const WordSet* const kEnglish = new WordSet{"the", "a", "an", "his", "her", "their", "its"};
  static const WordSet* const kGerman = new WordSet{
      "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines",
      "einem", "sein", "seine", "ihr", "ihre"};
  return (language == QuoteLanguage::kGerman ? kGerman : kEnglish)->contains(word);
}

bool IsObliqueDeterminer(QuoteLanguage language, absl::string_view word) {
  static const WordSet* const kGerman = new WordSet{
      "dem", "den", "des", "einem", "eines", "einen", "seinem", "seinen", "ihrem", "ihren"};
  return language == QuoteLanguage::kGerman && kGerman->contains(word);
}

bool IsPreposition(QuoteLanguage language, absl::string_view word) {
  static const WordSet* const kEnglish = new WordSet{
      "in", "at", "on", "to", "with", "from", "of", "for", "by", "after", "before",
      "during", "about", "against", "among", "into", "than", "through", "toward",
      "towards", "under", "upon", "without", "via"};
  static const WordSet* const kGerman = new WordSet{
      "in", "im", "bei", "beim", "nach", "mit", "von", "vom", "zu", "zum", "zur", "auf",
      "an", "am", "gegenüber", "vor", "während", "wegen", "seit", "aus", "für", "über",
      "unter", "durch", "gegen", "ohne", "um", "trotz", "zufolge", "angesichts"};
  return (language == QuoteLanguage::kGerman ? kGerman : kEnglish)->contains(word);
}

bool IsScareMarker(absl::string_view word) {
  static const WordSet* const kSet = new WordSet{
      "so-called", "dubbed", "termed", "branded", "labelled", "labeled",
      "nicknamed", "sogenannte", "sogenannten", "sogenannter", "sog."};
  return kSet->contains(word);
}

}  // namespace newsd::stages
