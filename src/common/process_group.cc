#include "common/process_group.h"

namespace mergeflow {

Status Agree(const ProcessGroup& group, const Status& mine) {
  const bool own = !mine.ok() && mine.code() != Status::Code::kCancelled;
  const std::vector<std::string> all = group.GatherAll(own ? mine.message() : std::string());
  if (own) return mine;
  for (size_t r = 0; r < all.size(); ++r) {
    if (!all[r].empty()) return Status::IOError("stopped because rank " + std::to_string(r) + " failed: " + all[r]);
  }
  return Status::OK();
}

bool AllEqual(const ProcessGroup& group, const std::string& value) {
  for (const std::string& other : group.GatherAll(value)) {
    if (other != value) return false;
  }
  return true;
}

}  // namespace mergeflow
