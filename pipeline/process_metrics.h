// Process metrics in the names every Prometheus client library uses
// (process_cpu_seconds_total, process_resident_memory_bytes, ...), read from
// /proc/self at scrape time. prometheus-cpp has no process collector.
#ifndef NEWSD_PIPELINE_PROCESS_METRICS_H_
#define NEWSD_PIPELINE_PROCESS_METRICS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "prometheus/metric_family.h"

namespace newsd {

struct ProcessStats {
  double cpu_seconds = 0;           // utime + stime
  double resident_memory_bytes = 0; // VmRSS
  double virtual_memory_bytes = 0;  // VmSize
  double start_time_seconds = 0;    // since the Unix epoch
  double open_fds = 0;
  double max_fds = 0;               // RLIMIT_NOFILE soft limit
  double threads = 0;
};

// Parses /proc/<pid>/stat text: utime, stime (fields 14, 15, in clock ticks),
// starttime (field 22, ticks after boot), vsize (23), rss (24, pages), num_threads
// (20). The command name (field 2) may contain spaces and parentheses: fields are
// counted after the last ')'. False if the text is malformed.
bool ParseProcStat(absl::string_view stat, double ticks_per_second, double page_size,
                   double boot_time_seconds, ProcessStats* out);

// Reads the current process's figures (Linux). Fields it cannot read stay 0.
ProcessStats ReadProcessStats();

// The families process_cpu_seconds_total (counter), process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds,
// process_max_fds, process_threads (gauges).
std::vector<prometheus::MetricFamily> ProcessMetricFamilies(const ProcessStats& stats);

// Appends ProcessMetricFamilies(ReadProcessStats()) to `families` (for /metrics).
void AppendProcessMetrics(std::vector<prometheus::MetricFamily>* families);

}  // namespace newsd

#endif  // NEWSD_PIPELINE_PROCESS_METRICS_H_
