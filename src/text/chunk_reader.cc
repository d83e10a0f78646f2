#include "text/chunk_reader.h"

#include <cstring>

#include "io/decompressing_stream.h"
#include "text/byte_classifier.h"

namespace mergeflow {

Result<std::unique_ptr<InputStream>> OpenInput(const FileInfo& file) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file.path == "-" ? std::string() : file.path));
  MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> raw, fs->OpenInputStream(file.path));
  return OpenDecompressed(std::move(raw), file.path == "-" ? "<stdin>" : file.path);
}

Result<double> EstimateRowsPerByte(ChunkReader* reader) {
  Chunk chunk;
  MF_ASSIGN_OR_RETURN(bool found, reader->Next(&chunk));
  if (!found) return 0.0;
  const double rows_per_byte =
      chunk.size == 0 ? 0.0 : static_cast<double>(CountByte(chunk.data, chunk.size, '\n') + 1) / chunk.size;
  reader->PushBack(std::move(chunk));
  return rows_per_byte;
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
  if (chunk.mapping != nullptr) {
    chunk.mapping->Release(static_cast<uint64_t>(chunk.data - chunk.mapping->data()), chunk.size);
    return;
  }
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

void ChunkReader::Emit(Chunk* chunk, const char* data, size_t begin, size_t end) {
  size_t skip = 0;
  if (at_file_start_ && end - begin >= 3 && std::memcmp(data + begin, "\xEF\xBB\xBF", 3) == 0) skip = 3;
  chunk->data = data + begin + skip;
  chunk->size = end - begin - skip;
  chunk->id = next_id_++;
  chunk->file_index = file_index_;
  chunk->file_offset = file_offset_ + skip;
  chunk->starts_file = at_file_start_;
  chunk->first_line = line_;
  line_ += CountByte(data + begin, end - begin, '\n');
  file_offset_ += end - begin;
  at_file_start_ = false;
}

bool ChunkReader::NextMapped(Chunk* chunk) {
  const char* data = mapping_->data();
  const size_t size = mapping_->size();
  for (;;) {
    const size_t begin = file_offset_;
    if (begin >= size) {
      mapping_.reset();
      return false;
    }
    size_t window = chunk_bytes_;
    size_t end = 0;
    while (end == 0) {
      if (begin + window >= size) {
        end = size;
      } else {
        const size_t row_end = LastRowEnd(data + begin, window);
        if (row_end != 0) end = begin + row_end;
        else window *= 2;  // one row longer than a chunk
      }
    }
    Emit(chunk, data, begin, end);
    chunk->buffer = LargeBuffer();
    chunk->mapping = mapping_;
    if (chunk->size == 0) continue;  // a file holding only a BOM
    return true;
  }
}

Result<bool> ChunkReader::NextLocked(Chunk* chunk) {
  size_t capacity = chunk_bytes_;
  for (;;) {
    if (mapping_ != nullptr) {
      if (NextMapped(chunk)) return true;
      continue;
    }
    if (stream_ == nullptr) {
      if (next_file_ == files_.size()) return false;
      file_index_ = static_cast<uint32_t>(next_file_++);
      file_offset_ = 0;
      line_ = 1;
      at_file_start_ = true;
      carry_.clear();
      const FileInfo& file = files_[file_index_];
      if (file.path != "-") {
        MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file.path));
        MF_ASSIGN_OR_RETURN(mapping_, fs->MapForRead(file.path));
        // Compressed files are read through a decompressing stream instead.
        if (mapping_ != nullptr &&
            DetectCompression(mapping_->data(), std::min<uint64_t>(mapping_->size(), 4)) != Compression::kNone) {
          mapping_.reset();
        }
        if (mapping_ != nullptr) continue;
      }
      MF_ASSIGN_OR_RETURN(stream_, OpenInput(file));
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
    const bool at_eof = filled < capacity;
    const size_t end = at_eof ? filled : LastRowEnd(buffer.data(), filled);
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
    carry_.assign(buffer.data() + end, filled - end);
    Emit(chunk, buffer.data(), 0, end);
    chunk->buffer = std::move(buffer);
    chunk->mapping.reset();
    if (at_eof) stream_.reset();
    if (chunk->size == 0) continue;  // a file holding only a BOM
    return true;
  }
}

}  // namespace mergeflow
