#include "tests/integration/testing.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <librdkafka/rdkafkacpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"

namespace newsd {

std::string Bootstrap() {
  const char* b = std::getenv("NEWSD_KAFKA_BOOTSTRAP");
  return b ? b : "127.0.0.1:19092";
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

double Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (absl::StartsWith(line, series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Sum of the samples of `metric` (any labels) in a Prometheus text exposition.
double MetricSum(const std::string& text, const std::string& metric) {
  double sum = 0;
  size_t pos = 0;
  while ((pos = text.find("\n" + metric, pos)) != std::string::npos) {
    pos += 1;
    size_t eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol - pos);
    char next = line.size() > metric.size() ? line[metric.size()] : ' ';
    if (next != '{' && next != ' ') continue;  // a longer metric name
    double v = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &v)) sum += v;
  }
  return sum;
}

DaemonProcess::DaemonProcess(const std::string& config, const std::string& log,
                             const std::vector<std::string>& extra_args) {
  const std::string bin = std::string(NEWSD_BINARY_DIR) + "/newsd";
  std::vector<std::string> args = {bin, "run", "--config", config};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Kill(SIGKILL);
}

int DaemonProcess::Kill(int sig, absl::Duration timeout) {
  {
    kill(pid_, sig);
    const absl::Time deadline = absl::Now() + timeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (absl::Now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        status = -1;
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    pid_ = -1;
    return status;
  }
}

Offsets QueryOffsets(const std::string& group, const std::string& topic, int partitions) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", Bootstrap(), err);
  conf->set("group.id", group, err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> tps;
  for (int p = 0; p < partitions; ++p) tps.push_back(RdKafka::TopicPartition::create(topic, p));
  Offsets out;
  if (c->committed(tps, 10000) == RdKafka::ERR_NO_ERROR) {
    for (auto* tp : tps) out.committed[tp->partition()] = tp->offset();
  }
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    c->query_watermark_offsets(topic, p, &low, &high, 10000);
    out.end[p] = high;
  }
  RdKafka::TopicPartition::destroy(tps);
  c->close();
  return out;
}

bool CaughtUp(const Offsets& offsets) {
  if (offsets.end.empty()) return false;
  for (const auto& [p, end] : offsets.end) {
    auto it = offsets.committed.find(p);
    if (it == offsets.committed.end() || it->second != end) return false;
  }
  return true;
}

}  // namespace newsd
