// The records newsd writes (pipeline/wire_format.h): events, Schema Registry
// framing, dead letters and changelog records. No broker.
#include "pipeline/wire_format.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "pipeline/changelog.h"

namespace newsd {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(MakeDeadLetterTest, KeepsTheOriginalAndAddsWellFormedErrorHeaders) {
  RawMessage m;
  m.topic = "news.raw";
  m.partition = 3;
  m.offset = 17;
  m.key = "k\xff";
  m.value = "payload \xff";
  m.headers = {{"content-type", "text/plain; charset=\xfe"}};
  ChainFailure failure{"decode", absl::InvalidArgumentError("unknown charset '\xfe'")};
  OutboundMessage out = MakeDeadLetter(m, failure, "news.dlq");
  EXPECT_EQ(out.topic, "news.dlq");
  EXPECT_EQ(*out.key, m.key);  // bytes, verbatim
  EXPECT_EQ(*out.value, m.value);
  EXPECT_THAT(out.headers, Contains(Pair("content-type", "text/plain; charset=\xfe")));
  EXPECT_THAT(out.headers, Contains(Pair("__connect.errors.partition", "3")));
  EXPECT_THAT(out.headers, Contains(Pair("__connect.errors.offset", "17")));
  EXPECT_THAT(out.headers, Contains(Pair("newsd.errors.code", "INVALID_ARGUMENT")));
  EXPECT_THAT(out.headers, Contains(Pair("__connect.errors.exception.message",
                                         "unknown charset '\uFFFD'")));
}

// The smaller forms a dead letter takes after the broker refused a larger one.
TEST(MakeDeadLetterTest, SmallerFormsDropTheValueThenTheOriginalHeaders) {
  RawMessage m;
  m.topic = "news.raw";
  m.partition = 1;
  m.offset = 5;
  m.key = "story-1";
  m.value = std::string(6000, 'x');
  m.headers = {{"content-type", "text/plain"}, {"big", std::string(3000, 'h')}};
  ChainFailure failure{"decode", absl::InvalidArgumentError(std::string(5000, 'e'))};

  OutboundMessage without_value =
      MakeDeadLetter(m, failure, "dlq", OutputForm::kDeadLetterWithoutValue);
  EXPECT_FALSE(without_value.value.has_value());
  EXPECT_EQ(*without_value.key, "story-1");
  EXPECT_THAT(without_value.headers, Contains(Pair("big", m.headers[1].second)));
  EXPECT_THAT(without_value.headers, Contains(Pair("newsd.errors.value_omitted_bytes", "6000")));

  OutboundMessage minimal = MakeDeadLetter(m, failure, "dlq", OutputForm::kHeadersOnly);
  EXPECT_FALSE(minimal.value.has_value());
  EXPECT_EQ(*minimal.key, "story-1");
  size_t bytes = 0;
  for (const auto& [name, value] : minimal.headers) {
    EXPECT_NE(name, "big");
    EXPECT_NE(name, "content-type");
    bytes += name.size() + value.size();
  }
  EXPECT_LT(bytes, 1500u);  // fits a dead-letter topic with max.message.bytes=2000
  EXPECT_THAT(minimal.headers, Contains(Pair("newsd.errors.headers_omitted", "2")));
  EXPECT_THAT(minimal.headers, Contains(Pair("newsd.errors.value_omitted_bytes", "6000")));
  EXPECT_THAT(minimal.headers, Contains(Pair("__connect.errors.offset", "5")));
  EXPECT_THAT(minimal.headers, Contains(Pair("newsd.errors.stage", "decode")));

  m.key = std::string(300, 'k');  // a long key goes too
  OutboundMessage keyless = MakeDeadLetter(m, failure, "dlq", OutputForm::kHeadersOnly);
  EXPECT_FALSE(keyless.key.has_value());
  EXPECT_THAT(keyless.headers, Contains(Pair("newsd.errors.key_omitted_bytes", "300")));
}

// A consumer keeping the latest value per key must end with the newest version:
// a stale (older, late) version is not published under the story key.
TEST(MakeEventMessageTest, StaleVersionsAreNeverKeyedByTheStory) {
  // A wire item's article id is its guid, and the story id is the first guid: the
  // same string for every version of a one-guid story.
  v1::ArticleEvent newest;
  newest.mutable_article()->set_id("urn:x:1");
  newest.mutable_article()->mutable_source()->set_topic("news.raw");
  newest.mutable_article()->mutable_source()->set_partition(2);
  newest.mutable_article()->mutable_source()->set_offset(40);
  newest.mutable_article()->mutable_story()->set_story_id("urn:x:1");
  newest.mutable_article()->mutable_story()->set_version(3);
  v1::ArticleEvent stale = newest;
  stale.mutable_article()->mutable_source()->set_offset(41);
  stale.mutable_article()->mutable_story()->set_version(2);
  stale.mutable_article()->mutable_story()->set_stale(true);
  std::map<std::string, uint32_t> latest;  // a compacted topic: the last value per key
  for (const v1::ArticleEvent* e : {&newest, &stale}) {
    const OutboundMessage m = MakeEventMessage(*e, "out");
    latest[*m.key] = e->article().story().version();
  }
  EXPECT_EQ(latest["urn:x:1"], 3u);
  EXPECT_EQ(latest["urn:x:1/stale/news.raw/2/41"], 2u);
  // Outside Kafka (extract): the article id instead of the position.
  stale.mutable_article()->clear_source();
  EXPECT_EQ(*MakeEventMessage(stale, "out").key, "urn:x:1/stale/urn:x:1");
}

TEST(SchemaRegistryTest, Framing) {
  v1::ArticleEvent event;
  event.mutable_article()->set_id("a/0/1");
  event.set_pipeline_version("x");
  const std::string plain = *MakeEventMessage(event, "out").value;
  EXPECT_EQ(plain, event.SerializeAsString());
  EXPECT_EQ(StripSchemaRegistryFrame(plain), absl::string_view(plain));

  const OutboundMessage framed = MakeEventMessage(event, "out", 0x01020304);
  // Magic 0, schema id 0x01020304, message indexes [1] (ArticleEvent is the second
  // message of event.proto, after StageTiming): count 1 → zigzag 2, index 1 → 2.
  EXPECT_EQ(framed.value->substr(0, 7), std::string("\x00\x01\x02\x03\x04\x02\x02", 7));
  EXPECT_EQ(framed.value->substr(7), plain);
  EXPECT_EQ(*framed.key, "a/0/1");
  ASSERT_TRUE(StripSchemaRegistryFrame(*framed.value).has_value());
  EXPECT_EQ(*StripSchemaRegistryFrame(*framed.value), absl::string_view(plain));
  // An explicit index list [2, 1] (count 2 → zigzag 4; 2 → 4; 1 → 2).
  const std::string explicit_indexes = std::string("\x00\x00\x00\x00\x07\x04\x04\x02", 8) + plain;
  EXPECT_EQ(*StripSchemaRegistryFrame(explicit_indexes), absl::string_view(plain));
  EXPECT_EQ(StripSchemaRegistryFrame(std::string("\x00\x00\x00", 3)), std::nullopt);
}

// The index path comes from the descriptor: top-level index in the file, then
// nested-type indexes; [0] is the single byte 0.
TEST(SchemaRegistryTest, MessageIndexes) {
  EXPECT_EQ(v1::ArticleEvent::descriptor()->file()->message_type(1), v1::ArticleEvent::descriptor());
  EXPECT_EQ(SchemaRegistryMessageIndexes(*v1::ArticleEvent::descriptor()), std::string("\x02\x02", 2));
  EXPECT_EQ(SchemaRegistryMessageIndexes(*v1::StageTiming::descriptor()), std::string("\x00", 1));
  EXPECT_EQ(SchemaRegistryMessageIndexes(*v1::HeldEvent::descriptor()), std::string("\x02\x04", 2));

  // m0 … m69 top level; m1 has nested n0, n1 { o0 }.
  google::protobuf::FileDescriptorProto file;
  file.set_name("t.proto");
  file.set_package("t");
  for (int i = 0; i < 70; ++i) file.add_message_type()->set_name(absl::StrCat("m", i));
  google::protobuf::DescriptorProto* m1 = file.mutable_message_type(1);
  m1->add_nested_type()->set_name("n0");
  m1->add_nested_type()->set_name("n1");
  m1->mutable_nested_type(1)->add_nested_type()->set_name("o0");
  google::protobuf::DescriptorPool pool;
  ASSERT_NE(pool.BuildFile(file), nullptr);
  auto indexes = [&](const std::string& name) {
    const google::protobuf::Descriptor* d = pool.FindMessageTypeByName(name);
    EXPECT_NE(d, nullptr) << name;
    return d == nullptr ? std::string("?") : SchemaRegistryMessageIndexes(*d);
  };
  EXPECT_EQ(indexes("t.m0"), std::string("\x00", 1));
  EXPECT_EQ(indexes("t.m2"), std::string("\x02\x04", 2));
  // [1, 1, 0]: count 3 → 6, then 2, 2, 0.
  EXPECT_EQ(indexes("t.m1.n1.o0"), std::string("\x06\x02\x02\x00", 4));
  // [1, 0]: count 2 → 4, then 2, 0 (a first nested message is not the [0] shortcut).
  EXPECT_EQ(indexes("t.m1.n0"), std::string("\x04\x02\x00", 3));
  // Index 64 → zigzag 128: a two-byte varint.
  EXPECT_EQ(indexes("t.m64"), std::string("\x02\x80\x01", 3));
  // What StripSchemaRegistryFrame skips is exactly these bytes.
  const std::string framed = std::string("\x00\x00\x00\x00\x01", 5) + indexes("t.m1.n1.o0") + "xyz";
  EXPECT_EQ(StripSchemaRegistryFrame(framed), absl::string_view("xyz"));
  const std::string framed64 = std::string("\x00\x00\x00\x00\x01", 5) + indexes("t.m64") + "xyz";
  EXPECT_EQ(StripSchemaRegistryFrame(framed64), absl::string_view("xyz"));
}

// A state change's record: keyed by store and key, tagged with the writing
// instance, its value verbatim (bytes, not text).
TEST(MakeChangelogRecordTest, KeyValueAndInstanceHeader) {
  const std::string value("v\x00\xff", 3);
  const OutboundMessage out = MakeChangelogRecord("app.changelog", "abc-42", "seen", "k1", value);
  EXPECT_EQ(out.topic, "app.changelog");
  ASSERT_TRUE(out.key.has_value());
  EXPECT_EQ(*out.key, ChangelogKey("seen", "k1"));
  ASSERT_TRUE(out.value.has_value());
  EXPECT_EQ(*out.value, value);
  EXPECT_THAT(out.headers, ElementsAre(Pair(kChangelogInstanceHeader, "abc-42")));
  EXPECT_EQ(out.partition, -1);  // partitioned by key, like the reader expects
}

// A deleted key is a tombstone (null value), still keyed and tagged.
TEST(MakeChangelogRecordTest, DeletionIsATombstone) {
  const OutboundMessage out = MakeChangelogRecord("c", "me", "held", "story-7", std::nullopt);
  EXPECT_FALSE(out.value.has_value());
  EXPECT_EQ(*out.key, ChangelogKey("held", "story-7"));
  EXPECT_THAT(out.headers, ElementsAre(Pair(kChangelogInstanceHeader, "me")));
}

// Stores share one topic: the same key in two stores gives two distinct record keys.
TEST(MakeChangelogRecordTest, StoresDoNotCollide) {
  EXPECT_NE(*MakeChangelogRecord("c", "i", "seen", "x", "1").key,
            *MakeChangelogRecord("c", "i", "held", "x", "1").key);
}

}  // namespace
}  // namespace newsd
