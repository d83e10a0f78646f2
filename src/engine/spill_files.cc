#include "engine/spill_files.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "engine/key_encoder.h"

namespace mergeflow {

namespace {

// The error for a temporary file, named by its path.
Status TempFileError(const std::string& what, const std::string& path, const Status& status) {
  return Status::IOError("cannot " + what + " temporary file " + path + ": " + ReasonOf(status));
}

// Reads exactly n bytes at `offset` of `file` (named `path` in errors) into dst.
Status ReadExactlyAt(const RandomAccessFile& file, uint64_t offset, char* dst, uint64_t n, const std::string& path) {
  while (n > 0) {
    Result<size_t> got = file.ReadAt(offset, n, dst);
    if (!got.ok()) return TempFileError("read", path, got.status());
    if (got.value() == 0) return Status::IOError("temporary file " + path + " is truncated");
    dst += got.value();
    offset += got.value();
    n -= got.value();
  }
  return Status::OK();
}

constexpr size_t kFrameHeader = 8;  // stored size, raw size

// `raw` compressed with `codec` into `out`; `zstd`: a context to reuse.
Status Compress(SpillCodec codec, std::string_view raw, ZSTD_CCtx* zstd, std::string* out) {
  if (codec == SpillCodec::kLz4) {
    out->resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
    const int n = LZ4_compress_default(raw.data(), out->data(), static_cast<int>(raw.size()),
                                       static_cast<int>(out->size()));
    if (n <= 0) return Status::Internal("lz4 could not compress a spill buffer");
    out->resize(static_cast<size_t>(n));
    return Status::OK();
  }
  out->resize(ZSTD_compressBound(raw.size()));
  const size_t n = ZSTD_compressCCtx(zstd, out->data(), out->size(), raw.data(), raw.size(), 1);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out->resize(n);
  return Status::OK();
}

Status Decompress(SpillCodec codec, std::string_view packed, char* dst, size_t raw, const std::string& path) {
  const bool ok = codec == SpillCodec::kLz4
                      ? LZ4_decompress_safe(packed.data(), dst, static_cast<int>(packed.size()), static_cast<int>(raw)) ==
                            static_cast<int>(raw)
                      : ZSTD_decompress(dst, raw, packed.data(), packed.size()) == raw;
  if (!ok) return Status::IOError("temporary file " + path + " is corrupt");
  return Status::OK();
}

}  // namespace

Result<SpillCodec> ParseSpillCodec(const std::string& name) {
  if (name == "none") return SpillCodec::kNone;
  if (name == "lz4") return SpillCodec::kLz4;
  if (name == "zstd") return SpillCodec::kZstd;
  return Status::InvalidArgument("--spill-compression takes none, lz4 or zstd, not '" + name + "'");
}

struct SpillFiles::Writer {
  std::unique_ptr<WritableFile> file;
  std::string path;
  std::string buffer;
  uint64_t bytes = 0;   // records written, buffered included
  uint64_t stored = 0;  // bytes in the file
  uint64_t count = 0;
};

// Reads one spill file's records back, uncompressed, in pieces.
class SpillFiles::FileReader {
 public:
  FileReader(std::unique_ptr<RandomAccessFile> file, std::string path, uint64_t stored, SpillCodec codec)
      : file_(std::move(file)), path_(std::move(path)), stored_(stored), codec_(codec) {}

