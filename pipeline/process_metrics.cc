#include "pipeline/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace newsd {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "btime <seconds>" from /proc/stat: boot time since the epoch.
double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) {
      double v = 0;
      if (absl::SimpleAtod(absl::string_view(line).substr(6), &v)) return v;
    }
  }
  return 0;
}

double CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  double n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor of the directory stream itself
}

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(m);
  return f;
}

}  // namespace

bool ParseProcStat(absl::string_view stat, double ticks_per_second, double page_size,
                   double boot_time_seconds, ProcessStats* out) {
  const size_t close = stat.rfind(')');
  if (close == absl::string_view::npos) return false;
  // Field 3 (state) is the first after ") ".
  std::vector<absl::string_view> f =
      absl::StrSplit(stat.substr(close + 1), ' ', absl::SkipEmpty());
  // f[0] = field 3; field N is f[N - 3].
  if (f.size() < 22) return false;
  double utime, stime, threads, start, vsize, rss;
  if (!absl::SimpleAtod(f[14 - 3], &utime) || !absl::SimpleAtod(f[15 - 3], &stime) ||
      !absl::SimpleAtod(f[20 - 3], &threads) || !absl::SimpleAtod(f[22 - 3], &start) ||
      !absl::SimpleAtod(f[23 - 3], &vsize) || !absl::SimpleAtod(f[24 - 3], &rss)) {
    return false;
  }
  if (ticks_per_second <= 0) return false;
  out->cpu_seconds = (utime + stime) / ticks_per_second;
  out->threads = threads;
  out->start_time_seconds = boot_time_seconds + start / ticks_per_second;
  out->virtual_memory_bytes = vsize;
  out->resident_memory_bytes = rss * page_size;
  return true;
}

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  ParseProcStat(ReadFile("/proc/self/stat"), static_cast<double>(sysconf(_SC_CLK_TCK)),
                static_cast<double>(sysconf(_SC_PAGESIZE)), BootTimeSeconds(), &stats);
  // VmRSS in /proc/self/status is the kernel's own figure in kB; prefer it.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    double kb = 0;
    absl::string_view l(line);
    if (l.rfind("VmRSS:", 0) == 0 || l.rfind("VmSize:", 0) == 0) {
      absl::string_view v = absl::StripAsciiWhitespace(l.substr(l.find(':') + 1));
      v = v.substr(0, v.find(' '));
      if (absl::SimpleAtod(v, &kb)) {
        (l[2] == 'R' ? stats.resident_memory_bytes : stats.virtual_memory_bytes) = kb * 1024;
      }
    }
  }
  stats.open_fds = CountOpenFds();
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    stats.max_fds = static_cast<double>(lim.rlim_cur);
  }
  return stats;
}

std::vector<prometheus::MetricFamily> ProcessMetricFamilies(const ProcessStats& s) {
  using prometheus::MetricType;
  return {
      Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             MetricType::Counter, s.cpu_seconds),
      Family("process_resident_memory_bytes", "Resident memory size in bytes.",
             MetricType::Gauge, s.resident_memory_bytes),
      Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
             s.virtual_memory_bytes),
      Family("process_start_time_seconds",
             "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
             s.start_time_seconds),
      Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
             s.open_fds),
      Family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
             s.max_fds),
      Family("process_threads", "Number of OS threads in the process.", MetricType::Gauge,
             s.threads),
  };
}

void AppendProcessMetrics(std::vector<prometheus::MetricFamily>* families) {
  for (prometheus::MetricFamily& f : ProcessMetricFamilies(ReadProcessStats())) {
    families->push_back(std::move(f));
  }
}

}  // namespace newsd
