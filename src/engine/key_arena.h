// KeyArena: stable storage for bytes kept while a table is built: build rows
// whose key is not a slice of the row (composite keys, unescaped quoted
// keys), stored with the key bytes immediately followed by a copy of the
// row, so a BuildRow can reach its key at a small negative offset from its
// row; and the reduced changes of an upsert. One arena per worker thread.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace mergeflow {

class KeyArena {
 public:
  // Blocks start at `first_block` bytes and double up to 1 MiB (small
  // arenas by the thousand stay small).
  explicit KeyArena(size_t first_block = kBlockBytes) : next_block_(std::min(first_block, kBlockBytes)) {}

  // Stores `key` then `row`; returns the address of the row copy (the key
  // starts key.size() bytes before it). Valid for the arena's lifetime.
  // Not thread-safe.
  const char* StoreKeyAndRow(std::string_view key, std::string_view row) {
    char* out = Reserve(key.size() + row.size());
    if (!key.empty()) std::memcpy(out, key.data(), key.size());
    if (!row.empty()) std::memcpy(out + key.size(), row.data(), row.size());
    return out + key.size();
  }

  // `bytes` of room to fill, valid (and never moved) for the arena's
  // lifetime. Not thread-safe.
  char* Reserve(size_t bytes) {
    if (bytes > left_) {
      const size_t block = std::max(next_block_, bytes);
      next_block_ = std::min(next_block_ * 2, kBlockBytes);
      blocks_.emplace_back(new char[block]);
      next_ = blocks_.back().get();
      left_ = block;
    }
    char* out = next_;
    next_ += bytes;
    left_ -= bytes;
    return out;
  }

 private:
  static constexpr size_t kBlockBytes = 1 << 20;
  size_t next_block_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

}  // namespace mergeflow
