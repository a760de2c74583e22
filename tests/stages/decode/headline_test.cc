#include "stages/decode/headline.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsd::stages {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SplitHeadlineLabelsTest, SlugMovesOut) {
  HeadlineLabels l = SplitHeadlineLabels("RUGBY-All Blacks beat Australia to keep Bledisloe Cup");
  EXPECT_EQ(l.headline, "All Blacks beat Australia to keep Bledisloe Cup");
  EXPECT_EQ(l.slug, "RUGBY");
  EXPECT_THAT(l.signals, IsEmpty());
  EXPECT_FALSE(l.alert);
  l = SplitHeadlineLabels("UPDATE 3-GLOBAL MARKETS-Stocks slip as bond yields climb");
  EXPECT_EQ(l.headline, "Stocks slip as bond yields climb");
  EXPECT_EQ(l.slug, "GLOBAL MARKETS");
  EXPECT_THAT(l.signals, ElementsAre("sig:update", "wire:update-3"));
  l = SplitHeadlineLabels("SOCCER-Messi joins Inter Miami");
  EXPECT_EQ(l.headline, "Messi joins Inter Miami");
  EXPECT_EQ(l.slug, "SOCCER");
}

TEST(SplitHeadlineLabelsTest, StatusLabelsBecomeSignals) {
  HeadlineLabels l = SplitHeadlineLabels("UPDATE 2-Oil rises as supply fears mount");
  EXPECT_EQ(l.headline, "Oil rises as supply fears mount");
  EXPECT_EQ(l.slug, "");
  EXPECT_THAT(l.signals, ElementsAre("sig:update", "wire:update-2"));
  l = SplitHeadlineLabels("CORRECTED-Oil rises as supply fears mount");
  EXPECT_EQ(l.headline, "Oil rises as supply fears mount");
  EXPECT_THAT(l.signals, ElementsAre("sig:correction"));
  l = SplitHeadlineLabels("REFILE-UPDATE 1-Oil rises as supply fears mount");
  EXPECT_EQ(l.headline, "Oil rises as supply fears mount");
  EXPECT_THAT(l.signals, ElementsAre("wire:refile", "sig:update", "wire:update-1"));
  l = SplitHeadlineLabels("WRAPUP 1-Rescuers search rubble after quake");
  EXPECT_EQ(l.headline, "Rescuers search rubble after quake");
  EXPECT_THAT(l.signals, ElementsAre("wire:wrapup-1"));
  l = SplitHeadlineLabels("EXCLUSIVE-Carmaker weighs sale of battery unit");
  EXPECT_EQ(l.headline, "Carmaker weighs sale of battery unit");
  EXPECT_THAT(l.signals, ElementsAre("wire:exclusive"));
  l = SplitHeadlineLabels("UPDATE-Oil rises");
  EXPECT_THAT(l.signals, ElementsAre("sig:update"));
  // Reuters-21578 style: upper case, spaced dash; the rest stays upper case.
  l = SplitHeadlineLabels("CORRECTED - BANKAMERICA NEGOTIATING SALE OF UNITS");
  EXPECT_EQ(l.headline, "BANKAMERICA NEGOTIATING SALE OF UNITS");
  EXPECT_THAT(l.signals, ElementsAre("sig:correction"));
  l = SplitHeadlineLabels("RPT - EUROPEAN TRADE MAY PROPOSE NEW ICO FORMULA");
  EXPECT_EQ(l.headline, "EUROPEAN TRADE MAY PROPOSE NEW ICO FORMULA");
  EXPECT_THAT(l.signals, ElementsAre("wire:refile"));
}

TEST(SplitHeadlineLabelsTest, AlertLabels) {
  HeadlineLabels l = SplitHeadlineLabels("FLASH: Senate confirms Jane Doe to Supreme Court");
  EXPECT_EQ(l.headline, "Senate confirms Jane Doe to Supreme Court");
  EXPECT_TRUE(l.alert);
  EXPECT_THAT(l.signals, ElementsAre("wire:flash"));
  l = SplitHeadlineLabels("URGENT Senate passes budget");
  EXPECT_EQ(l.headline, "Senate passes budget");
  EXPECT_THAT(l.signals, ElementsAre("wire:urgent"));
  l = SplitHeadlineLabels("  BULLETIN  ");
  EXPECT_EQ(l.headline, "");
  EXPECT_TRUE(l.alert);
  EXPECT_THAT(l.signals, ElementsAre("wire:bulletin"));
  l = SplitHeadlineLabels("BREAKING NEWS: Quake hits Chile");
  EXPECT_EQ(l.headline, "Quake hits Chile");
  EXPECT_THAT(l.signals, ElementsAre("wire:breaking"));
}

