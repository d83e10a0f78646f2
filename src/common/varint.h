// Unsigned LEB128 varints (7 bits a byte, low bits first): the integers of
// Thrift's compact protocol, Parquet's RLE run headers and mergeflow's
// deletes files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mergeflow {

// Appends `v` as a varint.
void AppendVarint(std::string* out, uint64_t v);

// The varint at data[*pos], advancing *pos past it; nullopt when `data` ends
// inside it or it is longer than 10 bytes. Inline: keys files decode
// millions of them.
inline std::optional<uint64_t> ReadVarint(std::string_view data, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return std::nullopt;
    const uint8_t b = static_cast<uint8_t>(data[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return std::nullopt;
}

}  // namespace mergeflow
