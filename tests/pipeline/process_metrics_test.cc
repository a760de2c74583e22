#include "pipeline/process_metrics.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace newsd {
namespace {

TEST(ProcessMetricsTest, ParsesProcStatWithSpacesAndParensInTheName) {
  // Fields 14/15 utime/stime = 250/50 ticks, 20 threads = 7, 22 starttime = 1000
  // ticks, 23 vsize = 123456789, 24 rss = 1000 pages.
  const char* stat =
      "4242 (news d) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 1000 "
      "123456789 1000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  ProcessStats s;
  ASSERT_TRUE(ParseProcStat(stat, 100, 4096, 1700000000, &s));
  EXPECT_DOUBLE_EQ(s.cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(s.threads, 7);
  EXPECT_DOUBLE_EQ(s.start_time_seconds, 1700000010);
  EXPECT_DOUBLE_EQ(s.virtual_memory_bytes, 123456789);
  EXPECT_DOUBLE_EQ(s.resident_memory_bytes, 4096000);
  EXPECT_FALSE(ParseProcStat("garbage", 100, 4096, 0, &s));
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  ProcessStats s = ReadProcessStats();
  EXPECT_GT(s.resident_memory_bytes, 1 << 20);
  EXPECT_GT(s.virtual_memory_bytes, s.resident_memory_bytes);
  EXPECT_GE(s.threads, 1);
  EXPECT_GE(s.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(s.start_time_seconds, 1.5e9);
  std::vector<prometheus::MetricFamily> f = ProcessMetricFamilies(s);
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f[0].name, "process_cpu_seconds_total");
  EXPECT_EQ(f[0].type, prometheus::MetricType::Counter);
  EXPECT_EQ(f[1].name, "process_resident_memory_bytes");
  EXPECT_DOUBLE_EQ(f[1].metric.at(0).gauge.value, s.resident_memory_bytes);
}

}  // namespace
}  // namespace newsd
