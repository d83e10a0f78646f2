#include "common/status.h"

#include <cstring>

namespace mergeflow {

Status ErrnoStatus(const std::string& what, int err) {
  return Status::IOError(what + ": " + std::strerror(err));
}

}  // namespace mergeflow
