#include "engine/spill_files.h"

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

}  // namespace

struct SpillFiles::Writer {
  std::unique_ptr<WritableFile> file;
  std::string path;
  std::string buffer;
  uint64_t bytes = 0;  // records written, buffered included
  uint64_t count = 0;
};

SpillFiles::SpillFiles(FileSystem* fs, std::string dir, std::string prefix, size_t partitions, int workers,
                       size_t buffer_bytes)
    : fs_(fs),
      dir_(std::move(dir)),
      prefix_(std::move(prefix)),
      partitions_(partitions),
      workers_(workers),
      buffer_bytes_(buffer_bytes),
      writers_((partitions + 1) * static_cast<size_t>(workers)) {}

SpillFiles::~SpillFiles() = default;

std::string SpillFiles::PathOf(size_t partition, int worker) const {
  return JoinPath(dir_, prefix_ + "-" + std::to_string(partition) + "-" + std::to_string(worker));
}

Status SpillFiles::Flush(Writer& w) {
  const Status written = w.file->Append(w.buffer);
  if (!written.ok()) return TempFileError("write", w.path, written);
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

uint64_t SpillFiles::Sum(size_t partition, uint64_t Writer::*field) const {
  uint64_t total = 0;
  for (int worker = 0; worker < workers_; ++worker) {
    const auto& w = writers_[partition * static_cast<size_t>(workers_) + static_cast<size_t>(worker)];
    if (w != nullptr) total += (*w).*field;
  }
  return total;
}

Result<std::unique_ptr<RandomAccessFile>> SpillFiles::OpenForReading(const Writer& w) const {
  Result<std::unique_ptr<RandomAccessFile>> file = fs_->OpenForRandomAccess(w.path);
  if (!file.ok()) return TempFileError("open", w.path, file.status());
  return file;
}

Result<std::vector<BuildRow>> SpillFiles::Load(size_t partition, LargeBuffer* buffer) const {
  if (buffer->size() < Bytes(partition)) *buffer = LargeBuffer(Bytes(partition));
  size_t filled = 0;
  for (int worker = 0; worker < workers_; ++worker) {
    const auto& w = writers_[partition * static_cast<size_t>(workers_) + static_cast<size_t>(worker)];
    if (w == nullptr) continue;
    MF_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, OpenForReading(*w));
    MF_RETURN_IF_ERROR(ReadExactlyAt(*file, 0, buffer->data() + filled, w->bytes, w->path));
    filled += w->bytes;
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
    MF_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, OpenForReading(*w));
    uint64_t left = w->bytes;
    uint64_t offset = 0;
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
      const uint64_t step = std::min<uint64_t>(buffer.size() - filled, left);
      status = ReadExactlyAt(*file, offset, buffer.data() + filled, step, w->path);
      if (!status.ok()) break;
      offset += step;
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
