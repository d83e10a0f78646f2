// Aggregate over a matrix file (formats/matrix_file.h): the rows' groups are
// known before the pass (from obs columns or META), so each slice of the
// stored matrix is added to per-worker partial states directly.
#include <algorithm>

#include "common/thread_pool.h"
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

// Counts row `row` into `states` (or as left out); true when it belongs to a group.
bool CountRow(const RowGroups& groups, uint64_t row, PartialGroups* states) {
  const int32_t g = groups.of_row[row];
  if (g == RowGroups::kNoMetaRow) {
    ++states->unmatched_rows;
    return false;
  }
  if (g == RowGroups::kNullGroup) {
    ++states->null_group_rows;
    return false;
  }
  states->states.CountRow(static_cast<size_t>(g));
  ++states->aggregated_rows;
  return true;
}

// Adds value `x` of feature `f` (relative to the block) to group `g`.
void Add(PartialGroups* states, size_t g, size_t f, double x) {
  if (std::isnan(x))
    states->states.AddMissing(g, f);
  else
    states->states.AddValue(g, f, x);
}

// Adds major elements [from, to) of `slice` to `states`, features [begin, end).
void AddSlice(const MatrixSlice& slice, size_t from, size_t to, const RowGroups& groups, size_t begin, size_t end,
              PartialGroups* states) {
  for (size_t i = from; i < to; ++i) {
    const uint64_t major = slice.first + i;
    if (slice.by_row) {
      if (!CountRow(groups, major, states)) continue;
      const size_t g = static_cast<size_t>(groups.of_row[major]);
      for (uint64_t k = slice.offsets[i]; k < slice.offsets[i + 1]; ++k) {
        const uint64_t f = slice.indices[k];
        if (f >= begin && f < end) Add(states, g, f - begin, slice.values[k]);
      }
    } else {
      const size_t f = major - begin;  // slices of a by-feature matrix cover only the block
      for (uint64_t k = slice.offsets[i]; k < slice.offsets[i + 1]; ++k) {
        const int32_t g = groups.of_row[slice.indices[k]];
        if (g >= 0) Add(states, static_cast<size_t>(g), f, slice.values[k]);
      }
    }
  }
}

Result<AggregatePass> MatrixPass(const ProcessGroup& processes, const MatrixFile& matrix, const RowGroups& groups,
                                 size_t begin, size_t end, const AggregateOptions& o) {
  const StateNeeds needs = NeedsOf(o.stats);
  const int workers = o.threads;
  std::vector<std::unique_ptr<PartialGroups>> states = WorkerStates(groups, needs, end - begin, workers);
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
    for (uint64_t row = 0; row < matrix.rows(); ++row) CountRow(groups, row, states[0].get());
  }
  if (o.progress != nullptr) o.progress->StartPhase("aggregate", last - first);
  MF_RETURN_IF_ERROR(matrix.ReadSlices(first, last, kSliceEntries, [&](const MatrixSlice& slice) {
    const size_t n = slice.size();
    ParallelFor(static_cast<size_t>(workers), workers, [&](size_t part, int worker) {
      AddSlice(slice, n * part / workers, n * (part + 1) / workers, groups, begin, end, states[worker].get());
    });
    if (o.progress != nullptr) o.progress->Add(n, matrix.by_row() ? n : 0);
    return Status::OK();
  }));
  if (o.progress != nullptr) o.progress->Finish();
  pass.groups = std::make_unique<PartialGroups>(needs, end - begin);
  for (const auto& worker : states) pass.groups->Merge(*worker);
  return pass;
}

}  // namespace

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
