// The stages' registrations (stages/*/register.cc): options defaults against the
// stages' own option structs, the contracts of the real chains, the stage metrics,
// the README's option table against the protos, and every example config.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "newsd/v1/decode_options.pb.h"
#include "newsd/v1/entities_options.pb.h"
#include "newsd/v1/language_options.pb.h"
#include "newsd/v1/quotes_options.pb.h"
#include "newsd/v1/segment_options.pb.h"
#include "newsd/v1/story_options.pb.h"
#include "newsd/v1/times_options.pb.h"
#include "pipeline/chain.h"
#include "pipeline/declared_stage.h"
#include "pipeline/stage_options.h"
#include "pipeline/stage_registry.h"
#include "stages/decode/decode.h"
#include "stages/entities/entities.h"
#include "stages/language/language.h"
#include "stages/quotes/quotes.h"
#include "stages/segment/segment.h"
#include "stages/story/story.h"
#include "stages/times/times.h"

namespace newsd::stages {
namespace {

using ::testing::HasSubstr;

const char* const kStages[] = {"decode", "segment", "language", "entities",
                               "quotes", "times",   "story"};

// The options of `name` with every default.
template <typename Options>
Options Defaults(const char* name) {
  v1::StageConfig config;
  config.set_name(name);
  Options o;
  EXPECT_TRUE(ResolveStageOptions(config, o).ok());
  return o;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(StageRegistrationTest, EveryStageIsTypedWithItsOwnOptionsMessage) {
  for (const char* name : kStages) {
    const google::protobuf::Descriptor* d = StageRegistry::Global().OptionsDescriptor(name);
    ASSERT_NE(d, nullptr) << name;
    // StageConfig's typed field of that name has that type.
    const google::protobuf::FieldDescriptor* f =
        v1::StageConfig::descriptor()->FindFieldByName(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->message_type(), d) << name;
    EXPECT_TRUE(CheckOptionsDescriptor(*d).ok()) << CheckOptionsDescriptor(*d);
  }
}

// The proto defaults are the ones the stages had (and their structs still have).
TEST(StageRegistrationTest, ProtoDefaultsEqualTheStageStructDefaults) {
  const DecodeOptions decode;
  const auto d = Defaults<v1::DecodeStageOptions>("decode");
  EXPECT_EQ(d.max_bytes(), decode.max_bytes);
  EXPECT_EQ(d.oversize(), "reject");
  EXPECT_EQ(decode.oversize, DecodeOptions::Oversize::kReject);
  EXPECT_EQ(d.max_text_bytes(), decode.text.max_text_bytes);
  EXPECT_EQ(d.max_paragraphs(), decode.text.max_paragraphs);
  EXPECT_EQ(d.max_items(), decode.limits.max_items);
  EXPECT_EQ(d.xml_max_depth(), static_cast<uint64_t>(decode.limits.xml_max_depth));
  EXPECT_EQ(d.json_max_depth(), static_cast<uint64_t>(decode.limits.json_max_depth));
  EXPECT_EQ(d.charset_min_confidence(),
            static_cast<uint64_t>(decode.limits.charset.min_detect_confidence));
  EXPECT_DOUBLE_EQ(d.max_invalid_ratio(), decode.limits.charset.max_invalid_ratio);
  EXPECT_EQ(d.not_articles(), "skip");
  EXPECT_EQ(decode.not_articles, DecodeOptions::NotArticles::kSkip);

  const SegmentOptions segment;
  EXPECT_EQ(Defaults<v1::SegmentStageOptions>("segment").locale(), segment.locale);
  EXPECT_EQ(Defaults<v1::SegmentStageOptions>("segment").abbreviations(), "");
  EXPECT_TRUE(segment.extra_abbreviations.empty());

  const LanguageOptions language;
  EXPECT_DOUBLE_EQ(Defaults<v1::LanguageStageOptions>("language").min_confidence(),
                   language.min_confidence);
  EXPECT_DOUBLE_EQ(Defaults<v1::LanguageStageOptions>("language").secondary_min_share(),
                   language.secondary_min_share);

  const EntitiesOptions entities;
  const auto e = Defaults<v1::EntitiesStageOptions>("entities");
  EXPECT_EQ(e.min_city_population(), entities.min_city_population);
  EXPECT_DOUBLE_EQ(e.min_confidence(), entities.min_confidence);
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(e.languages(), ',')), entities.languages);

  EXPECT_EQ(Defaults<v1::QuotesStageOptions>("quotes").scare_max_words(),
            QuotesOptions().scare_max_words);
  EXPECT_EQ(std::vector<std::string>(
                absl::StrSplit(Defaults<v1::TimesStageOptions>("times").languages(), ',')),
            TimesOptions().languages);

