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

// The reads that suit the store of `uri`: a local read costs a system
// call, worth copying about 16 KiB; a remote one (S3) a request, worth
// transferring about 1 MiB, so rows up to 1 MiB apart share one.
RowReads RowReadsFor(std::string_view uri);

// The length of the row at data[0] with its line end: up to the first
// newline (outside double quotes, with `quoting`); 0 when data[0, n) holds
// none.
size_t RowLength(const char* data, size_t n, bool quoting);

// Reads the rows at chosen offsets of files, one file at a time, keeping
// its buffer from one file to the next. Not thread-safe: one a thread.
class RowsAtReader {
 public:
  // Calls on_row(offset, bytes) for the row starting at each of `offsets`
  // (ascending, no repeats) of `file`, in order, its bytes with its line
  // end (the last row of the file may have none). Rows close together are
  // read together (as `reads` says), so the bytes between them are read too
  // but never handed out. The bytes last only for the call. Stops at, and
  // returns, the first error of a read or of on_row; an offset at or past
  // the end of the file is BadInput naming `name`.
  Status Read(const RandomAccessFile& file, const std::string& name, std::span<const uint64_t> offsets, bool quoting,
              const RowReads& reads, const std::function<Status(uint64_t offset, std::string_view row)>& on_row);

 private:
  std::unique_ptr<char[]> buffer_;  // left uninitialised: each read fills what it uses
  size_t capacity_ = 0;
};

}  // namespace mergeflow
