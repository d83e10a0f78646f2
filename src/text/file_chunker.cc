#include "text/file_chunker.h"

#include <algorithm>
#include <cstring>

#include "formats/parquet/parquet_text_stream.h"
#include "io/decompressing_stream.h"
#include "text/byte_classifier.h"

namespace mergeflow {

namespace {

// `file` (possibly "-" for stdin) as a stream of its bytes, decompressed
// when they are gzip or zstd.
Result<std::unique_ptr<InputStream>> OpenInput(const FileInfo& file) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file.path == "-" ? std::string() : file.path));
  MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> raw, fs->OpenInputStream(file.path, 0));
  return OpenDecompressed(std::move(raw), file.path == "-" ? "<stdin>" : file.path);
}

}  // namespace

LargeBuffer ChunkBufferPool::Take(size_t bytes) {
  if (bytes == chunk_bytes_) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!spare_.empty()) {
      LargeBuffer buffer = std::move(spare_.back());
      spare_.pop_back();
      return buffer;
    }
  }
  return LargeBuffer(bytes);
}

void ChunkBufferPool::Give(LargeBuffer buffer) {
  if (buffer.size() != chunk_bytes_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.size() < 64) spare_.push_back(std::move(buffer));
}

FileChunker::FileChunker(const FileInfo& file, FileRange range, Dialect dialect, ChunkBufferPool* pool,
                         bool count_lines)
    : file_(file), range_(range), dialect_(dialect), pool_(pool), count_lines_(count_lines) {}

Result<FileChunker::Encoding> FileChunker::DetectEncoding() const {
  char magic[4];
  size_t got = 0;
  if (mapping_ != nullptr) {
    got = std::min<uint64_t>(mapping_->size(), sizeof magic);
    std::memcpy(magic, mapping_->data(), got);
  } else {
    MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file_.path));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->OpenForRandomAccess(file_.path));
    MF_ASSIGN_OR_RETURN(got, file->ReadAt(0, sizeof magic, magic));
  }
  if (StartsAsParquet(magic, got)) return Encoding::kParquet;
  return DetectCompression(magic, got) != Compression::kNone ? Encoding::kCompressed : Encoding::kText;
}

uint64_t FileChunker::RowStartAfter(uint64_t from) const {
  const uint64_t size = mapping_->size();
  if (from >= size) return size;
  const void* nl = std::memchr(mapping_->data() + from, '\n', size - from);
  return nl == nullptr ? size : static_cast<uint64_t>(static_cast<const char*>(nl) - mapping_->data()) + 1;
}

Status FileChunker::Open() {
  opened_ = true;
  Encoding encoding = Encoding::kText;
  if (file_.path != "-") {
    MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file_.path));
    MF_ASSIGN_OR_RETURN(mapping_, fs->MapForRead(file_.path));
  }
  const bool whole = file_.path == "-" || (range_.begin == 0 && range_.end >= file_.size);
  // A local file that cannot be mapped is a pipe: it is read as a stream
  // (decompressed when it is compressed), never probed at an offset.
  const bool local = UriScheme(file_.path).empty() || UriScheme(file_.path) == "file";
  if (file_.path != "-" && (mapping_ != nullptr || !whole || !local)) {
    MF_ASSIGN_OR_RETURN(encoding, DetectEncoding());
  }
  if (!count_lines_ && mapping_ != nullptr && encoding == Encoding::kText) line_ = 0;
  if (file_.skip != nullptr && encoding == Encoding::kParquet)
    return Status::InvalidArgument(file_.path + ": rows of a Parquet file cannot be skipped by byte ranges");
  if (encoding != Encoding::kText) {
    mapping_.reset();  // read through a decoding stream instead
    if (range_.begin != 0) return Status::OK();
  } else if (!whole) {
    if (range_.begin != 0) {
      at_file_start_ = false;
      line_ = 0;
    }
    if (mapping_ == nullptr) {
      stop_ = range_.end;
      if (range_.begin != 0) return OpenStreamInside();
    } else {
      // The range's rows: from the first starting at or after begin, to the
      // end of the one holding byte end - 1.
      file_offset_ = range_.begin == 0 ? 0 : RowStartAfter(range_.begin - 1);
      mapped_end_ = file_offset_ >= range_.end ? file_offset_ : RowStartAfter(range_.end - 1);
    }
  }
  if (mapping_ == nullptr) {
    MF_ASSIGN_OR_RETURN(stream_, encoding == Encoding::kParquet ? OpenParquetAsText(file_.path, dialect_)
                                                                 : OpenInput(file_));
  }
  return Status::OK();
}

Status FileChunker::OpenStreamInside() {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file_.path));
  MF_ASSIGN_OR_RETURN(stream_, fs->OpenInputStream(file_.path, range_.begin - 1));
  file_offset_ = range_.begin - 1;
  // Skip the rest of the row holding byte begin - 1: it belongs to the range before.
  std::string buffer(64 << 10, '\0');
  for (;;) {
    MF_ASSIGN_OR_RETURN(size_t got, stream_->Read(buffer.data(), buffer.size()));
    if (got == 0) {
      stream_.reset();
      return Status::OK();
    }
    const void* nl = std::memchr(buffer.data(), '\n', got);
    if (nl == nullptr) {
      file_offset_ += got;
      continue;
    }
    const size_t skip = static_cast<size_t>(static_cast<const char*>(nl) - buffer.data()) + 1;
    file_offset_ += skip;
    carry_.assign(buffer.data() + skip, got - skip);
    return Status::OK();
  }
}