  const StoryOptions story;
  const auto s = Defaults<v1::StoryStageOptions>("story");
  EXPECT_DOUBLE_EQ(s.threshold(), story.threshold);
  EXPECT_DOUBLE_EQ(s.version_threshold(), story.version_threshold);
  EXPECT_EQ(s.shingle_words(), static_cast<uint64_t>(story.shingle_words));
  absl::Duration window, retention;
  ASSERT_TRUE(absl::ParseDuration(s.window(), &window));
  ASSERT_TRUE(absl::ParseDuration(s.retention(), &retention));
  EXPECT_EQ(window, story.index.window);
  EXPECT_EQ(retention, story.index.retention);
  EXPECT_EQ(s.lsh_bands(), static_cast<uint64_t>(story.index.lsh_bands));
  EXPECT_EQ(s.lsh_rows(), static_cast<uint64_t>(story.index.lsh_rows));
}

TEST(StageRegistrationTest, TypedAndMapFormsBuildTheSameStory) {
  v1::StageConfig typed, untyped;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(name: "story" story { window: "24h" retention: "48h" lsh_bands: 20 lsh_rows: 5 })pb",
      &typed));
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(name: "story" options { key: "window" value: "24h" }
           options { key: "retention" value: "48h" }
           options { key: "lsh_bands" value: "20" } options { key: "lsh_rows" value: "5" })pb",
      &untyped));
  for (const v1::StageConfig* config : {&typed, &untyped}) {
    absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(*config);
    ASSERT_TRUE(stage.ok()) << stage.status();
    const auto& declared = static_cast<const DeclaredStage&>(**stage);
    const auto& story = static_cast<const StoryStage&>(declared.stage());
    EXPECT_EQ(story.options().index.window, absl::Hours(24));
    EXPECT_EQ(story.options().index.retention, absl::Hours(48));
    EXPECT_EQ(story.options().index.lsh_bands, 20);
    EXPECT_EQ(story.options().index.lsh_rows, 5);
  }
  // Checks across fields stay in the factory, for both forms.
  typed.mutable_story()->set_lsh_rows(100);
  EXPECT_THAT(StageRegistry::Global().Create(typed).status().message(),
              HasSubstr("at most 1024 hashes"));
}

TEST(StageRegistrationTest, ContractsOfTheFullChain) {
  google::protobuf::RepeatedPtrField<v1::StageConfig> stages;
  for (const char* name : kStages) stages.Add()->set_name(name);
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(stages);
  ASSERT_TRUE(chain.ok()) << chain.status();
  // Every NLP stage needs the text, which only decode provides.
  for (const char* name : kStages) {
    if (std::string(name) == "decode") continue;
    google::protobuf::RepeatedPtrField<v1::StageConfig> alone;
    alone.Add()->set_name(name);
    absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(alone[0]);
    ASSERT_TRUE(stage.ok()) << name;
    EXPECT_THAT((*stage)->Requires(), ::testing::Contains("article.text")) << name;
    EXPECT_FALSE((*stage)->Provides().empty()) << name;
  }
}

TEST(StageRegistrationTest, StageMetricsCountPerArticle) {
  google::protobuf::RepeatedPtrField<v1::StageConfig> stages;
  for (const char* name : {"decode", "segment", "language", "entities", "quotes"}) {
    stages.Add()->set_name(name);
  }
  InMemoryStageMetrics metrics;
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(stages, &metrics);
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(metrics.Value("newsd_stage_entities_entities_total"), 0);
  EXPECT_EQ(metrics.Value("newsd_stage_quotes_without_speaker_total"), 0);
  EXPECT_EQ(metrics.Value("newsd_stage_language_undetermined_total"), 0);

  RawMessage m;
  m.key = "a.txt";
  m.value =
      "MOSCOW (Reuters) - Russian Foreign Minister Sergey Lavrov met German Chancellor "
      "Angela Merkel in Berlin on Monday. \"We agreed on nothing,\" Lavrov told reporters. "
      "A banner outside read \"Peace now, talks later, no more sanctions on anyone here\".";
  ChainResult r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value()) << r.failure->status;
  const v1::Article& a = r.event.article();
  ASSERT_GT(a.entities_size(), 0);
  int without_speaker = 0;
  for (const v1::Quote& q : a.quotes()) without_speaker += q.speaker().empty();
  ASSERT_GT(a.quotes_size(), 0);
  EXPECT_EQ(metrics.Value("newsd_stage_entities_entities_total"), a.entities_size());
  EXPECT_EQ(metrics.Value("newsd_stage_quotes_without_speaker_total"), without_speaker);
  EXPECT_EQ(metrics.Value("newsd_stage_language_undetermined_total"), 0);
  const int entities = a.entities_size();  // `a` dies with `r` below

  m.value = "12345 67890 ...";  // no letters: language "und", no entities, no quotes
  r = (*chain)->Run(m, absl::Now());
  ASSERT_FALSE(r.failure.has_value()) << r.failure->status;
  EXPECT_EQ(r.event.article().language(), "und");
  EXPECT_EQ(metrics.Value("newsd_stage_language_undetermined_total"), 1);
  EXPECT_EQ(metrics.Value("newsd_stage_entities_entities_total"), entities);
}