TEST(SplitHeadlineLabelsTest, OnlyLabelsLeaveNoHeadline) {
  HeadlineLabels l = SplitHeadlineLabels("UPDATE 2-");
  EXPECT_EQ(l.headline, "");
  EXPECT_THAT(l.signals, ElementsAre("sig:update", "wire:update-2"));
  EXPECT_FALSE(l.alert);
  l = SplitHeadlineLabels("CORRECTED-");
  EXPECT_EQ(l.headline, "");
  EXPECT_THAT(l.signals, ElementsAre("sig:correction"));
  l = SplitHeadlineLabels("REFILE- ");
  EXPECT_EQ(l.headline, "");
  EXPECT_THAT(l.signals, ElementsAre("wire:refile"));
  l = SplitHeadlineLabels("RUGBY-");
  EXPECT_EQ(l.headline, "");
  EXPECT_EQ(l.slug, "RUGBY");
  EXPECT_THAT(l.signals, IsEmpty());
  l = SplitHeadlineLabels("REFILE-UPDATE 1-GLOBAL MARKETS-");
  EXPECT_EQ(l.headline, "");
  EXPECT_EQ(l.slug, "GLOBAL MARKETS");
  EXPECT_THAT(l.signals, ElementsAre("wire:refile", "sig:update", "wire:update-1"));
  // A short word alone stays a headline, as a short word before a capital does.
  l = SplitHeadlineLabels("UK-");
  EXPECT_EQ(l.headline, "UK-");
  EXPECT_EQ(l.slug, "");
}

TEST(SplitHeadlineLabelsTest, StackedLabelsAreAllTaken) {
  HeadlineLabels l = SplitHeadlineLabels("UPDATE 2-UPDATE 3-x");
  EXPECT_EQ(l.headline, "x");
  EXPECT_THAT(l.signals, ElementsAre("sig:update", "wire:update-2", "wire:update-3"));
  l = SplitHeadlineLabels("UPDATE 2-CORRECTED-REFILE-Oil rises");
  EXPECT_EQ(l.headline, "Oil rises");
  EXPECT_THAT(l.signals,
              ElementsAre("sig:update", "wire:update-2", "sig:correction", "wire:refile"));
  // Bounded: at most 8 labels come off.
  l = SplitHeadlineLabels("REFILE-REFILE-REFILE-REFILE-REFILE-REFILE-REFILE-REFILE-REFILE-Oil");
  EXPECT_EQ(l.headline, "REFILE-Oil");
  EXPECT_THAT(l.signals, ElementsAre("wire:refile"));
}

TEST(SplitHeadlineLabelsTest, RealHeadlinesAreLeftAlone) {
  for (const char* headline : {
           "Anti-war protest draws thousands in London",
           "U.S.-China talks resume in Geneva",
           "US-China talks resume in Geneva",
           "NATO-Russia council meets for first time in years",
           "COVID-19 cases rise again in Europe",
           "AI-Generated Images Flood Social Media",
           "UK-Based lender cuts jobs",
           "CIA-Backed rebels seize town",
           "NASA-Funded study finds water on Mars",
           "NASA-Mars Mission Delayed Again",
           "SPD-Krise: Auch die Vorsitzende wirft das Handtuch",
           "BASF-Chef tritt zum Jahresende zurück",
           "NATO-Gipfel beginnt in Vilnius",
           "EU-Kommission prüft die Übernahme",
           "CDU-Parteitag wählt neuen Vorstand",
           "ALERT-level raised after eruption",
           "X-Men sequel tops box office",
           "NON-FARM PAYROLLS RISE IN MARCH",
           "CANADA-EGYPT WHEAT NEGOTIATIONS TO CONTINUE",
           "BROWN-FORMAN INC <BFD> 4TH QTR NET",
           "FLASH FLOODS KILL 12 IN TEXAS",
           "FLASH ST PAUL HOGS UP 1.00/2.00 DLRS - USDA",
           "Flash floods kill 12 in Texas",
           "Update 2-oil rises",
           "UPDATE",
           "UPDATES TO FOLLOW",
           "Senate passes budget - officials",
       }) {
    const HeadlineLabels l = SplitHeadlineLabels(headline);
    EXPECT_EQ(l.headline, headline);
    EXPECT_EQ(l.slug, "") << headline;
    EXPECT_THAT(l.signals, IsEmpty()) << headline;
    EXPECT_FALSE(l.alert) << headline;
  }
}

