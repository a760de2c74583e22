#include "pipeline/cli_tools.h"

#include <librdkafka/rdkafkacpp.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/chain.h"
#include "pipeline/wire_format.h"
#include "pipeline/extract.h"
#include "pipeline/kafka_clients.h"
#include "pipeline/kafka_partition_list.h"
#include "pipeline/kafka_status.h"

namespace newsd {

absl::StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory"));
  }
  if (!absl::EndsWith(path, ".gz")) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read file"));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(gz, buf, sizeof(buf))) > 0) out.append(buf, n);
  int errnum = 0;
  const char* msg = gzerror(gz, &errnum);
  std::string error = (n < 0 && msg) ? msg : "";
  gzclose(gz);
  if (n < 0) return absl::InvalidArgumentError(absl::StrCat(path, ": gzip: ", error));
  return out;
}

std::vector<std::string> SplitReutersRecords(const std::string& sgml) {
  std::vector<std::string> records;
  size_t pos = 0;
  while ((pos = sgml.find("<REUTERS", pos)) != std::string::npos) {
    size_t end = sgml.find("</REUTERS>", pos);
    if (end == std::string::npos) {
      records.push_back(sgml.substr(pos));
      break;
    }
    end += sizeof("</REUTERS>") - 1;
    records.push_back(sgml.substr(pos, end - pos));
    pos = end;
  }
  return records;
}

absl::StatusOr<std::vector<OutboundMessage>> MessagesFromFiles(
    const std::vector<std::string>& files, const std::string& topic,
    const std::optional<std::string>& published_at, size_t limit) {
  std::vector<OutboundMessage> out;
  auto add = [&](std::string value, const std::string& key) {
    OutboundMessage m;
    m.topic = topic;
    m.key = key;
    m.value = std::move(value);
    if (published_at) m.headers.emplace_back("published-at", *published_at);
    out.push_back(std::move(m));
  };
  for (const std::string& path : files) {
    absl::StatusOr<std::string> bytes = ReadFileBytes(path);
    if (!bytes.ok()) return bytes.status();
    if (absl::EndsWith(path, ".sgm") || absl::EndsWith(path, ".sgm.gz")) {
      for (std::string& record : SplitReutersRecords(*bytes)) {
        if (limit && out.size() >= limit) return out;
        add(std::move(record), "");
        out.back().key.reset();  // no key: records spread over the partitions
      }
    } else {
      if (limit && out.size() >= limit) return out;
      add(*std::move(bytes), path);
    }
  }
  return out;
}

absl::Status ProduceAll(const std::string& brokers, const std::vector<OutboundMessage>& messages,
                        absl::Duration timeout, std::vector<Position>* positions) {
  absl::Status first_error;
  if (positions) positions->assign(messages.size(), Position{});
  absl::StatusOr<std::unique_ptr<KafkaSink>> sink = KafkaSink::Create(
      ToolProducerOptions(brokers), [&](KafkaSink::DeliveryReport report) {
        if (!report.status.ok() && first_error.ok()) first_error = report.status;
        if (positions && report.status.ok()) {
          (*positions)[reinterpret_cast<uintptr_t>(report.opaque)] = {report.partition,
                                                                      report.offset};
        }
      });
  if (!sink.ok()) return sink.status();
  // Fail fast when no broker answers (instead of queueing until the flush timeout).
  if (absl::Status s = (*sink)->CheckConnection(std::min(timeout, absl::Seconds(10))); !s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("no broker at ", brokers, " answered within 10 s: ", s.message()));
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (absl::Status s = (*sink)->Produce(messages[i], reinterpret_cast<void*>(i)); !s.ok()) {
      return s;
    }
    (*sink)->Poll(absl::ZeroDuration());
  }
  if (absl::Status s = (*sink)->Flush(timeout); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("delivery not confirmed within ",
                                               absl::FormatDuration(timeout),
                                               " (brokers unreachable?): ", s.message()));
  }
  return first_error;
}

