// KeyArena: stable storage for key bytes that are not a slice of their row
// (composite keys, unescaped quoted keys). One arena per worker thread.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace mergeflow {

class KeyArena {
 public:
  // Copies `bytes` and returns the address of the copy, valid for the
  // arena's lifetime. Not thread-safe.
  const char* Copy(std::string_view bytes) {
    if (bytes.size() > left_) {
      const size_t block = std::max(kBlockBytes, bytes.size());
      blocks_.emplace_back(new char[block]);
      next_ = blocks_.back().get();
      left_ = block;
    }
    char* out = next_;
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    next_ += bytes.size();
    left_ -= bytes.size();
    return out;
  }

 private:
  static constexpr size_t kBlockBytes = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

}  // namespace mergeflow
