#include "pipeline/stage_options.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "newsd/v1/config.pb.h"
#include "newsd/v1/decode_options.pb.h"
#include "newsd/v1/story_options.pb.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

v1::StageConfig Parse(const std::string& text) {
  v1::StageConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config)) << text;
  return config;
}

TEST(StageOptionsTest, DefaultsComeFromTheDescriptor) {
  v1::DecodeStageOptions o;
  o.set_max_bytes(5);  // cleared by Resolve
  ASSERT_TRUE(ResolveStageOptions(Parse(R"pb(name: "decode")pb"), o).ok());
  EXPECT_EQ(o.max_bytes(), 8u << 20);
  EXPECT_EQ(o.oversize(), "reject");
  EXPECT_EQ(o.max_text_bytes(), 2u << 20);
  EXPECT_EQ(o.xml_max_depth(), 100u);
  EXPECT_DOUBLE_EQ(o.max_invalid_ratio(), 0.2);
  EXPECT_EQ(o.not_articles(), "skip");
  // Every field is set after resolving.
  for (int i = 0; i < o.GetDescriptor()->field_count(); ++i) {
    EXPECT_TRUE(o.GetReflection()->HasField(o, o.GetDescriptor()->field(i)))
        << o.GetDescriptor()->field(i)->name();
  }
}

TEST(StageOptionsTest, MapAndTypedFormsGiveTheSameMessage) {
  v1::DecodeStageOptions from_map, from_typed;
  ASSERT_TRUE(ResolveStageOptions(Parse(R"pb(name: "decode"
                                             options { key: "max_bytes" value: "1024" }
                                             options { key: "oversize" value: "truncate" }
                                             options { key: "max_invalid_ratio" value: "0.5" })pb"),
                                  from_map)
                  .ok());
  ASSERT_TRUE(ResolveStageOptions(
                  Parse(R"pb(name: "decode"
                             decode { max_bytes: 1024 oversize: "truncate" max_invalid_ratio: 0.5 })pb"),
                  from_typed)
                  .ok());
  EXPECT_EQ(from_map.max_bytes(), 1024u);
  EXPECT_EQ(from_map.oversize(), "truncate");
  EXPECT_DOUBLE_EQ(from_map.max_invalid_ratio(), 0.5);
  EXPECT_EQ(from_map.SerializeAsString(), from_typed.SerializeAsString());
}

TEST(StageOptionsTest, MapErrorsNameTheKey) {
  v1::DecodeStageOptions o;
  EXPECT_EQ(ResolveStageOptions(
                Parse(R"pb(name: "decode" options { key: "max_bytes" value: "lots" })pb"), o)
                .message(),
            "options[\"max_bytes\"]: expected an integer in [1, 1073741824], got \"lots\"");
  EXPECT_EQ(ResolveStageOptions(
                Parse(R"pb(name: "decode" options { key: "max_invalid_ratio" value: "2" })pb"), o)
                .message(),
            "options[\"max_invalid_ratio\"]: expected a number in [0, 1], got \"2\"");
  EXPECT_EQ(ResolveStageOptions(
                Parse(R"pb(name: "decode" options { key: "oversize" value: "drop" })pb"), o)
                .message(),
            "options[\"oversize\"]: expected \"reject\" or \"truncate\", got \"drop\"");
  absl::Status unknown = ResolveStageOptions(
      Parse(R"pb(name: "decode" options { key: "colour" value: "blue" })pb"), o);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(),
              HasSubstr("options[\"colour\"]: unknown option for stage 'decode'; known: "
                        "max_bytes, oversize, max_text_bytes"));
  v1::StoryStageOptions s;
  EXPECT_EQ(ResolveStageOptions(
                Parse(R"pb(name: "story" options { key: "window" value: "soon" })pb"), s)
                .message(),
            "options[\"window\"]: expected a positive duration such as \"72h\", got \"soon\"");
  EXPECT_THAT(ResolveStageOptions(
                  Parse(R"pb(name: "story" options { key: "retention" value: "-1h" })pb"), s)
                  .message(),
              HasSubstr("options[\"retention\"]: expected a positive duration"));
}

TEST(StageOptionsTest, TypedErrorsNameTheFieldPath) {
  v1::DecodeStageOptions o;
  absl::Status s = ResolveStageOptions(Parse(R"pb(name: "decode" decode { max_bytes: 0 })pb"), o);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "decode.max_bytes: expected an integer in [1, 1073741824], got \"0\"");
  EXPECT_EQ(ResolveStageOptions(Parse(R"pb(name: "decode" decode { oversize: "x" })pb"), o)
                .message(),
            "decode.oversize: expected \"reject\" or \"truncate\", got \"x\"");
  EXPECT_EQ(ResolveStageOptions(Parse(R"pb(name: "decode" decode { xml_max_depth: 7 })pb"), o)
                .message(),
            "decode.xml_max_depth: expected an integer in [8, 256], got \"7\"");
  v1::StoryStageOptions story;
  EXPECT_EQ(ResolveStageOptions(Parse(R"pb(name: "story" story { threshold: 0 })pb"), story)
                .message(),
            "story.threshold: expected a number in [0.01, 1], got \"0\"");
}

TEST(StageOptionsTest, FormsAreNotMixedAndMatchTheStage) {
  v1::DecodeStageOptions o;
  absl::Status both = ResolveStageOptions(
      Parse(R"pb(name: "decode" decode { max_bytes: 10 }
                 options { key: "max_bytes" value: "10" })pb"),
      o);
  EXPECT_EQ(both.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(both.message(), HasSubstr("decode: give the options either typed or as"));
  absl::Status other =
      ResolveStageOptions(Parse(R"pb(name: "segment" decode { max_bytes: 10 })pb"), o);
  EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(other.message(), "decode: options for stage 'decode' given to stage 'segment'");
}

TEST(StageOptionsTest, MapErrorsFollowFieldOrder) {
  // Two bad keys: the first in field order is reported, whatever the map's order.
  v1::DecodeStageOptions o;
  EXPECT_THAT(ResolveStageOptions(Parse(R"pb(name: "decode"
                                             options { key: "not_articles" value: "x" }
                                             options { key: "max_bytes" value: "x" })pb"),
                                  o)
                  .message(),
              HasSubstr("options[\"max_bytes\"]"));
}

TEST(StageOptionsTest, DescriptorChecks) {
  EXPECT_TRUE(CheckOptionsDescriptor(*v1::DecodeStageOptions::descriptor()).ok());
  EXPECT_TRUE(CheckOptionsDescriptor(*v1::StoryStageOptions::descriptor()).ok());
  // Not an options message: `name` has no presence and no default.
  absl::Status bad = CheckOptionsDescriptor(*v1::StageConfig::descriptor());
  EXPECT_EQ(bad.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(bad.message(), HasSubstr("newsd.v1.StageConfig.name"));
  EXPECT_EQ(OptionDefault(*v1::StoryStageOptions::descriptor()->FindFieldByName("window")),
            "72h");
}

TEST(StageOptionsTest, ParseHelpers) {
  EXPECT_EQ(*ParseUint64Option("x", "42", 1, 100), 42u);
  EXPECT_EQ(ParseUint64Option("x", "-1", 0, 100).status().message(),
            "x: expected an integer in [0, 100], got \"-1\"");
  EXPECT_DOUBLE_EQ(*ParseDoubleOption("y", "0.25", 0, 1), 0.25);
  EXPECT_FALSE(ParseDoubleOption("y", "inf", 0, 1e300).ok());
}

}  // namespace
}  // namespace newsd