// "8 MiB" → "8388608", "72h" → "72h", "`reject`/`truncate`" → "reject", "100: deeper…" → "100".
std::string ReadmeDefault(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::StartsWith(text, "`")) {
    return std::string(absl::StripPrefix(text.substr(0, text.find('`', 1)), "`"));
  }
  text = text.substr(0, text.find(':'));
  uint64_t n = 0;
  if (absl::ConsumeSuffix(&text, " MiB") && absl::SimpleAtoi(text, &n)) {
    return absl::StrCat(n << 20);
  }
  return std::string(text);
}

// The README's table of stages lists every option of each stage's proto and gives
// its default as the proto does; no option that the proto lacks.
TEST(StageRegistrationTest, ReadmeOptionTableMatchesTheProtos) {
  const std::string readme = ReadFile(absl::StrCat(NEWSD_SOURCE_DIR, "/README.md"));
  ASSERT_FALSE(readme.empty());
  for (const char* name : kStages) {
    const std::string row_start = absl::StrCat("| `", name, "` |");
    const size_t at = readme.find(row_start);
    ASSERT_NE(at, std::string::npos) << name;
    const std::string row = readme.substr(at, readme.find('\n', at) - at);
    // The last cell: the options.
    std::vector<std::string> cells = absl::StrSplit(row, " | ");
    const std::string options = cells.back();
    const google::protobuf::Descriptor* d = StageRegistry::Global().OptionsDescriptor(name);
    std::map<std::string, std::string> readme_defaults;  // option → default text, if given
    // Entries: `a` (x), `b`, `c`/`d` (x/y).
    std::vector<absl::string_view> names;
    for (size_t i = 0; i < options.size();) {
      if (options[i] != '`') {
        ++i;
        continue;
      }
      const size_t end = options.find('`', i + 1);
      names.push_back(absl::string_view(options).substr(i + 1, end - i - 1));
      i = end + 1;
      if (i < options.size() && options[i] == '/') continue;  // `a`/`b`
      if (options.compare(i, 2, " (") == 0) {
        // The default(s) of the names collected since the last one that had one.
        size_t depth = 0, close = i + 1;
        for (; close < options.size(); ++close) {
          if (options[close] == '(') ++depth;
          if (options[close] == ')' && --depth == 0) break;
        }
        const std::string inside = options.substr(i + 2, close - i - 2);
        std::vector<std::string> parts =
            names.size() > 1 ? std::vector<std::string>(absl::StrSplit(inside, '/'))
                             : std::vector<std::string>{inside};
        for (size_t k = 0; k < names.size() && k < parts.size(); ++k) {
          readme_defaults[std::string(names[k])] = ReadmeDefault(parts[k]);
        }
        i = close + 1;
      }
      for (absl::string_view n : names) readme_defaults.emplace(std::string(n), "");
      names.clear();
    }
    std::set<std::string> proto_names;
    for (int i = 0; i < d->field_count(); ++i) {
      const google::protobuf::FieldDescriptor& f = *d->field(i);
      proto_names.insert(f.name());
      ASSERT_TRUE(readme_defaults.count(f.name())) << name << ": README lacks " << f.name();
      const std::string& documented = readme_defaults[f.name()];
      if (documented.empty()) continue;  // no default written
      // Option values inside the parentheses (`skip`/`dead_letter`) are not a default
      // unless they start it.
      EXPECT_EQ(documented, OptionDefault(f)) << name << "." << f.name();
    }
    for (const auto& [option, value] : readme_defaults) {
      EXPECT_TRUE(proto_names.count(option)) << name << ": README names unknown " << option;
    }
  }
}

// Every config in the repository builds its chain (the README's examples are
// checked by the deploy tests through `newsd validate-config`).
TEST(StageRegistrationTest, ExampleConfigsBuild) {
  for (const char* file : {"deploy/newsd.textproto", "deploy/compose/newsd.textproto"}) {
    v1::PipelineConfig config;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        ReadFile(absl::StrCat(NEWSD_SOURCE_DIR, "/", file)), &config))
        << file;
    ASSERT_GT(config.stages_size(), 0) << file;
    absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(config.stages());
    EXPECT_TRUE(chain.ok()) << file << ": " << chain.status();
  }
}

}  // namespace
}  // namespace newsd::stages
