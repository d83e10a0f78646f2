// ChunkReader: cuts a sequence of input files into row-aligned chunks that
// worker threads parse independently.
//
// Several files are read at once, each by its own reading thread running a
// FileChunker, so that many compressed files are decompressed in parallel.
// Chunks are handed out in file order when the caller needs that (a
// reading thread then waits while its file's turn has not come), or else as
// they are ready.
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

// The order in which ChunkReader hands out chunks.
enum class ChunkOrder {
  kFileOrder,  // file by file, each front to back (--order left needs it)
  kAnyOrder,   // each file front to back, files interleaved as they are read
};

class ChunkReader {
 public:
  // Reads `files`, up to `read_threads` (at least 1) of them at once. Each
  // reading thread holds at most one chunk ahead of the workers. Chunks are
  // about `chunk_bytes` long (see FileChunker). In either order, the first
  // chunk handed out is the first of the first file that has one (its
  // header, if any).
  ChunkReader(std::vector<FileInfo> files, Dialect dialect, size_t chunk_bytes, int read_threads, ChunkOrder order);
  // Reads only the rows of `ranges` of `files`.
  ChunkReader(std::vector<FileInfo> files, std::vector<FileRange> ranges, Dialect dialect, size_t chunk_bytes,
              int read_threads, ChunkOrder order);
  // Stops the reading threads.
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Fills `chunk` with the next chunk and returns true, or returns false once
  // every file is consumed. Empty files yield no chunk. Thread-safe: chunk
  // ids number chunks in the order they are handed out, without gaps (with
  // kFileOrder: file order, then position in the file). After an error (a
  // file that cannot be read), later calls return it again.
  Result<bool> Next(Chunk* chunk);

  // Makes `chunk` (taken from Next) the next one Next returns again, so a
  // caller can look at the start of the input (its header) without losing it.
  void PushBack(Chunk chunk);

  // Takes back a chunk that is no longer needed: its buffer is reused by
  // later chunks, or its mapped pages are released. Thread-safe.
  void Recycle(Chunk chunk);

  const std::vector<FileInfo>& files() const { return files_; }

  // Chunks of mapped text files come without line numbers (first_line 0):
  // the line of a bad row shown is counted from its file then (BadRowLog),
  // which saves a pass over every byte where bad rows are not expected.
  // REQUIRES: no Next yet.
  void CountLinesOnlyWhenShown() { count_lines_ = false; }

 private:
  // Chunks being read. kFileOrder: one slot per range, ranges_[r] using
  // slots_[r % slots_.size()]; kAnyOrder: one slot per reading thread.
  struct FileSlot {
    std::deque<Chunk> ready;
    size_t range = SIZE_MAX;  // the range its chunks come from (kAnyOrder)
    bool done = false;        // no more chunks will come
    Status error;             // why reading stopped early, if it did
  };

  // One reading thread (kFileOrder): takes the next range within the
  // window, reads it into its slot.
  void ReadRangesInOrder();
  // One reading thread (kAnyOrder): takes any next range, reads it into
  // slots_[thread].
  void ReadRangesAnyOrder(int thread);
  // Reads ranges_[r] into `slot`, marking it done at the end of the range
  // if `done_at_end` (else only on an error). Returns false when told to
  // stop or on an error.
  bool ReadRange(size_t r, FileSlot* slot, bool done_at_end);
  // Next for each order, with mu_ held.
  Result<bool> NextInOrder(std::unique_lock<std::mutex>& lock, Chunk* chunk);
  Result<bool> NextAnyOrder(std::unique_lock<std::mutex>& lock, Chunk* chunk);
  // Takes the first ready chunk of `slot` into `chunk` and numbers it.
  void Take(FileSlot* slot, Chunk* chunk);

  const std::vector<FileInfo> files_;
  const std::vector<FileRange> ranges_;
  const Dialect dialect_;
  const ChunkOrder order_;
  ChunkBufferPool buffers_;
  bool count_lines_ = true;

  std::mutex mu_;
  std::condition_variable chunk_ready_;  // a slot got a chunk or finished
  std::condition_variable slot_free_;    // a chunk was taken, or the window moved
  std::vector<FileSlot> slots_;          // as many as reading threads (see FileSlot)
  size_t next_to_read_ = 0;              // the next range a reading thread takes
  size_t consuming_ = 0;                 // the range Next takes chunks from (kFileOrder)
  size_t next_slot_ = 0;                 // where Next looks first (kAnyOrder)
  bool first_handed_out_ = false;        // (kAnyOrder)
  bool first_range_done_ = false;        // ranges_[0] was read to its end (kAnyOrder)
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
