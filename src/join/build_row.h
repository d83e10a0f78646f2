// BuildRow: how a row of the build side is held in memory: a hash, its key
// bytes and the whole row as opaque bytes, all pointing into buffers the
// join keeps alive (input chunks and a KeyArena).
#pragma once

#include <cstdint>
#include <string_view>

namespace mergeflow {

struct BuildRow {
  uint64_t hash = 0;
  const char* row = nullptr;
  const char* key = nullptr;
  uint32_t row_size = 0;
  uint32_t key_size = 0;
  uint32_t chunk_id = 0;  // with the row address, gives input order
  uint32_t quoted = 0;    // 1 when the row holds quotes (split it with SplitFields)

  std::string_view key_view() const { return {key, key_size}; }
};

// Input order: by chunk, then by position inside the chunk.
inline bool InputOrderLess(const BuildRow& a, const BuildRow& b) {
  return a.chunk_id != b.chunk_id ? a.chunk_id < b.chunk_id : a.row < b.row;
}

}  // namespace mergeflow
