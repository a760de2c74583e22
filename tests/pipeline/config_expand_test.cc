#include "pipeline/config_expand.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/config.h"

namespace newsd {
namespace {

using ::testing::HasSubstr;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A file in the test's temporary directory holding `content`; removed at the end.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = (std::filesystem::path(::testing::TempDir()) /
             ("config_expand_test_" + std::to_string(counter_++)))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(ConfigExpandTest, EnvironmentVariable) {
  auto env = FakeEnv({{"KAFKA_PASSWORD", "s3cr3t"}, {"EMPTY", ""}});
  EXPECT_EQ(*ExpandReferences("${KAFKA_PASSWORD}", "f", env), "s3cr3t");
  EXPECT_EQ(*ExpandReferences("pre-${KAFKA_PASSWORD}-post", "f", env), "pre-s3cr3t-post");
  EXPECT_EQ(*ExpandReferences("${KAFKA_PASSWORD}${KAFKA_PASSWORD}", "f", env), "s3cr3ts3cr3t");
  // Set but empty is an explicit choice (validation judges the value).
  EXPECT_EQ(*ExpandReferences("${EMPTY}", "f", env), "");
  // No references: unchanged, "$" alone is literal.
  EXPECT_EQ(*ExpandReferences("a$b $ {x} $", "f", env), "a$b $ {x} $");
}

TEST(ConfigExpandTest, ProcessEnvironment) {
  setenv("NEWSD_CONFIG_EXPAND_TEST", "from-env", 1);
  EXPECT_EQ(*ExpandReferences("${NEWSD_CONFIG_EXPAND_TEST}", "f"), "from-env");
  unsetenv("NEWSD_CONFIG_EXPAND_TEST");
  EXPECT_FALSE(ExpandReferences("${NEWSD_CONFIG_EXPAND_TEST}", "f").ok());
}

TEST(ConfigExpandTest, ExpandedValuesAreNotExpandedAgain) {
  auto env = FakeEnv({{"A", "${B}"}, {"B", "no"}});
  EXPECT_EQ(*ExpandReferences("${A}", "f", env), "${B}");
}

TEST(ConfigExpandTest, EscapeGivesALiteral) {
  auto env = FakeEnv({{"X", "value"}});
  EXPECT_EQ(*ExpandReferences("$${X}", "f", env), "${X}");
  EXPECT_EQ(*ExpandReferences("a$${X}b${X}", "f", env), "a${X}bvalue");
  // "$$" before anything but "{" stays as it is.
  EXPECT_EQ(*ExpandReferences("$$X", "f", env), "$$X");
  // An unterminated literal "${" is fine once escaped.
  EXPECT_EQ(*ExpandReferences("$${", "f", env), "${");
}

TEST(ConfigExpandTest, UnsetVariableIsAnErrorNamingFieldAndVariable) {
  absl::StatusOr<std::string> r =
      ExpandReferences("${KAFKA_PASSWORD}", "kafka.properties[\"sasl.password\"]", FakeEnv({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "kafka.properties[\"sasl.password\"]: environment variable KAFKA_PASSWORD is not set "
            "(referenced as ${KAFKA_PASSWORD})");
}

TEST(ConfigExpandTest, SyntaxErrors) {
  auto env = FakeEnv({{"X", "v"}});
  EXPECT_THAT(ExpandReferences("${X", "f", env).status().message(),
              HasSubstr("f: '${' at offset 0 has no closing '}'"));
  EXPECT_THAT(ExpandReferences("${}", "f", env).status().message(),
              HasSubstr("f: '${}' is not a reference"));
  EXPECT_THAT(ExpandReferences("${X:-default}", "f", env).status().message(),
              HasSubstr("f: '${X:-default}' is not a reference"));
  EXPECT_THAT(ExpandReferences("${1X}", "f", env).status().message(),
              HasSubstr("is not a reference"));
  EXPECT_THAT(ExpandReferences("${file:relative/path}", "f", env).status().message(),
              HasSubstr("f: ${file:relative/path}: the path must be absolute"));
}

TEST(ConfigExpandTest, FileContentWithOneTrailingNewlineStripped) {
  TempFile plain("hunter2");
  TempFile newline("hunter2\n");
  TempFile crlf("hunter2\r\n");
  TempFile two("hunter2\n\n");
  TempFile multi("line1\nline2\n");
  auto env = FakeEnv({});
  EXPECT_EQ(*ExpandReferences("${file:" + plain.path() + "}", "f", env), "hunter2");
  EXPECT_EQ(*ExpandReferences("${file:" + newline.path() + "}", "f", env), "hunter2");
  EXPECT_EQ(*ExpandReferences("${file:" + crlf.path() + "}", "f", env), "hunter2");
  EXPECT_EQ(*ExpandReferences("${file:" + two.path() + "}", "f", env), "hunter2\n");
  EXPECT_EQ(*ExpandReferences("<${file:" + multi.path() + "}>", "f", env), "<line1\nline2>");
}

TEST(ConfigExpandTest, MissingFileIsAnErrorNamingFieldAndPath) {
  absl::StatusOr<std::string> r =
      ExpandReferences("${file:/nonexistent/newsd/password}", "kafka.properties[\"sasl.password\"]",
                       FakeEnv({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "kafka.properties[\"sasl.password\"]: ${file:/nonexistent/newsd/password}: cannot "
            "read the file: No such file or directory");
  EXPECT_THAT(ExpandReferences("${file:/}", "f", FakeEnv({})).status().message(),
              HasSubstr("not a regular file"));
}

TEST(ConfigExpandTest, EveryStringFieldOfTheConfigIsExpanded) {
  absl::StatusOr<v1::PipelineConfig> c = ParseConfig(R"pb(
    kafka {
      brokers: "${BROKERS}"
      group_id: "g-${SUFFIX}"
      input_topics: "a"
      input_topics: "in-${SUFFIX}"
      properties { key: "sasl.username" value: "${USER}" }
      properties { key: "sasl.password" value: "${PASSWORD}" }
      consumer_properties { key: "client.rack" value: "${SUFFIX}" }
      producer_properties { key: "ssl.key.password" value: "${PASSWORD}" }
    }
    metrics_address: "${METRICS}"
    stages { name: "decode" options { key: "x" value: "$${literal}" } }
    stages { name: "${SUFFIX}" options { key: "y" value: "${SUFFIX}" } }
  )pb");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(ExpandConfigReferences(*c, FakeEnv({{"BROKERS", "k1:9092,k2:9092"},
                                                  {"SUFFIX", "eu"},
                                                  {"USER", "newsd"},
                                                  {"PASSWORD", "pw"},
                                                  {"METRICS", ":9464"}}))
                  .ok());
  EXPECT_EQ(c->kafka().brokers(), "k1:9092,k2:9092");
  EXPECT_EQ(c->kafka().group_id(), "g-eu");
  EXPECT_EQ(c->kafka().input_topics(0), "a");
  EXPECT_EQ(c->kafka().input_topics(1), "in-eu");
  EXPECT_EQ(c->kafka().properties().at("sasl.username"), "newsd");
  EXPECT_EQ(c->kafka().properties().at("sasl.password"), "pw");
  EXPECT_EQ(c->kafka().consumer_properties().at("client.rack"), "eu");
  EXPECT_EQ(c->kafka().producer_properties().at("ssl.key.password"), "pw");
  EXPECT_EQ(c->metrics_address(), ":9464");
  EXPECT_EQ(c->stages(0).options().at("x"), "${literal}");
  EXPECT_EQ(c->stages(1).name(), "eu");
  EXPECT_EQ(c->stages(1).options().at("y"), "eu");
}

TEST(ConfigExpandTest, ErrorsInNestedFieldsNameTheirPath) {
  absl::StatusOr<v1::PipelineConfig> c = ParseConfig(R"pb(
    kafka { properties { key: "sasl.password" value: "${NOPE}" } }
  )pb");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(ExpandConfigReferences(*c, FakeEnv({})).message(),
              HasSubstr("kafka.properties[\"sasl.password\"]: environment variable NOPE is not set"));
  c = ParseConfig(R"pb(kafka { input_topics: "a" input_topics: "${NOPE}" })pb");
  EXPECT_THAT(ExpandConfigReferences(*c, FakeEnv({})).message(),
              HasSubstr("kafka.input_topics[1]: environment variable NOPE"));
  c = ParseConfig(R"pb(stages { name: "decode" } stages { name: "story" options { key: "window" value: "${NOPE}" } })pb");
  EXPECT_THAT(ExpandConfigReferences(*c, FakeEnv({})).message(),
              HasSubstr("stages[1].options[\"window\"]: environment variable NOPE"));
}

