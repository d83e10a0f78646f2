// RowLines: the line numbers of rows as a single-threaded scan meets them
// (text/scan_rows.h), counted incrementally so that a whole file costs one
// pass over its newlines.
#pragma once

#include <cstdint>

#include "text/byte_classifier.h"
#include "text/file_chunker.h"
#include "text/row_scanner.h"

namespace mergeflow {

class RowLines {
 public:
  // The line (from 1) on which `row` of `chunk` starts; 0 when the chunk
  // does not know its lines (a byte range starting inside a file).
  // REQUIRES: rows are given in the order of the scan.
  uint64_t LineOf(const RowView& row, const Chunk& chunk) {
    if (chunk.id != chunk_id_ || counted_to_ == nullptr) {
      chunk_id_ = chunk.id;
      counted_to_ = chunk.data;
      line_ = chunk.first_line;
    }
    line_ += CountByte(counted_to_, static_cast<size_t>(row.data - counted_to_), '\n');
    counted_to_ = row.data;
    return chunk.first_line == 0 ? 0 : line_;
  }

 private:
  uint32_t chunk_id_ = UINT32_MAX;
  const char* counted_to_ = nullptr;
  uint64_t line_ = 0;
};

}  // namespace mergeflow
