#include "text/chunk_reader.h"

#include <algorithm>

#include "text/byte_classifier.h"

namespace mergeflow {

Result<double> EstimateRowsPerByte(ChunkReader* reader) {
  Chunk chunk;
  MF_ASSIGN_OR_RETURN(bool found, reader->Next(&chunk));
  if (!found) return 0.0;
  const double rows_per_byte =
      chunk.size == 0 ? 0.0 : static_cast<double>(CountByte(chunk.data, chunk.size, '\n') + 1) / chunk.size;
  reader->PushBack(std::move(chunk));
  return rows_per_byte;
}

namespace {

std::vector<FileRange> WholeFiles(size_t count) {
  std::vector<FileRange> ranges(count);
  for (size_t i = 0; i < count; ++i) ranges[i].file_index = static_cast<uint32_t>(i);
  return ranges;
}

}  // namespace

ChunkReader::ChunkReader(std::vector<FileInfo> files, Dialect dialect, size_t chunk_bytes, int read_threads)
    : ChunkReader(files, WholeFiles(files.size()), dialect, chunk_bytes, read_threads) {}

ChunkReader::ChunkReader(std::vector<FileInfo> files, std::vector<FileRange> ranges, Dialect dialect,
                         size_t chunk_bytes, int read_threads)
    : files_(std::move(files)),
      ranges_(std::move(ranges)),
      dialect_(dialect),
      read_threads_(static_cast<int>(std::clamp<size_t>(ranges_.size(), 1, std::max(read_threads, 1)))),
      buffers_(chunk_bytes),
      slots_(read_threads_) {}

ChunkReader::~ChunkReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  slot_free_.notify_all();
  for (std::thread& t : threads_) t.join();
}

Result<bool> ChunkReader::Next(Chunk* chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  if (has_pushed_back_) {
    has_pushed_back_ = false;
    *chunk = std::move(pushed_back_);
    return true;
  }
  if (threads_.empty()) {
    for (int i = 0; i < read_threads_; ++i) threads_.emplace_back([this] { ReadRanges(); });
  }
  for (;;) {
    if (consuming_ == ranges_.size()) return false;
    // Looked up again after every wait: another caller may have moved on.
    FileSlot& slot = slots_[consuming_ % slots_.size()];
    if (!slot.ready.empty()) {
      *chunk = std::move(slot.ready.front());
      slot.ready.pop_front();
      chunk->id = next_id_++;
      slot_free_.notify_all();
      return true;
    }
    if (!slot.done) {
      chunk_ready_.wait(lock);
      continue;
    }
    if (!slot.error.ok()) return slot.error;
    slot = FileSlot();  // ready for the file slots_.size() after this one
    ++consuming_;
    slot_free_.notify_all();
  }
}

void ChunkReader::ReadRanges() {
  for (;;) {
    size_t f;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A file is taken only once the one slots_.size() before it is consumed,
      // so it never waits for a slot.
      slot_free_.wait(lock, [&] {
        return stopping_ || next_to_read_ == ranges_.size() || next_to_read_ < consuming_ + slots_.size();
      });
      if (stopping_ || next_to_read_ == ranges_.size()) return;
      f = next_to_read_++;
    }
    if (!ReadRange(f)) return;
  }
}

bool ChunkReader::ReadRange(size_t f) {
  const FileRange& range = ranges_[f];
  FileChunker chunker(files_[range.file_index], range, dialect_, &buffers_);
  FileSlot& slot = slots_[f % slots_.size()];
  for (;;) {
    {
      // Read only when the slot is empty: one chunk ahead per thread.
      std::unique_lock<std::mutex> lock(mu_);
      slot_free_.wait(lock, [&] { return stopping_ || slot.ready.empty(); });
      if (stopping_) return false;
    }
    Chunk chunk;
    Result<bool> more = chunker.Next(&chunk);
    std::lock_guard<std::mutex> lock(mu_);
    if (!more.ok() || !more.value()) {
      if (!more.ok()) slot.error = more.status();
      slot.done = true;
      chunk_ready_.notify_all();
      return true;
    }
    slot.ready.push_back(std::move(chunk));
    chunk_ready_.notify_all();
  }
}

void ChunkReader::Recycle(Chunk chunk) {
  if (chunk.mapping != nullptr) {
    chunk.mapping->Release(static_cast<uint64_t>(chunk.data - chunk.mapping->data()), chunk.size);
    return;
  }
  buffers_.Give(std::move(chunk.buffer));
}

void ChunkReader::PushBack(Chunk chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  pushed_back_ = std::move(chunk);
  has_pushed_back_ = true;
}

}  // namespace mergeflow