size_t FileChunker::LastRowEnd(const char* buf, size_t n) const {
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

void FileChunker::Emit(Chunk* chunk, const char* data, size_t begin, size_t end) {
  size_t skip = 0;
  if (at_file_start_ && end - begin >= 3 && std::memcmp(data + begin, "\xEF\xBB\xBF", 3) == 0) skip = 3;
  chunk->data = data + begin + skip;
  chunk->size = end - begin - skip;
  chunk->file_index = range_.file_index;
  chunk->file_offset = file_offset_ + skip;
  chunk->starts_file = at_file_start_;
  chunk->first_line = line_;
  chunk->stored_size = end - begin;
  if (line_ != 0) line_ += CountByte(data + begin, end - begin, '\n');
  file_offset_ += end - begin;
  at_file_start_ = false;
}

Result<bool> FileChunker::Next(Chunk* chunk) {
  if (!opened_) MF_RETURN_IF_ERROR(Open());
  for (;;) {
    bool found = false;
    if (mapping_ != nullptr) {
      found = NextMapped(chunk);
    } else if (stream_ != nullptr) {
      MF_ASSIGN_OR_RETURN(found, NextStreamed(chunk));
    }
    if (!found) return false;
    if (file_.skip != nullptr) CutSkippedRows(chunk);
    if (chunk->size != 0) return true;  // else a file holding only a BOM, or only skipped rows
  }
}

void FileChunker::CutSkippedRows(Chunk* chunk) {
  const std::vector<ByteRange>& skip = *file_.skip;
  const uint64_t begin = chunk->file_offset;
  const uint64_t end = begin + chunk->size;
  auto range = std::upper_bound(skip.begin(), skip.end(), begin,
                                [](uint64_t offset, const ByteRange& r) { return offset < r.end; });
  if (range == skip.end() || range->begin >= end) return;
  // The rows kept are moved to the front of the chunk's own buffer (they
  // only move down), or copied out of a mapped file.
  const char* from = chunk->data;
  if (chunk->mapping != nullptr) {
    chunk->buffer = pool_->Take(std::max(chunk->size, pool_->chunk_bytes()));
    chunk->mapping.reset();
  }
  char* const out = chunk->buffer.data();
  size_t kept = 0;
  uint64_t at = begin;
  for (; range != skip.end() && range->begin < end; ++range) {
    if (range->begin > at) {
      std::memmove(out + kept, from + (at - begin), range->begin - at);
      kept += range->begin - at;
    }
    at = std::max(at, std::min(range->end, end));
  }
  std::memmove(out + kept, from + (at - begin), end - at);
  kept += end - at;
  chunk->data = out;
  chunk->size = kept;
  chunk->first_line = 0;  // lines were cut out
}

bool FileChunker::NextMapped(Chunk* chunk) {
  const char* data = mapping_->data();
  const size_t size = std::min<uint64_t>(mapping_->size(), mapped_end_);
  const size_t begin = file_offset_;
  if (begin >= size) {
    mapping_.reset();
    return false;
  }
  size_t window = pool_->chunk_bytes();
  size_t end = 0;
  while (end == 0) {
    if (begin + window >= size) {
      end = size;
    } else {
      const size_t row_end = LastRowEnd(data + begin, window);
      if (row_end != 0)
        end = begin + row_end;
      else
        window *= 2;  // one row longer than a chunk
    }
  }
  Emit(chunk, data, begin, end);
  chunk->buffer = LargeBuffer();
  chunk->mapping = mapping_;
  return true;
}

Result<bool> FileChunker::NextStreamed(Chunk* chunk) {
  size_t capacity = pool_->chunk_bytes();
  for (;;) {
    while (capacity < carry_.size() * 2) capacity *= 2;
    LargeBuffer buffer = pool_->Take(capacity);
    std::memcpy(buffer.data(), carry_.data(), carry_.size());
    size_t filled = carry_.size();
    bool at_eof = false;
    while (filled < capacity && !at_eof) {  // a stream may return fewer bytes than asked
      MF_ASSIGN_OR_RETURN(size_t got, stream_->Read(buffer.data() + filled, capacity - filled));
      filled += got;
      at_eof = got == 0;
    }
    size_t end = at_eof ? filled : LastRowEnd(buffer.data(), filled);
    if (stop_ != UINT64_MAX && file_offset_ + filled >= stop_) {
      // The range ends with the row holding byte stop_ - 1: cut there once
      // that row's end is in the buffer (no row at all if buffer[0] is
      // already past it).
      size_t last = SIZE_MAX;
      if (file_offset_ >= stop_) {
        last = 0;
      } else {
        const size_t from = static_cast<size_t>(stop_ - 1 - file_offset_);
        const void* nl = std::memchr(buffer.data() + from, '\n', filled - from);
        if (nl != nullptr)
          last = static_cast<size_t>(static_cast<const char*>(nl) - buffer.data()) + 1;
        else if (at_eof)
          last = filled;
      }
      if (last != SIZE_MAX) {
        end = filled = last;
        at_eof = true;
      }
    }
    if (end == 0 && !at_eof) {
      // One row longer than the buffer: keep everything and read more.
      carry_.assign(buffer.data(), filled);
      capacity *= 2;
      continue;
    }
    if (filled == 0) {  // empty file, or nothing after the last row
      stream_.reset();
      return false;
    }
    carry_.assign(buffer.data() + end, filled - end);
    Emit(chunk, buffer.data(), 0, end);
    if (const std::optional<uint64_t> source = stream_->SourceBytesRead(); source.has_value()) {
      chunk->stored_size = *source - std::min(*source, source_reported_);
      source_reported_ = std::max(source_reported_, *source);
    }
    chunk->buffer = std::move(buffer);
    chunk->mapping.reset();
    if (at_eof) stream_.reset();
    return true;
  }
}

}  // namespace mergeflow