TEST(ConfigExpandTest, LoadConfigExpandsAndNeverEchoesTheSecret) {
  TempFile password("topsecret-value\n");
  TempFile config(R"pb(
    kafka {
      brokers: "${NEWSD_TEST_BROKERS}"
      properties { key: "security.protocol" value: "SASL_PLAINTEXT" }
      properties { key: "sasl.mechanism" value: "PLAIN" }
      properties { key: "sasl.username" value: "${NEWSD_TEST_USER}" }
      properties { key: "sasl.password" value: "${file:)pb" +
                  password.path() + R"pb(}" }
    }
  )pb");
  setenv("NEWSD_TEST_BROKERS", "k1:9092", 1);
  setenv("NEWSD_TEST_USER", "newsd", 1);
  absl::StatusOr<v1::PipelineConfig> c = LoadConfig(config.path());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kafka().brokers(), "k1:9092");
  EXPECT_EQ(c->kafka().properties().at("sasl.username"), "newsd");
  EXPECT_EQ(c->kafka().properties().at("sasl.password"), "topsecret-value");
  EXPECT_EQ(c->kafka().output_topic(), "news.events");  // defaults still applied

  unsetenv("NEWSD_TEST_USER");
  absl::Status s = LoadConfig(config.path()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            config.path() +
                ": kafka.properties[\"sasl.username\"]: environment variable NEWSD_TEST_USER is "
                "not set (referenced as ${NEWSD_TEST_USER})");
  unsetenv("NEWSD_TEST_BROKERS");
}

}  // namespace
}  // namespace newsd
