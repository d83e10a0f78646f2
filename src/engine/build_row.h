// BuildRow: how a row of the build side is held in memory: its key hash, the
// whole row as opaque bytes, and where its key bytes are, all pointing into
// buffers the join keeps alive (input chunks, or a KeyArena for keys that had
// to be rebuilt). 32 bytes.
#pragma once

#include <cstdint>
#include <string_view>

namespace mergeflow {

struct BuildRow {
  uint64_t hash = 0;
  const char* row = nullptr;
  uint32_t row_size_and_flags = 0;   // size in bits 0-29; kQuotedBit, kPlainBit
  int32_t key_offset = 0;            // the key starts at row + key_offset (negative: just before the row)
  uint32_t key_size = 0;
  uint32_t chunk_id = 0;             // with the row address, gives input order

  static constexpr uint32_t kQuotedBit = 0x80000000u;  // RowView::quoted
  static constexpr uint32_t kPlainBit = 0x40000000u;   // RowView::plain
  static constexpr uint32_t kSizeMask = 0x3fffffffu;

  uint32_t row_size() const { return row_size_and_flags & kSizeMask; }
  bool quoted() const { return (row_size_and_flags & kQuotedBit) != 0; }
  bool plain() const { return (row_size_and_flags & kPlainBit) != 0; }
  const char* key() const { return row + key_offset; }
  std::string_view key_view() const { return {key(), key_size}; }
};

static_assert(sizeof(BuildRow) == 32);

// Input order: by chunk, then by position inside the chunk.
inline bool InputOrderLess(const BuildRow& a, const BuildRow& b) {
  return a.chunk_id != b.chunk_id ? a.chunk_id < b.chunk_id : a.row < b.row;
}

}  // namespace mergeflow
