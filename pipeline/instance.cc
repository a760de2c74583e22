#include "pipeline/instance.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "pipeline/config.h"

namespace newsd {

std::string DefaultTransactionalId(const v1::PipelineConfig& config, absl::string_view instance) {
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  std::string id = absl::StrCat(config.kafka().group_id(), "-", host);
  std::string metrics_host;
  int port = 0;
  if (!instance.empty()) {
    absl::StrAppend(&id, "-", instance);
  } else if (!config.metrics_address().empty() &&
             ParseHostPort(config.metrics_address(), &metrics_host, &port).ok() && port > 0) {
    absl::StrAppend(&id, "-", port);
  }
  return id;
}

std::string DefaultLockDirectory() {
  for (const char* name : {"RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR"}) {
    const char* value = std::getenv(name);
    // systemd passes a colon-separated list when a unit has several.
    if (value != nullptr && *value != '\0') {
      std::string dir(value);
      return dir.substr(0, dir.find(':'));
    }
  }
  return "/tmp";
}

absl::StatusOr<InstanceLock> InstanceLock::Acquire(const std::string& directory,
                                                   const std::string& transactional_id) {
  std::string name = transactional_id;
  for (char& c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      c = '_';
    }
  }
  const std::string path = absl::StrCat(directory, "/newsd-", name, ".lock");
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("instance lock ", path, ": ", std::strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {0};
    const ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
    close(fd);
    if (err == EWOULDBLOCK) {
      return absl::AlreadyExistsError(absl::StrCat(
          "another newsd instance", n > 0 ? absl::StrCat(" (pid ", absl::StripAsciiWhitespace(pid), ")") : "",
          " on this host runs with transactional.id '", transactional_id,
          "' (lock ", path, "); instances with the same id fence each other: give each one "
          "its own --instance NAME, metrics port or --transactional-id"));
    }
    return absl::UnavailableError(absl::StrCat("instance lock ", path, ": ", std::strerror(err)));
  }
  const std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) == 0) (void)!pwrite(fd, pid.data(), pid.size(), 0);
  return InstanceLock(path, fd);
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock; the file stays (no unlink race)
}

}  // namespace newsd