  // Copies up to `room` (> 0) more bytes of records to `dst`; 0 at the end.
  Result<size_t> Read(char* dst, size_t room) {
    if (codec_ == SpillCodec::kNone) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(room, stored_ - offset_));
      MF_RETURN_IF_ERROR(ReadExactlyAt(*file_, offset_, dst, n, path_));
      offset_ += n;
      return n;
    }
    if (at_ == frame_.size()) {
      if (offset_ == stored_) return size_t{0};
      MF_RETURN_IF_ERROR(NextFrame());
    }
    const size_t n = std::min(room, frame_.size() - at_);
    std::memcpy(dst, frame_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  Status NextFrame() {
    uint32_t sizes[2];
    if (stored_ - offset_ < kFrameHeader) return Status::IOError("temporary file " + path_ + " is truncated");
    MF_RETURN_IF_ERROR(ReadExactlyAt(*file_, offset_, reinterpret_cast<char*>(sizes), kFrameHeader, path_));
    offset_ += kFrameHeader;
    if (sizes[0] > stored_ - offset_) return Status::IOError("temporary file " + path_ + " is truncated");
    packed_.resize(sizes[0]);
    MF_RETURN_IF_ERROR(ReadExactlyAt(*file_, offset_, packed_.data(), sizes[0], path_));
    offset_ += sizes[0];
    frame_.resize(sizes[1]);
    at_ = 0;
    return Decompress(codec_, packed_, frame_.data(), sizes[1], path_);
  }

  std::unique_ptr<RandomAccessFile> file_;
  std::string path_;
  uint64_t stored_;
  SpillCodec codec_;
  uint64_t offset_ = 0;
  std::string packed_;
  std::string frame_;  // the frame being handed out, uncompressed
  size_t at_ = 0;
};

SpillFiles::SpillFiles(FileSystem* fs, std::string dir, std::string prefix, size_t partitions, int workers,
                       size_t buffer_bytes, SpillCodec codec)
    : fs_(fs),
      dir_(std::move(dir)),
      prefix_(std::move(prefix)),
      partitions_(partitions),
      workers_(workers),
      buffer_bytes_(buffer_bytes),
      codec_(codec),
      writers_((partitions + 1) * static_cast<size_t>(workers)) {}

SpillFiles::~SpillFiles() = default;

std::string SpillFiles::PathOf(size_t partition, int worker) const {
  return JoinPath(dir_, prefix_ + "-" + std::to_string(partition) + "-" + std::to_string(worker));
}

Status SpillFiles::Flush(Writer& w) {
  if (w.buffer.empty()) return Status::OK();
  std::string_view out = w.buffer;
  std::string frame;
  if (codec_ != SpillCodec::kNone) {
    struct FreeZstd {
      void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
    };
    thread_local std::unique_ptr<ZSTD_CCtx, FreeZstd> zstd(ZSTD_createCCtx());  // one per worker thread
    std::string packed;
    MF_RETURN_IF_ERROR(Compress(codec_, w.buffer, zstd.get(), &packed));
    const uint32_t sizes[2] = {static_cast<uint32_t>(packed.size()), static_cast<uint32_t>(w.buffer.size())};
    frame.reserve(kFrameHeader + packed.size());
    frame.append(reinterpret_cast<const char*>(sizes), kFrameHeader);
    frame.append(packed);
    out = frame;
  }
  const Status written = w.file->Append(out);
  if (!written.ok()) return TempFileError("write", w.path, written);
  w.stored += out.size();
  w.buffer.clear();
  return Status::OK();
}

Status SpillFiles::Append(int worker, size_t partition, const BuildRow& row, std::string_view key,
                          bool key_is_row_prefix) {
  std::unique_ptr<Writer>& slot = writers_[partition * static_cast<size_t>(workers_) + static_cast<size_t>(worker)];
  if (slot == nullptr) {
    slot = std::make_unique<Writer>();
    slot->path = PathOf(partition, worker);
    Result<std::unique_ptr<WritableFile>> file = fs_->OpenForWrite(slot->path);
    if (!file.ok()) return TempFileError("create", slot->path, file.status());
    slot->file = std::move(file).value();
    slot->buffer.reserve(buffer_bytes_);
  }
  Writer& w = *slot;
  const uint32_t key_info = static_cast<uint32_t>(key.size()) | (key_is_row_prefix ? kKeyIsRowPrefix : 0);
  char header[kRecordHeader];
  std::memcpy(header, &row.row_size_and_flags, 4);
  std::memcpy(header + 4, &key_info, 4);
  const size_t before = w.buffer.size();
  w.buffer.append(header, kRecordHeader);
  if (!key_is_row_prefix) w.buffer.append(key);
  w.buffer.append(row.row, row.row_size());
  w.bytes += w.buffer.size() - before;
  ++w.count;
  if (w.buffer.size() >= buffer_bytes_) return Flush(w);
  return Status::OK();
}

Status SpillFiles::Finish() {
  for (auto& w : writers_) {
    if (w == nullptr || w->file == nullptr) continue;
    MF_RETURN_IF_ERROR(Flush(*w));
    const Status closed = w->file->Close();
    if (!closed.ok()) return TempFileError("write", w->path, closed);
    w->file.reset();
    std::string().swap(w->buffer);
  }
  return Status::OK();
}

uint64_t SpillFiles::Bytes(size_t partition) const { return Sum(partition, &Writer::bytes); }

uint64_t SpillFiles::Count(size_t partition) const { return Sum(partition, &Writer::count); }

uint64_t SpillFiles::StoredBytes(size_t partition) const { return Sum(partition, &Writer::stored); }

uint64_t SpillFiles::Sum(size_t partition, uint64_t Writer::*field) const {
  uint64_t total = 0;
  for (int worker = 0; worker < workers_; ++worker) {
    const auto& w = writers_[partition * static_cast<size_t>(workers_) + static_cast<size_t>(worker)];
    if (w != nullptr) total += (*w).*field;
  }
  return total;
}

Result<std::unique_ptr<SpillFiles::FileReader>> SpillFiles::OpenForReading(const Writer& w) const {
  Result<std::unique_ptr<RandomAccessFile>> file = fs_->OpenForRandomAccess(w.path);
  if (!file.ok()) return TempFileError("open", w.path, file.status());
  return std::make_unique<FileReader>(std::move(file).value(), w.path, w.stored, codec_);
}

Result<std::vector<BuildRow>> SpillFiles::Load(size_t partition, LargeBuffer* buffer) const {
  if (buffer->size() < Bytes(partition)) *buffer = LargeBuffer(Bytes(partition));
  size_t filled = 0;
  for (int worker = 0; worker < workers_; ++worker) {
    const auto& w = writers_[partition * static_cast<size_t>(workers_) + static_cast<size_t>(worker)];
    if (w == nullptr) continue;
    MF_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> file, OpenForReading(*w));
    const size_t end = filled + w->bytes;
    while (filled < end) {
      MF_ASSIGN_OR_RETURN(const size_t got, file->Read(buffer->data() + filled, end - filled));
      if (got == 0) return Status::IOError("temporary file " + w->path + " is truncated");
      filled += got;
    }
  }
  std::vector<BuildRow> rows;
  ParseRecords(buffer->data(), filled, &rows);
  return rows;
}

