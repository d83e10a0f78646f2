// ScanRows: one thread scans every chunk of a reader, row by row.
#pragma once

#include <cstdint>
#include <string>

#include "text/bad_row_log.h"
#include "text/chunk_reader.h"
#include "text/row_scanner.h"

namespace mergeflow {

// Scans the chunks of `reader` in turn with `scanner` (a chunk that starts a
// file has its header skipped), calling on_row(const RowView&, const Chunk&)
// for each good row and reporting malformed ones to `log`. After each chunk,
// after_chunk() (returning Status) may stop the scan. Adds the good rows to
// *rows. Returns the first failure: reading, a bad row in error mode, or
// after_chunk's.
template <class RowFn, class AfterChunkFn>
Status ScanRows(ChunkReader* reader, RowScanner* scanner, BadRowLog* log, RowFn on_row, AfterChunkFn after_chunk,
                uint64_t* rows) {
  Chunk chunk;
  struct Visitor {
    RowFn& on_row;
    BadRowLog* log;
    const Chunk& chunk;
    uint64_t rows = 0;
    void OnRow(const RowView& row) {
      ++rows;
      on_row(row, chunk);
    }
    bool OnBadRow(uint64_t offset, std::string message) { return log->Report(chunk, offset, std::move(message)); }
  } visitor{on_row, log, chunk};
  for (;;) {
    Result<bool> more = reader->Next(&chunk);
    if (!more.ok()) return more.status();
    if (!more.value()) break;
    scanner->Scan(chunk.data, chunk.size, chunk.starts_file, visitor);
    reader->Recycle(std::move(chunk));
    if (log->failed()) return log->FirstError();
    MF_RETURN_IF_ERROR(after_chunk());
  }
  *rows += visitor.rows;
  return Status::OK();
}

}  // namespace mergeflow
