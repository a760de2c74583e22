// Fakes of the broker-facing interfaces of the committers (pipeline/committer.h):
// they record the calls and answer with scripted statuses.
#ifndef NEWSD_TESTS_PIPELINE_COMMITTER_FAKES_H_
#define NEWSD_TESTS_PIPELINE_COMMITTER_FAKES_H_

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/committer.h"

namespace newsd {

// Pops the next scripted status (OK when none is left).
inline absl::Status Next(std::deque<absl::Status>& script) {
  if (script.empty()) return absl::OkStatus();
  absl::Status s = script.front();
  script.pop_front();
  return s;
}

class FakeOffsetStore : public OffsetStore {
 public:
  absl::Status Commit(const CommitOffsets& offsets, bool sync) override {
    commits.push_back(offsets);
    syncs.push_back(sync);
    return Next(commit_results);
  }
  std::deque<absl::Status> commit_results;
  std::vector<CommitOffsets> commits;
  std::vector<bool> syncs;
};

class FakeAcknowledgingProducer : public AcknowledgingProducer {
 public:
  absl::Status CheckConnection(absl::Duration) override {
    calls.push_back("check_connection");
    return absl::OkStatus();
  }
  absl::Status Flush(absl::Duration timeout) override {
    calls.push_back(absl::StrCat("flush ", absl::FormatDuration(timeout)));
    return absl::OkStatus();
  }
  std::vector<std::string> calls;
};

class FakeProducer : public TransactionalProducer {
 public:
  absl::Status InitTransactions(absl::Duration) override {
    calls.push_back("init");
    return absl::OkStatus();
  }
  absl::Status BeginTransaction() override {
    calls.push_back("begin");
    return Next(begin_results);
  }
  absl::Status SendOffsets(const CommitOffsets& offsets, absl::Duration) override {
    calls.push_back("send_offsets");
    sent.push_back(offsets);
    return Next(send_results);
  }
  absl::Status CommitTransaction(absl::Duration) override {
    calls.push_back("commit");
    return Next(commit_results);
  }
  absl::Status AbortTransaction(absl::Duration) override {
    calls.push_back("abort");
    return Next(abort_results);
  }
  std::optional<absl::Status> FatalError() const override { return fatal; }

  std::deque<absl::Status> begin_results, send_results, commit_results, abort_results;
  std::optional<absl::Status> fatal;
  std::vector<std::string> calls;
  std::vector<CommitOffsets> sent;
};

}  // namespace newsd

#endif  // NEWSD_TESTS_PIPELINE_COMMITTER_FAKES_H_
