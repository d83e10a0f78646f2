// KeyArena: stable storage for build rows whose key is not a slice of the
// row (composite keys, unescaped quoted keys): the key bytes are stored
// immediately followed by a copy of the row, so a BuildRow can reach its key
// at a small negative offset from its row. One arena per worker thread.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace mergeflow {

class KeyArena {
 public:
  // Stores `key` then `row`; returns the address of the row copy (the key
  // starts key.size() bytes before it). Valid for the arena's lifetime.
  // Not thread-safe.
  const char* StoreKeyAndRow(std::string_view key, std::string_view row) {
    const size_t bytes = key.size() + row.size();
    if (bytes > left_) {
      const size_t block = std::max(kBlockBytes, bytes);
      blocks_.emplace_back(new char[block]);
      next_ = blocks_.back().get();
      left_ = block;
    }
    char* out = next_;
    if (!key.empty()) std::memcpy(out, key.data(), key.size());
    if (!row.empty()) std::memcpy(out + key.size(), row.data(), row.size());
    next_ += bytes;
    left_ -= bytes;
    return out + key.size();
  }

 private:
  static constexpr size_t kBlockBytes = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

}  // namespace mergeflow
