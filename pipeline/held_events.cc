#include "pipeline/held_events.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace newsd {
namespace {

absl::Time ReleaseAt(const v1::HeldEvent& held) {
  return absl::FromUnixSeconds(held.release_at().seconds()) +
         absl::Nanoseconds(held.release_at().nanos());
}

}  // namespace

absl::Status HeldEvents::Restore(absl::string_view key, std::optional<absl::string_view> value) {
  absl::MutexLock lock(&mu_);
  if (!value) {
    held_.erase(std::string(key));
    released_.erase(std::string(key));
    return absl::OkStatus();
  }
  v1::HeldEvent held;
  if (!held.ParseFromArray(value->data(), static_cast<int>(value->size())) ||
      KeyOf(held).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("held: changelog value of \"", key, "\" is not a HeldEvent"));
  }
  if (KeyOf(held) != key) {
    return absl::InvalidArgumentError(absl::StrCat("held: changelog key \"", key,
                                                   "\" holds the event of \"", KeyOf(held), "\""));
  }
  if (released_.count(std::string(key)) > 0) return absl::OkStatus();
  held_[std::string(key)] = std::move(held);
  return absl::OkStatus();
}

std::vector<std::pair<std::string, double>> HeldEvents::Sizes() const {
  return {{"events", static_cast<double>(size())}};
}

void HeldEvents::Hold(v1::HeldEvent held) {
  absl::MutexLock lock(&mu_);
  std::string key = KeyOf(held);
  released_.erase(key);
  held_[std::move(key)] = std::move(held);
}

std::vector<v1::HeldEvent> HeldEvents::TakeDue(
    absl::Time now, const std::function<bool(const std::string&, int32_t)>& owned) {
  std::vector<v1::HeldEvent> due;
  absl::MutexLock lock(&mu_);
  for (auto it = released_.begin(); it != released_.end();) {
    it = now - it->second > absl::Hours(1) ? released_.erase(it) : std::next(it);
  }
  for (auto it = held_.begin(); it != held_.end();) {
    if (ReleaseAt(it->second) <= now &&
        owned(it->second.input_topic(), it->second.input_partition())) {
      released_[it->first] = now;
      due.push_back(std::move(it->second));
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  std::sort(due.begin(), due.end(), [](const v1::HeldEvent& a, const v1::HeldEvent& b) {
    return ReleaseAt(a) < ReleaseAt(b);
  });
  return due;
}

std::vector<v1::HeldEvent> HeldEvents::DropStory(absl::string_view story_id,
                                                 absl::string_view except_key) {
  std::vector<v1::HeldEvent> dropped;
  if (story_id.empty()) return dropped;
  absl::MutexLock lock(&mu_);
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->first != except_key && it->second.event().article().story().story_id() == story_id) {
      dropped.push_back(std::move(it->second));
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

void HeldEvents::Return(std::vector<v1::HeldEvent> events) {
  absl::MutexLock lock(&mu_);
  for (v1::HeldEvent& held : events) {
    std::string key = KeyOf(held);
    released_.erase(key);
    held_[std::move(key)] = std::move(held);
  }
}

size_t HeldEvents::size() const {
  absl::MutexLock lock(&mu_);
  return held_.size();
}

}  // namespace newsd
