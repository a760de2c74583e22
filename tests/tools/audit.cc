#include "tests/tools/audit.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "newsd/v1/event.pb.h"
#include "pipeline/chain.h"
#include "pipeline/cli_tools.h"

namespace newsd {

std::string AuditReport::ToString() const {
  return absl::StrCat("inputs=", inputs, " events=", events, " dead_letters=", dead_letters,
                      " lost=", lost, " duplicated=", duplicated,
                      " skipped_tombstones=", skipped_tombstones);
}

absl::StatusOr<AuditReport> Audit(const std::string& brokers, const std::string& input_topic,
                                  const std::string& output_topic,
                                  const std::string& dead_letter_topic,
                                  absl::Duration idle_timeout) {
  using Position = std::pair<int32_t, int64_t>;
  std::set<Position> inputs, null_inputs;
  if (absl::Status s = ConsumeAll(brokers, {input_topic}, SIZE_MAX, idle_timeout,
                                  [&](const ConsumedRecord& r) {
                                    inputs.insert({r.partition, r.offset});
                                    if (!r.value) null_inputs.insert({r.partition, r.offset});
                                  });
      !s.ok()) {
    return s;
  }
  std::map<std::tuple<int32_t, int64_t, std::string>, int> events;  // (pos, article id)
  std::map<Position, int> event_inputs, dead_inputs;
  AuditReport report;
  absl::Status parse_error;
  absl::Status s = ConsumeAll(
      brokers, {output_topic, dead_letter_topic}, SIZE_MAX, idle_timeout,
      [&](const ConsumedRecord& r) {
        if (r.topic == output_topic) {
          if (!r.value) {
            ++report.tombstones;
            return;
          }
          ++report.events;
          v1::ArticleEvent e;
          if (!e.ParseFromString(*r.value)) {
            parse_error = absl::InvalidArgumentError(
                absl::StrCat("unparseable event at ", r.topic, "[", r.partition, "]@", r.offset));
            return;
          }
          const v1::Source& src = e.article().source();
          ++events[{src.partition(), src.offset(), e.article().id()}];
          ++event_inputs[{src.partition(), src.offset()}];
        } else {
          ++report.dead_letters;
          const std::string* p = FindHeader(r.headers, "__connect.errors.partition");
          const std::string* o = FindHeader(r.headers, "__connect.errors.offset");
          Position pos;
          if (!p || !o || !absl::SimpleAtoi(*p, &pos.first) || !absl::SimpleAtoi(*o, &pos.second)) {
            parse_error = absl::InvalidArgumentError(absl::StrCat(
                "dead letter without position headers at ", r.partition, "@", r.offset));
            return;
          }
          ++dead_inputs[pos];
        }
      });
  if (!s.ok()) return s;
  if (!parse_error.ok()) return parse_error;
  report.inputs = inputs.size();
  for (const auto& [key, n] : events) report.duplicated += n - 1;
  for (const auto& [pos, n] : dead_inputs) {
    report.duplicated += n - 1;
    if (event_inputs.count(pos)) report.duplicated += n;  // both an event and a dead letter
  }
  for (const Position& pos : inputs) {
    if (event_inputs.count(pos) || dead_inputs.count(pos)) continue;
    ++(null_inputs.count(pos) ? report.skipped_tombstones : report.lost);
  }
  for (const auto& [pos, n] : event_inputs) report.unknown += !inputs.count(pos);
  for (const auto& [pos, n] : dead_inputs) report.unknown += !inputs.count(pos);
  return report;
}

}  // namespace newsd
