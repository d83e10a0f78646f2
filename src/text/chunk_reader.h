// ChunkReader: cuts a sequence of input files into row-aligned chunks that
// worker threads parse independently.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/large_buffer.h"
#include "io/file_system.h"
#include "text/dialect.h"

namespace mergeflow {

// A run of whole rows from one file. Keeps its bytes alive: they live in
// `buffer`, or in `mapping` for a memory-mapped file.
struct Chunk {
  LargeBuffer buffer;
  std::shared_ptr<const MappedFile> mapping;
  const char* data = nullptr;  // first byte of the first row (a UTF-8 BOM is skipped)
  size_t size = 0;
  uint32_t id = 0;             // position in the whole sequence, from 0
  uint32_t file_index = 0;     // index into the reader's file list
  uint64_t file_offset = 0;    // offset of data[0] in the file's byte stream
  uint64_t first_line = 1;     // line number of data[0] in its file, from 1
  bool starts_file = false;    // data[0] is the first row of its file
};

class ChunkReader {
 public:
  // Reads `files` in order. Chunks are about `chunk_bytes` long (longer when
  // a single row is longer). With dialect.quoting, a newline inside a quoted
  // field never ends a chunk.
  ChunkReader(std::vector<FileInfo> files, Dialect dialect, size_t chunk_bytes);

  // Fills `chunk` with the next chunk and returns true, or returns false once
  // every file is consumed. Empty files yield no chunk. Thread-safe: calls are
  // serialised, so chunk ids follow file order.
  Result<bool> Next(Chunk* chunk);

  // Makes `chunk` (taken from Next) the next one Next returns again, so a
  // caller can look at the start of the input (its header) without losing it.
  void PushBack(Chunk chunk);

  // Takes back a chunk that is no longer needed: its buffer is reused by
  // later chunks (fresh pages are costly), or its mapped pages are released.
  // Thread-safe.
  void Recycle(Chunk chunk);

  const std::vector<FileInfo>& files() const { return files_; }

 private:
  Result<bool> NextLocked(Chunk* chunk);
  // Cuts the next chunk out of the mapped file; false at its end.
  bool NextMapped(Chunk* chunk);
  // Fills `chunk` with data[begin, end) of the current file.
  void Emit(Chunk* chunk, const char* data, size_t begin, size_t end);
  // Where the last complete row of buf[0, n) ends (just past its '\n'), or 0.
  size_t LastRowEnd(const char* buf, size_t n) const;

  std::mutex mu_;
  std::vector<FileInfo> files_;
  Dialect dialect_;
  size_t chunk_bytes_;
  size_t next_file_ = 0;
  std::unique_ptr<InputStream> stream_;          // the open file, if read as a stream
  std::shared_ptr<const MappedFile> mapping_;    // the open file, if mapped
  uint32_t file_index_ = 0;
  uint64_t file_offset_ = 0;  // stream offset of carry_[0]
  bool at_file_start_ = false;
  std::string carry_;  // bytes read past the last emitted row
  uint64_t line_ = 1;  // line number of carry_[0]
  uint32_t next_id_ = 0;
  std::vector<LargeBuffer> spare_buffers_;  // each chunk_bytes_ long
  bool has_pushed_back_ = false;
  Chunk pushed_back_;
};

// Rows per byte at the start of `reader`'s input (newlines in its first
// chunk, which is pushed back), or 0 when the input is empty.
Result<double> EstimateRowsPerByte(ChunkReader* reader);

// Opens `file` (a FileInfo from ListInputFiles, possibly "-") as a stream of
// its bytes, decompressed when they are gzip or zstd.
Result<std::unique_ptr<InputStream>> OpenInput(const FileInfo& file);

}  // namespace mergeflow
