// ChunkReader: cuts a sequence of input files into row-aligned chunks that
// worker threads parse independently.
//
// Several files are read at once, each by its own reading thread running a
// FileChunker, so that many compressed files are decompressed in parallel;
// their chunks are still handed out in file order.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "io/file_system.h"
#include "text/dialect.h"
#include "text/file_chunker.h"

namespace mergeflow {

class ChunkReader {
 public:
  // Reads `files` in order, up to `read_threads` (at least 1) of them at
  // once. Each reading thread holds at most one chunk ahead of the workers.
  // Chunks are about `chunk_bytes` long (see FileChunker).
  ChunkReader(std::vector<FileInfo> files, Dialect dialect, size_t chunk_bytes, int read_threads);
  // Reads only the rows of `ranges` of `files`, in that order.
  ChunkReader(std::vector<FileInfo> files, std::vector<FileRange> ranges, Dialect dialect, size_t chunk_bytes,
              int read_threads);
  // Stops the reading threads.
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Fills `chunk` with the next chunk and returns true, or returns false once
  // every file is consumed. Empty files yield no chunk. Thread-safe: chunk
  // ids follow file order, then position in the file, without gaps. After
  // an error (a file that cannot be read), later calls return it again.
  Result<bool> Next(Chunk* chunk);

  // Makes `chunk` (taken from Next) the next one Next returns again, so a
  // caller can look at the start of the input (its header) without losing it.
  void PushBack(Chunk chunk);

  // Takes back a chunk that is no longer needed: its buffer is reused by
  // later chunks, or its mapped pages are released. Thread-safe.
  void Recycle(Chunk chunk);

  const std::vector<FileInfo>& files() const { return files_; }

 private:
  // The chunks of one range being read: ranges_[r] uses slots_[r % slots_.size()].
  struct FileSlot {
    std::deque<Chunk> ready;
    bool done = false;  // no more chunks will come
    Status error;       // why reading stopped early, if it did
  };

  // One reading thread: takes the next range within the window, reads it.
  void ReadRanges();
  // Reads ranges_[r] into its slot. Returns false when told to stop.
  bool ReadRange(size_t r);

  const std::vector<FileInfo> files_;
  const std::vector<FileRange> ranges_;
  const Dialect dialect_;
  const int read_threads_;
  ChunkBufferPool buffers_;

  std::mutex mu_;
  std::condition_variable chunk_ready_;  // a slot got a chunk or finished
  std::condition_variable slot_free_;    // a chunk was taken, or the window moved
  std::vector<FileSlot> slots_;          // the window of ranges being read
  size_t next_to_read_ = 0;              // the next range a reading thread takes
  size_t consuming_ = 0;                 // the range Next takes chunks from
  uint32_t next_id_ = 0;
  bool stopping_ = false;
  bool has_pushed_back_ = false;
  Chunk pushed_back_;
  std::vector<std::thread> threads_;  // started by the first Next
};

// Rows per byte at the start of `reader`'s input (newlines in its first
// chunk, which is pushed back), or 0 when the input is empty.
Result<double> EstimateRowsPerByte(ChunkReader* reader);

}  // namespace mergeflow
