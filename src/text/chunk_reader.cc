#include "text/chunk_reader.h"

#include <algorithm>

#include "common/interrupt.h"
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

ChunkReader::ChunkReader(std::vector<FileInfo> files, Dialect dialect, size_t chunk_bytes, int read_threads,
                         ChunkOrder order)
    : ChunkReader(files, WholeFiles(files.size()), dialect, chunk_bytes, read_threads, order) {}

ChunkReader::ChunkReader(std::vector<FileInfo> files, std::vector<FileRange> ranges, Dialect dialect,
                         size_t chunk_bytes, int read_threads, ChunkOrder order)
    : files_(std::move(files)),
      ranges_(std::move(ranges)),
      dialect_(dialect),
      order_(order),
      buffers_(chunk_bytes),
      slots_(std::clamp<size_t>(ranges_.size(), 1, std::max(read_threads, 1))) {}  // a slot per reading thread

ChunkReader::~ChunkReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  slot_free_.notify_all();
  for (std::thread& t : threads_) t.join();
}

Result<bool> ChunkReader::Next(Chunk* chunk) {
  if (StopRequested()) return Interrupted();
  std::unique_lock<std::mutex> lock(mu_);
  if (has_pushed_back_) {
    has_pushed_back_ = false;
    *chunk = std::move(pushed_back_);
    return true;
  }
  if (threads_.empty()) {
    for (int i = 0; i < static_cast<int>(slots_.size()); ++i) {
      if (order_ == ChunkOrder::kFileOrder) {
        threads_.emplace_back([this] { ReadRangesInOrder(); });
      } else {
        threads_.emplace_back([this, i] { ReadRangesAnyOrder(i); });
      }
    }
  }
  return order_ == ChunkOrder::kFileOrder ? NextInOrder(lock, chunk) : NextAnyOrder(lock, chunk);
}

void ChunkReader::Take(FileSlot* slot, Chunk* chunk) {
  *chunk = std::move(slot->ready.front());
  slot->ready.pop_front();
  chunk->id = next_id_++;
  slot_free_.notify_all();
}

Result<bool> ChunkReader::NextInOrder(std::unique_lock<std::mutex>& lock, Chunk* chunk) {
  for (;;) {
    if (consuming_ == ranges_.size()) return false;
    // Looked up again after every wait: another caller may have moved on.
    FileSlot& slot = slots_[consuming_ % slots_.size()];
    if (!slot.ready.empty()) {
      Take(&slot, chunk);
      return true;
    }
    if (!slot.done) {
      chunk_ready_.wait(lock);
      continue;
    }
    if (!slot.error.ok()) return slot.error;
    slot = FileSlot();  // ready for the range slots_.size() after this one
    ++consuming_;
    slot_free_.notify_all();
  }
}

Result<bool> ChunkReader::NextAnyOrder(std::unique_lock<std::mutex>& lock, Chunk* chunk) {
  for (;;) {
    bool all_done = true;
    for (size_t k = 0; k < slots_.size(); ++k) {
      FileSlot& slot = slots_[(next_slot_ + k) % slots_.size()];
      if (!slot.error.ok()) return slot.error;
      if (!slot.done) all_done = false;
      // The first chunk comes from the first range, unless it has none.
      if (slot.ready.empty() || !(first_handed_out_ || first_range_done_ || slot.range == 0)) continue;
      Take(&slot, chunk);
      first_handed_out_ = true;
      next_slot_ = (next_slot_ + k + 1) % slots_.size();
      return true;
    }
    if (all_done) return false;
    chunk_ready_.wait(lock);
  }
}

void ChunkReader::ReadRangesInOrder() {
  for (;;) {
    size_t r;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A range is taken only once the one slots_.size() before it is
      // consumed, so it never waits for a slot.
      slot_free_.wait(lock, [&] {
        return stopping_ || next_to_read_ == ranges_.size() || next_to_read_ < consuming_ + slots_.size();
      });
      if (stopping_ || next_to_read_ == ranges_.size()) return;
      r = next_to_read_++;
    }
    if (!ReadRange(r, &slots_[r % slots_.size()], true)) return;
  }
}

void ChunkReader::ReadRangesAnyOrder(int thread) {
  FileSlot& slot = slots_[thread];
  for (;;) {
    size_t r;
    {
      // Waits for the slot to empty, so that slot.range names its chunks.
      std::unique_lock<std::mutex> lock(mu_);
      slot_free_.wait(lock, [&] { return stopping_ || slot.ready.empty(); });
      if (stopping_) return;
      if (next_to_read_ == ranges_.size()) {
        slot.done = true;
        chunk_ready_.notify_all();
        return;
      }
      r = next_to_read_++;
      slot.range = r;
    }
    if (!ReadRange(r, &slot, false)) return;
    if (r == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      first_range_done_ = true;
      chunk_ready_.notify_all();
    }
  }
}

namespace {

// The chunker's next chunk; running out of memory for its buffer is an
// error of this range, not an exception on a reading thread.
Result<bool> NextChunk(FileChunker* chunker, Chunk* chunk) {
  try {
    return chunker->Next(chunk);
  } catch (const std::bad_alloc&) {
    return Status::IOError("out of memory");
  }
}

}  // namespace

bool ChunkReader::ReadRange(size_t r, FileSlot* slot, bool done_at_end) {
  const FileRange& range = ranges_[r];
  FileChunker chunker(files_[range.file_index], range, dialect_, &buffers_, count_lines_);
  for (;;) {
    {
      // Read only when the slot is empty: one chunk ahead per thread.
      std::unique_lock<std::mutex> lock(mu_);
      slot_free_.wait(lock, [&] { return stopping_ || slot->ready.empty(); });
      if (stopping_) return false;
    }
    Chunk chunk;
    Result<bool> more = NextChunk(&chunker, &chunk);
    std::lock_guard<std::mutex> lock(mu_);
    if (!more.ok()) {
      slot->error = more.status();
      slot->done = true;
      chunk_ready_.notify_all();
      return false;
    }
    if (!more.value()) {
      if (done_at_end) slot->done = true;
      chunk_ready_.notify_all();
      return true;
    }
    slot->ready.push_back(std::move(chunk));
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
