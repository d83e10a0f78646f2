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
// inside it or it is longer than 10 bytes.
std::optional<uint64_t> ReadVarint(std::string_view data, size_t* pos);

}  // namespace mergeflow
