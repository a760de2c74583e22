// Identity of one running `newsd run` process: its default transactional.id, and a
// host-local lock that refuses a second live process with the same id.
//
// Exactly-once needs one transactional.id per running instance, stable across that
// instance's restarts (the restarted process fences its predecessor and aborts the
// transaction it left open). Two instances sharing an id fence each other.
#ifndef NEWSD_PIPELINE_INSTANCE_H_
#define NEWSD_PIPELINE_INSTANCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newsd/v1/config.pb.h"

namespace newsd {

// The transactional.id used when kafka.transactional_id is empty:
// "<group_id>-<hostname>-<instance>" with the instance name (`newsd run --instance`,
// the systemd template's %i); without one "<group_id>-<hostname>-<port>" with the
// port of metrics_address (two live processes on one host cannot listen on the same
// port); "<group_id>-<hostname>" when metrics are off.
std::string DefaultTransactionalId(const v1::PipelineConfig& config, absl::string_view instance);

// The directory of instance locks: $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=),
// else $XDG_RUNTIME_DIR, else /tmp.
std::string DefaultLockDirectory();

// An exclusive flock(2) on "<directory>/newsd-<transactional id>.lock" (characters
// other than [A-Za-z0-9._-] in the id become '_'), held until destroyed (or the
// process ends, however it ends). The file holds the holder's pid.
class InstanceLock {
 public:
  // kAlreadyExists when another live process (or another lock in this process)
  // holds it, naming its pid; kUnavailable when the file cannot be opened.
  static absl::StatusOr<InstanceLock> Acquire(const std::string& directory,
                                              const std::string& transactional_id);
  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) noexcept;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

  const std::string& path() const { return path_; }

 private:
  InstanceLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace newsd

#endif  // NEWSD_PIPELINE_INSTANCE_H_
