// FirstError: the first failure among several worker threads.
#pragma once

#include <atomic>
#include <mutex>

#include "common/status.h"

namespace mergeflow {

// Thread-safe. Once set, set() is true for every thread, so workers can stop
// taking new work; later failures are dropped.
class FirstError {
 public:
  void Set(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.ok()) status_ = std::move(status);
    set_.store(true);
  }
  bool set() const { return set_.load(std::memory_order_relaxed); }
  // The first failure (OK if none yet). Safe while other threads call Set.
  Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  mutable std::mutex mu_;
  Status status_;
  std::atomic<bool> set_{false};
};

}  // namespace mergeflow
