#include "text/rows_at.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace mergeflow {

size_t RowLength(const char* data, size_t n, bool quoting) {
  if (!quoting) {
    const void* newline = std::memchr(data, '\n', n);
    return newline == nullptr ? 0 : static_cast<size_t>(static_cast<const char*>(newline) - data) + 1;
  }
  bool quoted = false;
  for (size_t i = 0; i < n; ++i) {
    if (data[i] == '"') quoted = !quoted;
    if (data[i] == '\n' && !quoted) return i + 1;
  }
  return 0;
}

RowReads RowReadsFor(std::string_view uri) {
  const std::string_view scheme = UriScheme(uri);
  if (scheme.empty() || scheme == "file") return RowReads{};
  return RowReads{.hole = 1 << 20, .longest = 16 << 20};
}

Status RowsAtReader::Read(const RandomAccessFile& file, const std::string& name, std::span<const uint64_t> offsets,
                          bool quoting, const RowReads& reads,
                          const std::function<Status(uint64_t offset, std::string_view row)>& on_row) {
  const uint64_t size = file.Size();
  uint64_t guess = std::max<uint64_t>(reads.row_guess, 1);
  size_t next = 0;  // the first row not yet handed out
  while (next < offsets.size()) {
    const uint64_t begin = offsets[next];
    if (begin >= size) return Status::BadInput(name + ": no row starts at byte " + std::to_string(begin));
    // The rows this read reaches: each within `hole` of the one before.
    size_t last = next;
    while (last + 1 < offsets.size() && offsets[last + 1] - offsets[last] <= reads.hole &&
           offsets[last + 1] - begin < reads.longest) {
      ++last;
    }
    const uint64_t end = std::min(size, offsets[last] + guess);
    const size_t bytes = end - begin;
    if (bytes > capacity_) {
      capacity_ = std::max<size_t>(bytes, 2 * capacity_);
      buffer_.reset(new char[capacity_]);
    }
    const char* buffer = buffer_.get();
    MF_ASSIGN_OR_RETURN(size_t got, file.ReadAt(begin, bytes, buffer_.get()));
    if (got != bytes) return Status::IOError(name + ": shorter than when opened");
    const size_t first = next;
    for (; next <= last; ++next) {
      const size_t at = offsets[next] - begin;
      if (offsets[next] >= size) break;  // named by the next read
      size_t length = RowLength(buffer + at, bytes - at, quoting);
      if (length == 0 && end == size) length = bytes - at;  // the last row, without a line end
      if (length == 0) break;                               // goes on past this read
      MF_RETURN_IF_ERROR(on_row(offsets[next], std::string_view(buffer + at, length)));
    }
    // A row longer than the guess: read again from it with twice the guess.
    if (next == first) guess *= 2;
  }
  return Status::OK();
}

}  // namespace mergeflow
