#include "text/chunk_reader.h"

#include <cstring>

#include "text/byte_classifier.h"

namespace mergeflow {

Result<std::unique_ptr<InputStream>> OpenInput(const FileInfo& file) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file.path == "-" ? std::string() : file.path));
  return fs->OpenInputStream(file.path);
}

ChunkReader::ChunkReader(std::vector<FileInfo> files, Dialect dialect, size_t chunk_bytes)
    : files_(std::move(files)), dialect_(dialect), chunk_bytes_(chunk_bytes) {}

Result<bool> ChunkReader::Next(Chunk* chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  if (has_pushed_back_) {
    has_pushed_back_ = false;
    *chunk = std::move(pushed_back_);
    return true;
  }
  return NextLocked(chunk);
}

void ChunkReader::Recycle(Chunk chunk) {
  if (chunk.buffer.size() != chunk_bytes_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_buffers_.size() < 64) spare_buffers_.push_back(std::move(chunk.buffer));
}

void ChunkReader::PushBack(Chunk chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  pushed_back_ = std::move(chunk);
  has_pushed_back_ = true;
}

size_t ChunkReader::LastRowEnd(const char* buf, size_t n) const {
  if (!dialect_.quoting) {
    const void* nl = memrchr(buf, '\n', n);
    return nl == nullptr ? 0 : static_cast<size_t>(static_cast<const char*>(nl) - buf) + 1;
  }
  // A chunk starts outside quotes, so a '\n' ends a row exactly when the
  // number of quotes before it is even (doubled quotes count twice).
  size_t quotes_before = CountByte(buf, n, '"');
  for (size_t p = n; p-- > 0;) {
    if (buf[p] == '"') {
      --quotes_before;
    } else if (buf[p] == '\n' && quotes_before % 2 == 0) {
      return p + 1;
    }
  }
  return 0;
}

Result<bool> ChunkReader::NextLocked(Chunk* chunk) {
  size_t capacity = chunk_bytes_;
  for (;;) {
    if (stream_ == nullptr) {
      if (next_file_ == files_.size()) return false;
      file_index_ = static_cast<uint32_t>(next_file_++);
      MF_ASSIGN_OR_RETURN(stream_, OpenInput(files_[file_index_]));
      file_offset_ = 0;
      line_ = 1;
      at_file_start_ = true;
      carry_.clear();
    }
    while (capacity < carry_.size() * 2) capacity *= 2;
    LargeBuffer buffer;
    if (capacity == chunk_bytes_ && !spare_buffers_.empty()) {
      buffer = std::move(spare_buffers_.back());
      spare_buffers_.pop_back();
    } else {
      buffer = LargeBuffer(capacity);
    }
    std::memcpy(buffer.data(), carry_.data(), carry_.size());
    size_t filled = carry_.size();
    MF_ASSIGN_OR_RETURN(size_t got, stream_->Read(buffer.data() + filled, capacity - filled));
    filled += got;
    bool at_eof = filled < capacity;
    size_t end = at_eof ? filled : LastRowEnd(buffer.data(), filled);
    if (end == 0 && !at_eof) {
      // One row longer than the buffer: keep everything and read more.
      carry_.assign(buffer.data(), filled);
      capacity *= 2;
      continue;
    }
    if (filled == 0) {  // empty file, or nothing after the last row
      stream_.reset();
      continue;
    }
    const char* data = buffer.data();
    uint64_t offset = file_offset_;
    size_t skip = 0;
    if (at_file_start_ && filled >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) skip = 3;
    carry_.assign(data + end, filled - end);
    chunk->buffer = std::move(buffer);
    chunk->data = chunk->buffer.data() + skip;
    chunk->size = end - skip;
    chunk->id = next_id_++;
    chunk->file_index = file_index_;
    chunk->file_offset = offset + skip;
    chunk->starts_file = at_file_start_;
    chunk->first_line = line_;
    line_ += CountByte(data, end, '\n');
    file_offset_ = offset + end;
    at_file_start_ = false;
    if (at_eof) stream_.reset();
    if (chunk->size == 0) continue;  // a file holding only a BOM
    return true;
  }
}

}  // namespace mergeflow