absl::Status ConsumeAll(const std::string& brokers, const std::vector<std::string>& topics,
                        size_t max, absl::Duration idle_timeout,
                        const std::function<void(const ConsumedRecord&)>& on_record) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : ToolConsumerProperties(brokers)) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) return absl::InvalidArgumentError(err);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return absl::InvalidArgumentError(err);
  // Assign every partition from the beginning instead of joining a group.
  RdKafkaPartitionList assignment;
  for (const std::string& topic : topics) {
    std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
    RdKafka::Metadata* raw = nullptr;
    RdKafka::ErrorCode code = consumer->metadata(false, t.get(), &raw, 10000);
    std::unique_ptr<RdKafka::Metadata> md(raw);
    if (code != RdKafka::ERR_NO_ERROR) return KafkaStatus(code, absl::StrCat("metadata ", topic));
    for (const RdKafka::TopicMetadata* tm : *md->topics()) {
      for (const RdKafka::PartitionMetadata* pm : *tm->partitions()) {
        assignment.Add(topic, pm->id(), RdKafka::Topic::OFFSET_BEGINNING);
      }
    }
  }
  consumer->assign(assignment.get());
  size_t seen = 0;
  absl::Time last = absl::Now();
  while (seen < max && absl::Now() - last < idle_timeout) {
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(100));
    if (!msg || msg->err() == RdKafka::ERR__TIMED_OUT || msg->err() == RdKafka::ERR__PARTITION_EOF) {
      continue;
    }
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      return KafkaStatus(msg->err(), "consume");
    }
    last = absl::Now();
    ConsumedRecord r;
    r.topic = msg->topic_name();
    r.partition = msg->partition();
    r.offset = msg->offset();
    if (msg->key_pointer()) r.key = std::string(static_cast<const char*>(msg->key_pointer()), msg->key_len());
    if (msg->payload()) r.value = std::string(static_cast<const char*>(msg->payload()), msg->len());
    if (RdKafka::Headers* h = msg->headers()) {
      for (const auto& header : h->get_all()) {
        r.headers.emplace_back(header.key(),
                               header.value() ? std::string(static_cast<const char*>(header.value()),
                                                            header.value_size())
                                              : "");
      }
    }
    ++seen;
    on_record(r);
  }
  consumer->close();
  return absl::OkStatus();
}

std::string DescribeRecord(const ConsumedRecord& record, bool pretty) {
  const std::string* schema = FindHeader(record.headers, "schema");
  if (schema && *schema == "newsd.v1.ArticleEvent" && record.value) {
    v1::ArticleEvent event;
    std::optional<absl::string_view> bytes = StripSchemaRegistryFrame(*record.value);
    if (!bytes || !event.ParseFromArray(bytes->data(), static_cast<int>(bytes->size()))) {
      return "<unparseable ArticleEvent>";
    }
    absl::StatusOr<std::string> json = EventToJson(event, pretty);
    return json.ok() ? *json : json.status().ToString();
  }
  const bool dead_letter = FindHeader(record.headers, "newsd.errors.stage") != nullptr;
  if (!dead_letter) {
    // A tombstone of a retracted story, a changelog record, or another record.
    std::string out = absl::StrCat(record.value ? "record " : "tombstone ", record.topic, "[",
                                   record.partition, "]@", record.offset,
                                   ": key=", record.key.value_or("(none)"));
    for (const auto& [k, v] : record.headers) absl::StrAppend(&out, " ", k, "=", v);
    if (record.value) absl::StrAppend(&out, " value_bytes=", record.value->size());
    return out;
  }
  std::string out = absl::StrCat("dead letter ", record.topic, "[", record.partition, "]@",
                                 record.offset, ":");
  for (const auto& [k, v] : record.headers) {
    if (absl::StartsWith(k, "__connect.errors.") || absl::StartsWith(k, "newsd.errors.")) {
      absl::StrAppend(&out, " ", k, "=", v);
    }
  }
  absl::StrAppend(&out, " value_bytes=", record.value ? record.value->size() : 0,
                  record.value ? "" : " (null)");
  return out;
}

}  // namespace newsd
