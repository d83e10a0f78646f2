// SpillFiles: rows of one join side written to disk, partitioned by key
// hash, for joins whose build side does not fit in memory (grace hash join).
//
// A spilled row is a record: row size and flags (4 bytes), key size (4), the
// key bytes unless the key is the row's own prefix (the common case of a
// plain first column, flagged in the key size), then the row bytes. Hashes
// are recomputed on reading, which costs less than writing them. Each worker
// appends to its own file per partition through a buffer, so writing takes
// no lock. Partition `partitions()` (one past the last) holds rows whose key
// is NULL. Input order (chunk ids) is not kept: ordered joins never spill.
//
// With a codec, each buffer written is one frame: stored size (4 bytes), raw
// size (4), then the buffer compressed (lz4, or zstd at level 1); a frame
// holds whole records. Sizes and counts are of the records, uncompressed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/large_buffer.h"
#include "common/result.h"
#include "io/file_system.h"
#include "engine/build_row.h"

namespace mergeflow {

// How spilled records are compressed on disk.
enum class SpillCodec { kNone, kLz4, kZstd };

// The codec `name` names (none, lz4, zstd); InvalidArgument otherwise.
Result<SpillCodec> ParseSpillCodec(const std::string& name);

class SpillFiles {
 public:
  // Files go to `dir` (which must exist) on `fs`, named PREFIX-PARTITION-WORKER.
  SpillFiles(FileSystem* fs, std::string dir, std::string prefix, size_t partitions, int workers,
             size_t buffer_bytes, SpillCodec codec = SpillCodec::kNone);
  ~SpillFiles();
  SpillFiles(const SpillFiles&) = delete;
  SpillFiles& operator=(const SpillFiles&) = delete;

  size_t partitions() const { return partitions_; }
  size_t null_partition() const { return partitions_; }

  // Appends a record of `row` (its bytes and flags) and `key`, which is
  // row.row's own first key.size() bytes when key_is_row_prefix. Calls for
  // one worker must not overlap.
  Status Append(int worker, size_t partition, const BuildRow& row, std::string_view key, bool key_is_row_prefix);
  // Writes out every buffer and closes the files. REQUIRES: no Append after.
  Status Finish();

  // Total bytes of records in `partition` (uncompressed), how many records,
  // and the bytes its files take on disk.
  uint64_t Bytes(size_t partition) const;
  uint64_t Count(size_t partition) const;
  uint64_t StoredBytes(size_t partition) const;

  // Reads every record of `partition` into `buffer` (reusing its memory when
  // it is large enough) and returns them as BuildRows pointing into it.
  // Thread-safe for different partitions.
  Result<std::vector<BuildRow>> Load(size_t partition, LargeBuffer* buffer) const;

  // Reads the records of `partition` a block at a time, each block at most
  // `max_bytes` of records (or one record, if larger), and calls fn(rows)
  // with BuildRows valid only during the call. Stops at fn's first error.
  // Reuses one read buffer: calls on one object must not overlap.
  Status ForEachBlock(size_t partition, uint64_t max_bytes,
                      const std::function<Status(const std::vector<BuildRow>&)>& fn) const;

  // Deletes `partition`'s files.
  void Remove(size_t partition);

  static constexpr size_t kRecordHeader = 8;
  static constexpr uint32_t kKeyIsRowPrefix = 0x80000000u;  // in the key size word

 private:
  struct Writer;
  class FileReader;
  std::string PathOf(size_t partition, int worker) const;
  // Adds up `field` over the writers of `partition`.
  uint64_t Sum(size_t partition, uint64_t Writer::*field) const;
  // Appends the BuildRows of the whole records in data[0, n) to `rows`
  // (hashes recomputed); returns the bytes they take.
  static size_t ParseRecords(const char* data, size_t n, std::vector<BuildRow>* rows);
  Status Flush(Writer& w);
  Result<std::unique_ptr<FileReader>> OpenForReading(const Writer& w) const;

  FileSystem* fs_;
  std::string dir_;
  std::string prefix_;
  size_t partitions_;
  int workers_;
  size_t buffer_bytes_;
  SpillCodec codec_;
  std::vector<std::unique_ptr<Writer>> writers_;  // [partition * workers + worker]
  mutable LargeBuffer read_buffer_;               // ForEachBlock's, kept between calls
};

}  // namespace mergeflow