TEST(AlertLabelLengthTest, OpensAParagraph) {
  std::string signal;
  EXPECT_EQ(AlertLabelLength("FLASH: WASHINGTON (AP) \xE2\x80\x94 The Senate voted.", &signal), 7u);
  EXPECT_EQ(signal, "wire:flash");
  EXPECT_EQ(AlertLabelLength("BULLETIN WASHINGTON (AP) \xE2\x80\x94 The Senate voted.", &signal),
            9u);
  EXPECT_EQ(signal, "wire:bulletin");
  EXPECT_EQ(AlertLabelLength("URGENT", &signal), 6u);
  signal.clear();
  EXPECT_EQ(AlertLabelLength("FLASH FLOODS KILL 12", &signal), 0u);
  EXPECT_EQ(AlertLabelLength("Flash floods hit the valley.", &signal), 0u);
  EXPECT_EQ(AlertLabelLength("UPDATE 2-Oil rises", &signal), 0u);  // not an alert label
  EXPECT_EQ(signal, "");
}

TEST(CountSentenceEndsTest, SentencesEndingWithPunctuation) {
  EXPECT_EQ(CountSentenceEnds("Talks collapse", 2), 0);
  EXPECT_EQ(CountSentenceEnds("Talks collapse.", 2), 1);
  EXPECT_EQ(CountSentenceEnds("Lavrov met Kerry. They discussed Syria.", 2), 2);
  EXPECT_EQ(CountSentenceEnds("Ann met Bob. Cy met Dan. Ed met Fay.", 2), 2);  // the limit
  EXPECT_EQ(CountSentenceEnds("Ann met Bob. Cy met Dan. Ed met Fay.", 5), 3);
  EXPECT_EQ(CountSentenceEnds("Ann met J. Smith", 2), 0);  // an initial
  EXPECT_EQ(CountSentenceEnds("Mr. Smith and Dr. Doe meet U.S. envoy at 5 p.m. today", 2), 0);
  EXPECT_EQ(CountSentenceEnds("Why now? \"Because.\" Then what!", 5), 3);
}

TEST(HeadlineFromFirstSentenceTest, FirstSentenceWithoutItsPeriod) {
  EXPECT_EQ(HeadlineFromFirstSentence(
                "The Senate voted 52-48 on Tuesday to confirm Mr. Smith. The vote was close."),
            "The Senate voted 52-48 on Tuesday to confirm Mr. Smith");
  EXPECT_EQ(HeadlineFromFirstSentence("U.S. stocks fell by 5 p.m. local time. Traders left."),
            "U.S. stocks fell by 5 p.m. local time");
  EXPECT_EQ(HeadlineFromFirstSentence("\"We will win,\" he said. Then he left."),
            "\"We will win,\" he said");
  EXPECT_EQ(HeadlineFromFirstSentence("He said: \"We will win.\" Then he left."),
            "He said: \"We will win.\"");
  EXPECT_EQ(HeadlineFromFirstSentence("Is it over? Nobody knows."), "Is it over?");
  EXPECT_EQ(HeadlineFromFirstSentence("Quake hits Chile"), "Quake hits Chile");
  EXPECT_EQ(HeadlineFromFirstSentence("  "), "");
}

TEST(HeadlineFromFirstSentenceTest, LongSentenceIsCutAtASpace) {
  std::string sentence;
  for (int i = 0; i < 40; ++i) sentence += "word ";  // 200 code points
  sentence += "end.";
  const std::string h = HeadlineFromFirstSentence(sentence);
  // 32 words of 5 code points fit in 160; the cut drops the space, then "…".
  std::string expected;
  for (int i = 0; i < 32; ++i) expected += i == 0 ? "word" : " word";
  EXPECT_EQ(h, expected + "\xE2\x80\xA6");
}

}  // namespace
}  // namespace newsd::stages
