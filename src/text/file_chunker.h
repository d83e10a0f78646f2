// FileChunker: cuts one input file into chunks of whole rows, front to back.
// ChunkReader runs several of them at once (one per file) and hands their
// chunks out in file order.
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
  uint32_t id = 0;           // position in the whole sequence, from 0
  uint32_t file_index = 0;   // index into the reader's file list
  uint64_t file_offset = 0;  // offset of data[0] in the file's byte stream
  uint64_t first_line = 1;   // line number of data[0] in its file, from 1; 0 when not known
  uint64_t stored_size = 0;  // about the bytes of the file as stored that the chunk stands for (progress)
  bool starts_file = false;  // data[0] is the first row of its file
};

// Chunk buffers of one size, kept for reuse: fresh pages are costly.
// Thread-safe.
class ChunkBufferPool {
 public:
  explicit ChunkBufferPool(size_t chunk_bytes) : chunk_bytes_(chunk_bytes) {}
  size_t chunk_bytes() const { return chunk_bytes_; }
  // A buffer of `bytes` (at least chunk_bytes()), reused when it is the
  // standard size.
  LargeBuffer Take(size_t bytes);
  // Keeps `buffer` for reuse if it is the standard size (up to a bound).
  void Give(LargeBuffer buffer);

 private:
  const size_t chunk_bytes_;
  std::mutex mu_;
  std::vector<LargeBuffer> spare_;
};

// The rows of one input file that a reader takes: those that start at a byte
// in [begin, end). Ranges cut a file into pieces that readers (MPI ranks)
// take independently; a row belongs to the range holding its first byte. A
// file that cannot be cut (compressed, or Parquet) is taken whole by the
// range that holds its byte 0, and by no other.
struct FileRange {
  uint32_t file_index = 0;  // index into the reader's file list
  uint64_t begin = 0;
  uint64_t end = UINT64_MAX;
};

class FileChunker {
 public:
  // Will read the rows of `file` (a FileInfo from ListInputFiles, possibly
  // "-") in `range`. Chunks are about pool->chunk_bytes() long (longer when a
  // single row is longer). With dialect.quoting, a newline inside a quoted
  // field never ends a chunk; a range boundary inside a file assumes that no
  // quoted field there holds a newline. Compressed files are read through a
  // decompressing stream, Parquet files as formats/parquet/
  // parquet_text_stream.h spells them in `dialect`; other local files are
  // memory-mapped. A range that
  // starts inside the file yields chunks whose first_line is 0 (not known).
  // The rows of file.skip are left out (a chunk missing some has first_line
  // 0, and its file_offset is that of its first byte before the cut).
  // Without `count_lines`, a mapped text file's chunks have first_line 0
  // too (a bad row's line is then counted from the file when shown).
  FileChunker(const FileInfo& file, FileRange range, Dialect dialect, ChunkBufferPool* pool, bool count_lines = true);
  FileChunker(const FileChunker&) = delete;
  FileChunker& operator=(const FileChunker&) = delete;

  // Fills `chunk` (all but its id) with the next chunk and returns true, or
  // returns false at the end of the file. Never yields an empty chunk. Not
  // thread-safe.
  Result<bool> Next(Chunk* chunk);

 private:
  // How the file's bytes hold its text: as they are, compressed (gzip or
  // zstd), or as a Parquet file; decided by its first bytes.
  enum class Encoding { kText, kCompressed, kParquet };

  Status Open();
  Result<Encoding> DetectEncoding() const;
  // Streams the file from the first row starting at or after range_.begin.
  Status OpenStreamInside();
  // In the mapped file: just past the first '\n' at or after `from`, or its size.
  uint64_t RowStartAfter(uint64_t from) const;
  // Cuts the next chunk out of the mapped file; false at its end.
  bool NextMapped(Chunk* chunk);
  Result<bool> NextStreamed(Chunk* chunk);
  // Cuts the rows of file_.skip out of `chunk`.
  void CutSkippedRows(Chunk* chunk);
  // Fills `chunk` with data[begin, end) of the file.
  void Emit(Chunk* chunk, const char* data, size_t begin, size_t end);
  // Where the last complete row of buf[0, n) ends (just past its '\n'), or 0.
  size_t LastRowEnd(const char* buf, size_t n) const;

  const FileInfo& file_;
  const FileRange range_;
  const Dialect dialect_;
  ChunkBufferPool* const pool_;
  const bool count_lines_;
  bool opened_ = false;
  std::unique_ptr<InputStream> stream_;        // the file, if read as a stream
  std::shared_ptr<const MappedFile> mapping_;  // the file, if mapped
  // A streamed range's rows end with the one holding byte stop_ - 1
  // (UINT64_MAX: at the end of the file).
  uint64_t stop_ = UINT64_MAX;
  uint64_t mapped_end_ = UINT64_MAX;  // the mapped rows end here
  uint64_t file_offset_ = 0;          // offset of the next byte to emit
  bool at_file_start_ = true;
  std::string carry_;  // bytes read past the last emitted row
  uint64_t line_ = 1;  // line number of the next byte to emit
  uint64_t source_reported_ = 0;  // of a decoding stream's SourceBytesRead, given to chunks so far
};

}  // namespace mergeflow