size_t SpillFiles::ParseRecords(const char* data, size_t n, std::vector<BuildRow>* rows) {
  size_t at = 0;
  while (at + kRecordHeader <= n) {
    BuildRow row;
    uint32_t key_info = 0;
    std::memcpy(&row.row_size_and_flags, data + at, 4);
    std::memcpy(&key_info, data + at + 4, 4);
    const bool prefix = (key_info & kKeyIsRowPrefix) != 0;
    row.key_size = key_info & ~kKeyIsRowPrefix;
    const size_t stored_key = prefix ? 0 : row.key_size;
    const size_t record = kRecordHeader + stored_key + row.row_size();
    if (at + record > n) break;
    row.row = data + at + kRecordHeader + stored_key;
    row.key_offset = prefix ? 0 : -static_cast<int32_t>(row.key_size);
    row.hash = KeyEncoder::Hash(row.key_view());
    rows->push_back(row);
    at += record;
  }
  return at;
}

Status SpillFiles::ForEachBlock(size_t partition, uint64_t max_bytes,
                                const std::function<Status(const std::vector<BuildRow>&)>& fn) const {
  LargeBuffer& buffer = read_buffer_;
  std::vector<BuildRow> rows;
  for (int worker = 0; worker < workers_; ++worker) {
    const auto& w = writers_[partition * static_cast<size_t>(workers_) + static_cast<size_t>(worker)];
    if (w == nullptr) continue;
    MF_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> file, OpenForReading(*w));
    uint64_t left = w->bytes;
    size_t filled = 0;  // bytes of buffer holding data
    Status status;
    while (status.ok() && (left > 0 || filled > 0)) {
      // Room for a block; more when the record at the front is larger.
      size_t want = std::max<size_t>(max_bytes, filled + kRecordHeader);
      if (filled >= kRecordHeader) {
        uint32_t key_info = 0, size_and_flags = 0;
        std::memcpy(&size_and_flags, buffer.data(), 4);
        std::memcpy(&key_info, buffer.data() + 4, 4);
        const size_t stored_key = (key_info & kKeyIsRowPrefix) != 0 ? 0 : key_info;
        want = std::max<size_t>(want, kRecordHeader + stored_key + (size_and_flags & BuildRow::kSizeMask));
      }
      if (buffer.size() < want) {
        LargeBuffer larger(want);
        if (filled > 0) std::memcpy(larger.data(), buffer.data(), filled);
        buffer = std::move(larger);
      }
      const size_t room = static_cast<size_t>(std::min<uint64_t>(buffer.size() - filled, left));
      size_t step = 0;
      if (room > 0) {
        Result<size_t> got = file->Read(buffer.data() + filled, room);
        if (!got.ok()) return got.status();
        step = got.value();
        if (step == 0) return Status::IOError("temporary file " + w->path + " is truncated");
      }
      filled += step;
      left -= step;
      rows.clear();
      const size_t used = ParseRecords(buffer.data(), filled, &rows);
      if (used == 0 && left == 0) return Status::IOError("temporary file " + w->path + " is truncated");
      if (!rows.empty()) status = fn(rows);
      std::memmove(buffer.data(), buffer.data() + used, filled - used);
      filled -= used;
    }
    MF_RETURN_IF_ERROR(status);
  }
  return Status::OK();
}

void SpillFiles::Remove(size_t partition) {
  for (int worker = 0; worker < workers_; ++worker) {
    auto& w = writers_[partition * static_cast<size_t>(workers_) + static_cast<size_t>(worker)];
    if (w != nullptr) {
      (void)fs_->RemoveAll(w->path);  // what is left goes with the directory
      w.reset();
    }
  }
}

}  // namespace mergeflow
