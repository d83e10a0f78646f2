#include "common/status.h"

#include <cstring>

namespace mergeflow {

Status ErrnoStatus(const std::string& what, int err) {
  return Status::IOError(what + ": " + std::strerror(err));
}

std::string ReasonOf(const Status& status) {
  const std::string& message = status.message();
  const size_t colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

}  // namespace mergeflow
