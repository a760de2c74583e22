#include "pipeline/stage_registry.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "newsd/v1/quotes_options.pb.h"
#include "pipeline/chain.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

// A typed test stage reading the payload, with the quotes options message (any
// options message would do): it copies the payload and counts the articles whose
// text is longer than scare_max_words bytes.
class LongStage : public Stage {
 public:
  absl::string_view name() const override { return "test_typed"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    article.set_text(std::string(ctx.payload));
    return absl::OkStatus();
  }
};

uint64_t g_last_limit = 0;

absl::StatusOr<BuiltStage> CreateTyped(const v1::QuotesStageOptions& o,
                                       const StageMetrics& metrics) {
  g_last_limit = o.scare_max_words();
  StageCounter* longer = metrics.Counter("long_total", "Articles over the limit.");
  const uint64_t limit = o.scare_max_words();
  return BuiltStage(std::make_unique<LongStage>(), [longer, limit](const v1::Article& a) {
    if (a.text().size() > limit) longer->Add(1);
  });
}

const TypedStageRegistration<v1::QuotesStageOptions> kTyped(
    "test_typed", StageContract{{}, {"article.text"}}, &CreateTyped);

const StageRegistration kUntyped("test_untyped", [](const v1::StageConfig&)
                                                     -> absl::StatusOr<StagePtr> {
  return StagePtr(new LongStage());
});

v1::StageConfig Parse(const std::string& text) {
  v1::StageConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config)) << text;
  return config;
}

TEST(StageRegistryTest, TypedStageGetsResolvedOptionsContractAndMetrics) {
  InMemoryStageMetrics metrics;
  absl::StatusOr<StagePtr> stage = StageRegistry::Global().Create(
      Parse(R"pb(name: "test_typed" options { key: "scare_max_words" value: "4" })pb"), metrics);
  ASSERT_TRUE(stage.ok()) << stage.status();
  EXPECT_EQ(g_last_limit, 4u);
  EXPECT_EQ((*stage)->name(), "test_typed");
  EXPECT_TRUE((*stage)->reads_payload());
  EXPECT_THAT((*stage)->Provides(), ::testing::ElementsAre("article.text"));
  EXPECT_TRUE((*stage)->Requires().empty());
  v1::Article article;
  StageContext ctx;
  ctx.payload = "short";
  ASSERT_TRUE((*stage)->Process(article, ctx).ok());
  ctx.payload = "abc";
  ASSERT_TRUE((*stage)->Process(article, ctx).ok());
  EXPECT_EQ(metrics.Value("newsd_stage_test_typed_long_total"), 1);

  // The default comes from the descriptor.
  ASSERT_TRUE(StageRegistry::Global().Create(Parse(R"pb(name: "test_typed")pb")).ok());
  EXPECT_EQ(g_last_limit, 3u);
}

TEST(StageRegistryTest, TypedStageErrors) {
  absl::StatusOr<StagePtr> bad = StageRegistry::Global().Create(
      Parse(R"pb(name: "test_typed" options { key: "scare_max_words" value: "99" })pb"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "options[\"scare_max_words\"]: expected an integer in [1, 20], got \"99\"");
  absl::StatusOr<StagePtr> typed_to_untyped = StageRegistry::Global().Create(
      Parse(R"pb(name: "test_untyped" quotes { scare_max_words: 2 })pb"));
  EXPECT_EQ(typed_to_untyped.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(typed_to_untyped.status().message(),
              HasSubstr("stage 'test_untyped' takes no typed options"));
}

TEST(StageRegistryTest, NamesAndDescriptors) {
  std::vector<std::string> names = StageRegistry::Global().Names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_THAT(names, ::testing::IsSupersetOf({"test_typed", "test_untyped"}));
  EXPECT_EQ(StageRegistry::Global().OptionsDescriptor("test_typed"),
            v1::QuotesStageOptions::descriptor());
  EXPECT_EQ(StageRegistry::Global().OptionsDescriptor("test_untyped"), nullptr);
  EXPECT_EQ(StageRegistry::Global().OptionsDescriptor("nope"), nullptr);
}

TEST(StageRegistryTest, ChainPassesItsMetricsBackendToTheStages) {
  InMemoryStageMetrics metrics;
  google::protobuf::RepeatedPtrField<v1::StageConfig> stages;
  *stages.Add() =
      Parse(R"pb(name: "test_typed" options { key: "scare_max_words" value: "2" })pb");
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(stages, &metrics);
  ASSERT_TRUE(chain.ok()) << chain.status();
  RawMessage m;
  m.value = "long enough";
  (*chain)->Run(m, absl::Now());
  (*chain)->Run(m, absl::Now());
  EXPECT_EQ(metrics.Value("newsd_stage_test_typed_long_total"), 2);
}

}  // namespace
}  // namespace newsd
