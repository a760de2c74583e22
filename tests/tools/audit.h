// Delivery audit: reads a run's input, output and dead-letter topics (read_committed)
// and says, per input message, whether its output is missing or repeated.
#ifndef NEWSD_TESTS_TOOLS_AUDIT_H_
#define NEWSD_TESTS_TOOLS_AUDIT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace newsd {

struct AuditReport {
  uint64_t inputs = 0;        // messages in the input topic
  uint64_t events = 0;        // ArticleEvents read (duplicates included)
  uint64_t dead_letters = 0;  // dead letters read (duplicates included)
  // Tombstones (null values) on the output topic: retracted stories, not events.
  uint64_t tombstones = 0;
  // Inputs with neither an event nor a dead letter, null-value inputs aside.
  uint64_t lost = 0;
  // Null-value inputs (tombstones) with neither an event nor a dead letter: newsd
  // skips them as not articles (decode option not_articles "skip"), they are not
  // lost. (Other inputs a stage skips, such as NewsML-G2 conceptItems, count as
  // lost here: the audit cannot tell them from the bytes.)
  uint64_t skipped_tombstones = 0;
  // Outputs beyond the first per input: a repeated event (same input position and
  // article id: fan-out articles of one input are distinct), a repeated dead
  // letter, or a dead letter for an input that also has an event.
  uint64_t duplicated = 0;
  // Outputs whose input position is not in the input topic (should be 0).
  uint64_t unknown = 0;

  // "inputs=N events=E dead_letters=D lost=L duplicated=U skipped_tombstones=T"
  std::string ToString() const;
};

// Reads every topic from the beginning until `idle_timeout` passes without a new
// record. Events are matched by Article.source (partition, offset); dead letters by
// their __connect.errors.partition/offset headers. Errors: kUnavailable when the
// brokers cannot be read, kInvalidArgument for an unparseable output record.
absl::StatusOr<AuditReport> Audit(const std::string& brokers, const std::string& input_topic,
                                  const std::string& output_topic,
                                  const std::string& dead_letter_topic,
                                  absl::Duration idle_timeout = absl::Seconds(10));

}  // namespace newsd

#endif  // NEWSD_TESTS_TOOLS_AUDIT_H_
