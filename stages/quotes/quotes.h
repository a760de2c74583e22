// The "quotes" stage: quotations, their kind and their speaker.
//
// Reads Article.text, .headline, .paragraphs, .sentences (segment stage),
// .entities (entities stage: PERSON entities, their mentions and roles) and
// .language; replaces Article.quotes and may add the flag "quote_unclosed".
// Every Quote has begin/end in Unicode code points into Article.text, the marks
// excluded, and:
//   kind     DIRECT   a quoted sentence or clause that stands on its own
//                     ("\"...,\" Lavrov said", "Lavrov said: \"...\"");
//            PARTIAL  a quoted fragment inside reported speech
//                     ("he said the efforts were intended “to prevent ...”");
//            SCARE    a short quoted term with no cue for it in its sentence, or
//                     one introduced by "so-called", "dubbed" ... (nobody speaks);
//   speaker  the canonical name of the PERSON entity that speaks, else the
//            description or name as written ("a police spokesman"), "" for
//            SCARE quotes and unattributed ones; speaker_entity_id its Entity.id;
//   cue      the cue as written ("said", "according to"); "" when inherited;
//   continued, unclosed, speaker_span, cue_span  (see article.proto).
//
// Marks (rules of the Chicago Manual of Style §13 and the Duden for German):
// straight " and typographic “ ” „ ‟ « » › ‹ marks, paired by position, not by
// shape — a mark after white space or an opening bracket opens, one before white
// space or punctuation closes, so mismatched pairs ("...” and “...") pair as real
// copy has them; „...“ and »...« (German) and «...» (French) pair the same way.
// Single marks ‘ ’ ' inside a double-quoted quote nest and never split it; a
// single mark between letters is an apostrophe ("I'm", "Russia’s"). A paragraph
// that ends inside a quote continues into the next paragraph if that one opens
// with a mark (the newspaper convention for multi-paragraph quotes); otherwise
// the quote ends at its paragraph end and is flagged unclosed.
//
// Speakers: the cue nearest the quote within its sentence (outside any quote),
// with its subject before it ("Lavrov said", "Lavrov also said"), or after it
// ("said Lavrov, who ...", "according to Lavrov"), skipping an apposition
// ("Jane Doe, a spokeswoman for X, said"); after verbs whose object is the
// addressee ("told the police") only before it. The subject is a PERSON, ORG or
// GPE mention ("the ministry said", "KCNA added"); a pronoun (he/she, er/sie) →
// the last PERSON speaker of compatible gender (gender from honorifics and role
// words: "Ms.", "spokeswoman"), else the nearest preceding compatible PERSON,
// else (no PERSON entities, e.g. German text) the last named speaker; "it"/"es"
// → the last ORG/GPE speaker; a description ("the minister", "the top Russian
// minister") → the PERSON whose role has that head noun (last speaker first),
// else the description as written; a capitalised name the entities stage missed
// → that name without an entity id. A noun phrase after a preposition or with
// an oblique German determiner ("bei der Eröffnung", "dem Sprecher") is never
// the subject. A DIRECT quote without a cue in its sentence takes the nearest
// cue of its paragraph, or of the previous paragraph when that one ends with
// ":" or "," ("Obama tweeted: ¶ “...”"); a continued quote, or a DIRECT quote
// without any cue right after an attributed one, keeps the previous speaker.
// Limits: speakers are found within one paragraph (two for the cases above);
// no syntactic parse, so long-distance subjects ("X, who ..., later said") may
// be missed; German needs no entities but gains from them. The search for a
// quote's cue tries the cue words ("said", "according to" ...) nearest first,
// at most 256 on each side of the quote (a real paragraph has a handful: at most
// 8 tried in Reuters-21578, GUM Wikinews, quotes_de_wikinews and the seed), so
// the stage costs about linear time in the text size (a 1 MiB text of quotes in
// one sentence: ~0.2 s).
#ifndef NEWSD_STAGES_QUOTES_QUOTES_H_
#define NEWSD_STAGES_QUOTES_QUOTES_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pipeline/stage.h"

namespace newsd::stages {

struct QuotesOptions {
  // A quote of at most this many words, inside a sentence, with no cue in that
  // sentence is a SCARE quote (option "scare_max_words", 1..20, default 3).
  uint32_t scare_max_words = 3;
};

class QuotesStage final : public Stage {
 public:
  explicit QuotesStage(QuotesOptions options) : options_(options) {}

  absl::string_view name() const override { return "quotes"; }

  // Replaces article.quotes (see the file comment); articles without text get
  // none. Errors (kInvalidArgument): text not valid UTF-8, or a headline,
  // paragraph, sentence or mention span out of range for the text.
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override;

 private:
  const QuotesOptions options_;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_QUOTES_QUOTES_H_
