// Keys files: where each key of a dataset part lives, written beside the
// part by merge-on-read upserts, so that the next one reads only the rows
// whose keys it changes instead of every row of the part
// (docs/datasets.md).
//
// A keys file is 32 bytes of header: the line "mergeflow keys 2\n", one byte
// W (4 or 8: the width of an offset), six zero bytes and the number N of
// rows (8 bytes, little-endian); then, for the rows in order of key hash
// (then of offset), their hashes (the top 32 bits
// of KeyEncoder::Hash of the encoded key, 4 bytes each, little-endian), then
// their byte offsets in the part (W bytes each, little-endian). Fixed widths
// let a reader search the hashes in place, touching only what it needs.
#pragma once

#include <cstdint>
#include <memory>
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

// A keys file's bytes, read in place: its header and size checked when
// parsed, the order of its hashes where a search reads them (a check of
// every hash would read them all). The bytes must outlive it.
class PartKeys {
 public:
  // BadInput naming `path` when `bytes` are not a keys file.
  static Result<PartKeys> Parse(std::string_view bytes, const std::string& path);

  uint64_t rows() const { return rows_; }
  KeyAt row(uint64_t i) const;

  // The offsets of the rows whose hash is among `hashes` (sorted), in
  // order of offset. Gallops through the hashes: the rows between two
  // wanted hashes are mostly skipped, not read. BadInput naming the file
  // when a hash it reads is out of order.
  Result<std::vector<uint64_t>> OffsetsOf(const std::vector<uint32_t>& hashes) const;

 private:
  PartKeys(const char* hashes, const char* offsets, uint64_t rows, int width, std::string path)
      : hashes_(hashes), offsets_(offsets), rows_(rows), width_(width), path_(std::move(path)) {}
  uint32_t HashAt(uint64_t i) const;

  const char* hashes_;
  const char* offsets_;
  uint64_t rows_;
  int width_;
  std::string path_;
};

// A keys file read from a file system: its bytes (mapped where the file
// system maps files) and the PartKeys over them.
struct PartKeysFile {
  std::shared_ptr<const MappedFile> mapped;
  std::string contents;  // when not mapped
  std::unique_ptr<PartKeys> keys;
};

// The keys file at `path` on `fs`, checked (PartKeys::Parse).
Result<std::unique_ptr<PartKeysFile>> ReadPartKeys(FileSystem* fs, const std::string& path);

}  // namespace mergeflow
