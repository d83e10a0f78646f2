// ScanSide: every worker thread scans chunks of one join input until it ends.
#pragma once

#include <vector>

#include "common/first_error.h"
#include "common/progress.h"
#include "common/thread_pool.h"
#include "engine/hash_join.h"
#include "text/bad_row_log.h"
#include "text/row_scanner.h"

namespace mergeflow {

// Scans `side` on `threads` workers. Each worker makes its visitor with
// make_visitor(worker, &chunk) (a RowScanner visitor with a `rows` counter),
// scans chunks until the input ends or a worker failed, and after each chunk
// calls after_chunk(worker, visitor, chunk), which owns the chunk from then
// on; finally finish(worker, visitor). Adds the rows seen to *rows and
// reports progress, if `progress` is set. Returns the first failure, or the
// first bad row in error mode.
template <class MakeVisitor, class AfterChunk, class Finish>
Status ScanSide(const JoinSide& side, int threads, Progress* progress, BadRowLog* log, uint64_t* rows,
                MakeVisitor make_visitor, AfterChunk after_chunk, Finish finish) {
  std::vector<uint64_t> counts(threads, 0);
  FirstError error;
  RunOnWorkers(threads, [&](int worker) {
    RowScanner scanner(side.dialect, static_cast<uint32_t>(side.schema.names.size()), side.schema.key_fields);
    Chunk chunk;
    auto visitor = make_visitor(worker, &chunk);
    for (;;) {
      if (error.set() || log->failed()) break;
      auto next = side.reader->Next(&chunk);
      if (!next.ok()) {
        error.Set(next.status());
        break;
      }
      if (!next.value()) break;
      const uint64_t before = visitor.rows;
      scanner.Scan(chunk.data, chunk.size, side.header && chunk.starts_file, visitor);
      if (progress != nullptr) progress->Add(chunk.stored_size, visitor.rows - before);
      Status status = after_chunk(worker, visitor, chunk);
      if (!status.ok()) error.Set(std::move(status));
    }
    Status status = finish(worker, visitor);
    if (!status.ok()) error.Set(std::move(status));
    counts[worker] = visitor.rows;
  });
  if (error.set()) return error.status();
  if (log->failed()) return log->FirstError();
  for (uint64_t count : counts) *rows += count;
  return Status::OK();
}

}  // namespace mergeflow
