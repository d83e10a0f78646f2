#include "io/concurrent_requests.h"

#include <algorithm>
#include <future>
#include <vector>

namespace mergeflow {

Status RunConcurrently(size_t count, size_t at_once, const std::function<Status(size_t)>& task) {
  for (size_t begin = 0; begin < count; begin += at_once) {
    std::vector<std::future<Status>> running;
    for (size_t i = begin; i < std::min(count, begin + at_once); ++i)
      running.push_back(std::async(std::launch::async, task, i));
    Status first;
    for (auto& result : running) {
      Status status = result.get();
      if (first.ok()) first = std::move(status);
    }
    MF_RETURN_IF_ERROR(first);
  }
  return Status::OK();
}

}  // namespace mergeflow
