// `newsd extract` (RunExtract): events on stdout; rejected files and inputs that are
// not articles on stderr, only the rejected ones counted as failures.
#include "pipeline/extract.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/stage_registry.h"

namespace newsd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// "SKIP" is not an article; "ITEMS ..." is one, beside an item that is not; "BAD"
// is rejected; anything else is an article.
class ExtractTestStage : public Stage {
 public:
  absl::string_view name() const override { return "test_extract"; }
  bool reads_payload() const override { return true; }
  absl::Status Process(v1::Article& article, const StageContext& ctx) const override {
    if (absl::StartsWith(ctx.payload, "SKIP")) {
      return NotAnArticle("test_kind", "a concept, not news");
    }
    if (absl::StartsWith(ctx.payload, "BAD")) return absl::InvalidArgumentError("bad input");
    if (absl::StartsWith(ctx.payload, "ITEMS")) {
      ctx.skipped_items->push_back(NotAnArticle("item_kind", "a planning item"));
    }
    article.set_text(std::string(ctx.payload));
    return absl::OkStatus();
  }
};
const StageRegistration kStage("test_extract",
                               [](const v1::StageConfig&) -> absl::StatusOr<StagePtr> {
                                 return StagePtr(new ExtractTestStage());
                               });

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/extract_test_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(RunExtractTest, InputsThatAreNotArticlesAreReportedNotFailed) {
  google::protobuf::RepeatedPtrField<v1::StageConfig> stages;
  stages.Add()->set_name("test_extract");
  absl::StatusOr<std::unique_ptr<Chain>> chain = Chain::Create(stages);
  ASSERT_TRUE(chain.ok()) << chain.status();
  const std::string skip = WriteFile("skip", "SKIP me");
  const std::string items = WriteFile("items", "ITEMS and an article");
  const std::string article = WriteFile("article", "An article");

  std::ostringstream out, err;
  EXPECT_EQ(RunExtract(**chain, {skip, items, article}, std::nullopt, false, out, err), 0);
  // Two events (none for the skipped file), each one JSON line.
  const std::vector<std::string> events = Lines(out.str());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(events[0], HasSubstr("\"text\":\"ITEMS and an article\""));
  EXPECT_THAT(events[1], HasSubstr("\"text\":\"An article\""));
  EXPECT_THAT(Lines(err.str()),
              ElementsAre(skip + ": skipped by stage test_extract: not an article (test_kind): "
                                 "a concept, not news",
                          items + ": skipped by stage test_extract: not an article (item_kind): "
                                  "a planning item"));

  // A rejected file still fails the run (exit status 1 in `newsd extract`).
  const std::string bad = WriteFile("bad", "BAD");
  std::ostringstream out2, err2;
  EXPECT_EQ(RunExtract(**chain, {bad, skip}, std::nullopt, false, out2, err2), 1);
  EXPECT_THAT(out2.str(), IsEmpty());
  EXPECT_THAT(Lines(err2.str()),
              ElementsAre(bad + ": stage test_extract: INVALID_ARGUMENT: bad input",
                          skip + ": skipped by stage test_extract: not an article (test_kind): "
                                 "a concept, not news"));
}

}  // namespace
}  // namespace newsd
