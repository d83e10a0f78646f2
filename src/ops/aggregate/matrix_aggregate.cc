// Aggregate over a matrix file (formats/matrix_file.h) or a Matrix Market
// directory: the rows' groups are known before the pass (from obs columns or
// META), so the stored entries are added to partial states directly: one set
// shared out by feature for a matrix file, one per worker for Matrix Market
// entries (each worker adds the chunks it parsed).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "cluster/input_ranges.h"
#include "common/first_error.h"
#include "common/thread_pool.h"
#include "text/bad_row_log.h"
#include "text/chunk_reader.h"
#include "ops/aggregate/aggregate.h"
#include "ops/aggregate/feature_blocks.h"

namespace mergeflow {
namespace {

constexpr uint64_t kSliceEntries = uint64_t{1} << 20;

// Per-worker states whose group numbers are those of `groups.groups`.
std::vector<std::unique_ptr<PartialGroups>> WorkerStates(const RowGroups& groups, const StateNeeds& needs,
                                                        size_t features, int workers) {
  std::vector<std::unique_ptr<PartialGroups>> states;
  for (int w = 0; w < workers; ++w) {
    states.push_back(std::make_unique<PartialGroups>(needs, features));
    for (const std::vector<std::string>& values : groups.groups) states.back()->GroupOf(values);
  }
  return states;
}

// Counts row `row` into its group of `states`, or as left out.
void CountRow(const RowGroups& groups, uint64_t row, PartialGroups* states) {
  const int32_t g = groups.of_row[row];
  if (g == RowGroups::kNoMetaRow) {
    ++states->unmatched_rows;
  } else if (g == RowGroups::kNullGroup) {
    ++states->null_group_rows;
  } else {
    states->states.CountRow(static_cast<size_t>(g));
    ++states->aggregated_rows;
  }
}

// Adds value `x` of feature `f` (relative to the block) to group `g`.
void Add(PartialGroups* states, size_t g, size_t f, double x) {
  if (std::isnan(x))
    states->states.AddMissing(g, f);
  else
    states->states.AddValue(g, f, x);
}

// Adds part `part` of `parts` of `slice` to `states` (features [begin,
// end)). The parts own disjoint features, so they run at once on one set of
// states: a slice of rows is split by feature (each part reads every row and
// keeps its features; part 0 also counts the rows), a slice of features by
// its features.
void AddSlicePart(const MatrixSlice& slice, size_t part, size_t parts, const RowGroups& groups, size_t begin,
                  size_t end, PartialGroups* states) {
  if (slice.by_row) {
    const size_t lo = begin + (end - begin) * part / parts;
    const size_t hi = begin + (end - begin) * (part + 1) / parts;
    for (size_t i = 0; i < slice.size(); ++i) {
      const uint64_t row = slice.first + i;
      if (part == 0) CountRow(groups, row, states);
      const int32_t g = groups.of_row[row];
      if (g < 0 || lo == hi) continue;
      for (uint64_t k = slice.offsets[i]; k < slice.offsets[i + 1]; ++k) {
        const uint64_t f = slice.indices[k];
        if (f >= lo && f < hi) Add(states, static_cast<size_t>(g), f - begin, slice.values[k]);
      }
    }
    return;
  }
  const size_t n = slice.size();
  for (size_t i = n * part / parts; i < n * (part + 1) / parts; ++i) {
    const size_t f = slice.first + i - begin;  // slices of a by-feature matrix cover only the block
    for (uint64_t k = slice.offsets[i]; k < slice.offsets[i + 1]; ++k) {
      const int32_t g = groups.of_row[slice.indices[k]];
      if (g >= 0) Add(states, static_cast<size_t>(g), f, slice.values[k]);
    }
  }
}

Result<AggregatePass> MatrixPass(const ProcessGroup& processes, const MatrixFile& matrix, const RowGroups& groups,
                                 size_t begin, size_t end, const AggregateOptions& o) {
  const StateNeeds needs = NeedsOf(o.stats);
  const int workers = o.threads;
  // One set of states, its features shared out among the workers.
  std::unique_ptr<PartialGroups> states = std::move(WorkerStates(groups, needs, end - begin, 1).front());
  // This process's share of the stored major elements (of the block's
  // features, for a matrix stored by feature).
  const uint64_t lo = matrix.by_row() ? 0 : begin;
  const uint64_t hi = matrix.by_row() ? matrix.rows() : end;
  const uint64_t span = hi - lo;
  const uint64_t first = lo + span * static_cast<uint64_t>(processes.rank()) / static_cast<uint64_t>(processes.size());
  const uint64_t last =
      lo + span * static_cast<uint64_t>(processes.rank() + 1) / static_cast<uint64_t>(processes.size());
  AggregatePass pass;
  if (matrix.by_row()) {
    pass.rows_read = last - first;
  } else if (processes.leader()) {
    // Stored by feature: every row is counted once, by rank 0.
    pass.rows_read = matrix.rows();
    for (uint64_t row = 0; row < matrix.rows(); ++row) CountRow(groups, row, states.get());
  }
  if (o.progress != nullptr) o.progress->StartPhase("aggregate", last - first);
  const size_t parts = static_cast<size_t>(workers);
  MF_RETURN_IF_ERROR(matrix.ReadSlices(first, last, kSliceEntries, [&](const MatrixSlice& slice) {
    ParallelFor(parts, workers,
                [&](size_t part, int) { AddSlicePart(slice, part, parts, groups, begin, end, states.get()); });
    if (o.progress != nullptr) o.progress->Add(slice.size(), matrix.by_row() ? slice.size() : 0);
    return Status::OK();
  }));
  if (o.progress != nullptr) o.progress->Finish();
  pass.groups = std::move(states);
  return pass;
}

// Adds the entries of one chunk of matrix.mtx (rows of `mtx` are features,
// columns barcodes) to `states`, features [begin, end). What lies before
// mtx.data_offset (the banner, comments and the size line) is skipped.
Status AddMatrixMarketChunk(const MatrixMarketDirectory& mtx, const Chunk& chunk, const RowGroups& groups,
                            size_t begin, size_t end, BadRowLog* log, PartialGroups* states) {
  const char* at = chunk.data;
  const char* stop = chunk.data + chunk.size;
  if (chunk.file_offset < mtx.data_offset) at += std::min<uint64_t>(mtx.data_offset - chunk.file_offset, chunk.size);
  while (at < stop) {
    const char* newline = static_cast<const char*>(std::memchr(at, '\n', static_cast<size_t>(stop - at)));
    const char* line_end = newline == nullptr ? stop : newline;
    if (line_end > at && !(line_end == at + 1 && *at == '\r')) {
      uint64_t feature;
      uint64_t barcode;
      double value;
      if (!ParseMatrixMarketEntry(at, line_end, mtx.pattern, &feature, &barcode, &value) ||
          feature >= mtx.features.size() || barcode >= mtx.barcodes.size()) {
        log->Report(chunk, static_cast<uint64_t>(at - chunk.data),
                    "expected an entry 'FEATURE BARCODE VALUE' within " + std::to_string(mtx.features.size()) + " x " +
                        std::to_string(mtx.barcodes.size()) + ", found '" +
                        std::string(at, std::min<size_t>(static_cast<size_t>(line_end - at), 60)) + "'");
        return log->FirstError();
      }
      const int32_t g = groups.of_row[barcode];
      if (g >= 0 && feature >= begin && feature < end) Add(states, static_cast<size_t>(g), feature - begin, value);
    }
    at = line_end + 1;
  }
  return Status::OK();
}

Result<AggregatePass> MatrixMarketPass(const ProcessGroup& processes, const MatrixMarketDirectory& mtx,
                                       const RowGroups& groups, size_t begin, size_t end,
                                       const AggregateOptions& o) {
  const StateNeeds needs = NeedsOf(o.stats);
  const int workers = o.threads;
  std::vector<std::unique_ptr<PartialGroups>> states = WorkerStates(groups, needs, end - begin, workers);
  AggregatePass pass;
  if (processes.leader()) {
    // Entries come in any order: every barcode is counted once, by rank 0.
    pass.rows_read = mtx.barcodes.size();
    for (uint64_t row = 0; row < mtx.barcodes.size(); ++row) CountRow(groups, row, states[0].get());
  }
  ChunkReader reader({mtx.matrix}, RangesForRank({mtx.matrix}, processes.rank(), processes.size(), false),
                     Dialect{' ', false}, o.chunk_bytes, workers, ChunkOrder::kAnyOrder);
  BadRowLog log(false, &reader);
  FirstError error;
  if (o.progress != nullptr) o.progress->StartPhase("aggregate", mtx.matrix.size);
  RunOnWorkers(workers, [&](int worker) {
    Chunk chunk;
    while (!error.set()) {
      Result<bool> more = reader.Next(&chunk);
      if (!more.ok()) error.Set(more.status());
      if (!more.ok() || !more.value()) break;
      Status added = AddMatrixMarketChunk(mtx, chunk, groups, begin, end, &log, states[worker].get());
      if (!added.ok()) error.Set(added);
      if (o.progress != nullptr) o.progress->Add(chunk.stored_size, 0);
      reader.Recycle(std::move(chunk));
    }
  });
  if (o.progress != nullptr) o.progress->Finish();
  if (log.failed()) return log.FirstError();
  MF_RETURN_IF_ERROR(error.status());
  pass.groups = std::make_unique<PartialGroups>(needs, end - begin);
  for (const auto& worker : states) pass.groups->Merge(*worker);
  return pass;
}

}  // namespace

Status RunMatrixMarketAggregate(const ProcessGroup& processes, const MatrixMarketDirectory& mtx,
                                const RowGroups& groups, const AggregateOptions& options, AggregateResult* result) {
  result->feature_names = mtx.features;
  if (result->feature_names.empty()) return Status::BadInput(mtx.matrix.path + ": the matrix has no features");
  return AggregateInBlocks(
      processes, groups.groups.size(), options,
      [&](size_t begin, size_t end, bool, uint64_t) {
        return MatrixMarketPass(processes, mtx, groups, begin, end, options);
      },
      result);
}

Status RunMatrixAggregate(const ProcessGroup& processes, const MatrixFile& matrix, const RowGroups& groups,
                          const AggregateOptions& options, AggregateResult* result) {
  result->feature_names = matrix.feature_names();
  if (result->feature_names.empty()) return Status::BadInput("the matrix has no features");
  return AggregateInBlocks(
      processes, groups.groups.size(), options,
      [&](size_t begin, size_t end, bool, uint64_t) { return MatrixPass(processes, matrix, groups, begin, end, options); },
      result);
}

}  // namespace mergeflow
