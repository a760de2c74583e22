// Helpers for the real-broker integration tests: the broker's address, the newsd
// binary as a subprocess, HTTP scrapes of /metrics, committed/end offsets.
#ifndef NEWSD_TESTS_INTEGRATION_TESTING_H_
#define NEWSD_TESTS_INTEGRATION_TESTING_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/tools/http_get.h"  // HttpGet

namespace newsd {

// NEWSD_KAFKA_BOOTSTRAP (set by ctest from NEWSD_KAFKA_PORT), else 127.0.0.1:19092.
std::string Bootstrap();

// A free TCP port on 127.0.0.1 (bound and released).
int FreePort();

// The whole content of the file at `path` ("" if it cannot be read).
std::string ReadAll(const std::string& path);

// The value of the sample `series` (name and labels, as exposed, e.g.
// `newsd_transactions_total{result="fenced"}`) in a Prometheus text exposition;
// 0 when absent.
double Sample(const std::string& text, const std::string& series);

// Sum of the samples of `metric` (any labels) in a Prometheus text exposition.
double MetricSum(const std::string& text, const std::string& metric);

// `newsd run --config CONFIG [extra args]` as a child process, stdout and stderr
// appended to `log`. Killed with SIGKILL when destroyed if still running.
class DaemonProcess {
 public:
  DaemonProcess(const std::string& config, const std::string& log,
                const std::vector<std::string>& extra_args = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Sends `sig` and waits for the exit (SIGKILL after `timeout`); the wait status,
  // or -1 if it had to be killed.
  int Kill(int sig, absl::Duration timeout = absl::Seconds(60));
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

struct Offsets {
  std::map<int32_t, int64_t> committed;  // per partition; negative if none
  std::map<int32_t, int64_t> end;        // high watermark per partition
};

// Committed offsets of `group` and end offsets of `topic` (partitions 0..n-1).
Offsets QueryOffsets(const std::string& group, const std::string& topic, int partitions);

// True when every partition's committed offset equals its end offset.
bool CaughtUp(const Offsets& offsets);

}  // namespace newsd

#endif  // NEWSD_TESTS_INTEGRATION_TESTING_H_
