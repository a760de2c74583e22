// RefusedOutputs: which inputs had an output refused by the broker as too large,
// and which smaller form their outputs take next, so that a refusal never loops.
//
// A record is refused as too large when it exceeds the producer's message.max.bytes
// (librdkafka refuses it at produce time) or the topic's max.message.bytes (the
// broker refuses it; in exactly-once mode that makes the transaction abortable, the
// input is consumed and processed again after the abort). Each refusal moves the
// input one step down this ladder, and its next attempt produces that form only:
//
//   kNormal                  the chain's outputs (events, tombstone, changelog records)
//   kDeadLetter              a dead letter with the original key, value and headers
//                            (stage "publish" when it was the event that was refused)
//   kDeadLetterWithoutValue  the same without the value
//                            (header newsd.errors.value_omitted_bytes: its size, bytes)
//   kHeadersOnly             the error headers only: no value, no original headers
//                            (header newsd.errors.headers_omitted: their count)
//   kNothing                 nothing is produced; the offset is committed and the
//                            input stays in its topic at the logged offset
//
// The broker refuses a whole record batch: records that would fit on their own are
// refused with the oversized one they were batched with. Such a "batch casualty" is
// produced again in the same form, at most kMaxCasualtyRetries times per input
// (then it moves down like any refused output, so nothing can loop).
//
// Not thread-safe: owned by the daemon's loop thread. Entries are dropped when the
// input's offset is committed or its partition is revoked.
#ifndef NEWSD_PIPELINE_REFUSED_OUTPUTS_H_
#define NEWSD_PIPELINE_REFUSED_OUTPUTS_H_

#include <cstdint>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "pipeline/topic_partition.h"

namespace newsd {

enum class OutputForm { kNormal, kDeadLetter, kDeadLetterWithoutValue, kHeadersOnly, kNothing };

// "normal", "dead_letter", "dead_letter_without_value", "headers_only", "nothing"
// (the `fallback` label of newsd_outputs_refused_total).
absl::string_view OutputFormName(OutputForm form);

// True when `status` (from KafkaSink::Produce or a delivery report) says the record
// was too large: librdkafka's or the broker's MSG_SIZE_TOO_LARGE or
// RECORD_LIST_TOO_LARGE (see KafkaErrorCode in kafka_status.h).
bool IsRecordTooLarge(const absl::Status& status);

class RefusedOutputs {
 public:
  struct Entry {
    OutputForm form = OutputForm::kNormal;  // the form of the next attempt
    // The first refusal (the dead letter's reason when the event was refused).
    absl::Status first_refusal;
    // A changelog record of the input was refused: its state changes are not
    // produced again (the in-memory store keeps them until a restart).
    bool changelog_refused = false;
    int casualty_retries = 0;  // batch casualties produced again in the same form
  };
  static constexpr int kMaxCasualtyRetries = 3;

  // The entry of the input at `tp`/`offset`; form kNormal if nothing was refused.
  Entry Get(const TopicPartition& tp, int64_t offset) const;
  // Records that an output of form `refused` was refused with `status`; returns the
  // form of the next attempt: one step below `refused`, never above a form already
  // recorded for the input; `refused` itself for a `batch_casualty` (the record fits
  // its topic on its own) until kMaxCasualtyRetries.
  OutputForm Refuse(const TopicPartition& tp, int64_t offset, OutputForm refused,
                    const absl::Status& status, bool changelog, bool batch_casualty = false);
  // Drops the entries of `tp` below `next_offset` (committed).
  void Committed(const TopicPartition& tp, int64_t next_offset);
  // Drops every entry of `tp` (revoked or lost).
  void Forget(const TopicPartition& tp);
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::pair<TopicPartition, int64_t>, Entry> entries_;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_REFUSED_OUTPUTS_H_
