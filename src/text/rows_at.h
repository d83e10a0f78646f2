// Reading chosen rows of a text file by where they start: the rows a keys
// file points at, without reading (or mapping) the rest of the file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "io/file_system.h"

namespace mergeflow {

// How RowsAtReader groups rows into reads.
struct RowReads {
  uint64_t hole = 16 << 10;      // rows at most this far apart are read in one go
  uint64_t longest = 4 << 20;    // a read spans at most this much (more for one longer row)
  uint64_t row_guess = 4 << 10;  // bytes read past the last row's start; doubled while a row does not fit
};

// The length of the row at data[0] with its line end: up to the first
// newline (outside double quotes, with `quoting`); 0 when data[0, n) holds
// none.
size_t RowLength(const char* data, size_t n, bool quoting);

// Reads the rows at chosen offsets of files, one file at a time, keeping
// its buffer from one file to the next. Not thread-safe: one a thread.
class RowsAtReader {
 public:
  explicit RowsAtReader(RowReads reads = {}) : reads_(reads) {}

  // Calls on_row(offset, bytes) for the row starting at each of `offsets`
  // (ascending, no repeats) of `file`, in order, its bytes with its line
  // end (the last row of the file may have none). Rows close together are
  // read together (see RowReads), so the bytes between them are read too
  // but never handed out. The bytes last only for the call. Stops at, and
  // returns, the first error of a read or of on_row; an offset at or past
  // the end of the file is BadInput naming `name`.
  Status Read(const RandomAccessFile& file, const std::string& name, std::span<const uint64_t> offsets,
              bool quoting, const std::function<Status(uint64_t offset, std::string_view row)>& on_row);

 private:
  const RowReads reads_;
  std::unique_ptr<char[]> buffer_;  // left uninitialised: each read fills what it uses
  size_t capacity_ = 0;
};

}  // namespace mergeflow
