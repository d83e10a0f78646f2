// Keys files: where each key of a dataset part lives, written beside the
// part when an upsert writes it whole, so that a merge-on-read upsert reads
// only the rows whose keys it changes instead of every row of the part
// (docs/datasets.md).
//
// A keys file is the line "mergeflow keys 1\n", the number of rows as a
// varint (common/varint.h), and then, for each row in order of key hash
// (then of offset), two varints: the top 32 bits of its key's hash
// (KeyEncoder::Hash of the encoded key) less the previous row's, and the
// row's byte offset in the part.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "io/file_system.h"

namespace mergeflow {

// One row of a part: its key's hash (top 32 bits) and where it starts.
struct KeyAt {
  uint32_t hash = 0;
  uint64_t offset = 0;
  bool operator<(const KeyAt& other) const {
    return hash != other.hash ? hash < other.hash : offset < other.offset;
  }
};

// The top 32 bits of a KeyEncoder::Hash, as keys files keep them.
inline uint32_t KeysFileHash(uint64_t key_hash) { return static_cast<uint32_t>(key_hash >> 32); }

// `rows` (sorted here) as a keys file.
std::string EncodePartKeys(std::vector<KeyAt> rows);

// The rows of the keys file `path` holding `contents`, in file order; BadInput
// naming the file when it is not one, is cut short or out of order.
Result<std::vector<KeyAt>> DecodePartKeys(std::string_view contents, const std::string& path);

// The rows of the keys file at `path` on `fs` (mapped, or read whole, then
// DecodePartKeys).
Result<std::vector<KeyAt>> ReadPartKeys(FileSystem* fs, const std::string& path);

// The offsets of the rows of `rows` (sorted, as decoded) whose hash is among
// `hashes` (sorted), in order of offset.
std::vector<uint64_t> OffsetsOfHashes(const std::vector<KeyAt>& rows, const std::vector<uint32_t>& hashes);

}  // namespace mergeflow
