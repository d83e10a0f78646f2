#include "ops/aggregate/aggregate.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>

#include "cluster/input_ranges.h"
#include "engine/hash_join.h"
#include "ops/aggregate/aggregate_output.h"
#include "ops/aggregate/meta_check.h"
#include "text/chunk_reader.h"
#include "text/row_lines.h"
#include "text/row_scanner.h"
#include "text/scan_rows.h"

namespace mergeflow {
namespace {

// Bytes that each feature costs for `groups` groups: every worker's states,
// the merged states, and the results of every statistic.
uint64_t BytesPerFeature(const StateNeeds& needs, size_t stats, uint64_t groups, int workers) {
  const uint64_t cell = sizeof(uint64_t) + (needs.sum ? sizeof(CompensatedSum) : 0) +
                        (needs.sum_sq ? sizeof(CompensatedSum) : 0) + (needs.nnz ? sizeof(uint64_t) : 0) +
                        (needs.min_max ? 2 * sizeof(double) : 0) +
                        sizeof(uint64_t) * (needs.ge_thresholds.size() + needs.gt_thresholds.size());
  return std::max<uint64_t>(groups, 1) * (cell * static_cast<uint64_t>(workers + 1) + sizeof(double) * stats);
}

// Half of the memory limit goes to states and results, half to the engine.
size_t FeaturesPerBlock(const AggregateOptions& o, const StateNeeds& needs, uint64_t groups, size_t features) {
  if (o.memory_limit == 0 || features == 0) return std::max<size_t>(features, 1);
  const uint64_t per_feature = BytesPerFeature(needs, o.stats.size(), groups, o.threads);
  const uint64_t fit = o.memory_limit / 2 / per_feature;
  return static_cast<size_t>(std::clamp<uint64_t>(fit, 1, features));
}

// A reader of `source` and the JoinSide the engine reads it as: on several
// processes, the matrix is read by byte ranges (META always whole).
struct OpenSource {
  std::unique_ptr<ChunkReader> reader;
  JoinSide side;
};

Result<OpenSource> Open(const AggregateSource& source, const ProcessGroup& processes, bool by_ranges,
                        const AggregateOptions& o) {
  OpenSource open;
  uint64_t bytes = 0;
  if (by_ranges && processes.size() > 1) {
    std::vector<FileRange> ranges = RangesForRank(source.files, processes.rank(), processes.size(), o.whole_files);
    for (const FileRange& r : ranges) bytes += std::min(r.end, source.files[r.file_index].size) - r.begin;
    open.reader = std::make_unique<ChunkReader>(source.files, std::move(ranges), source.dialect, o.chunk_bytes,
                                                o.threads, ChunkOrder::kAnyOrder);
  } else {
    for (const FileInfo& f : source.files) bytes = f.path == "-" ? UINT64_MAX : bytes + f.size;
    open.reader = std::make_unique<ChunkReader>(source.files, source.dialect, o.chunk_bytes, o.threads,
                                                ChunkOrder::kAnyOrder);
  }
  open.side.reader = open.reader.get();
  open.side.dialect = source.dialect;
  open.side.header = true;
  open.side.schema.names = source.columns;
  open.side.schema.key_fields = {source.key_field};
  open.side.bytes = bytes;
  MF_ASSIGN_OR_RETURN(open.side.rows_per_byte, EstimateRowsPerByte(open.reader.get()));
  return open;
}

// "FILE:LINE" of the first row of `source` whose bytes are `row` (a row
// with a bad value found after spilling, when its line was not known), or
// the first file's name if it is not found.
std::string LocateRow(const AggregateSource& source, const std::string& row, const AggregateOptions& o) {
  ChunkReader reader(source.files, source.dialect, o.chunk_bytes, 1, ChunkOrder::kFileOrder);
  RowScanner scanner(source.dialect, static_cast<uint32_t>(source.columns.size()), {source.key_field});
  BadRowLog ignored(true, &reader);
  RowLines lines;
  std::string found;
  uint64_t rows = 0;
  (void)ScanRows(
      &reader, &scanner, &ignored,
      [&](const RowView& r, const Chunk& chunk) {
        const uint64_t line = lines.LineOf(r, chunk);
        if (found.empty() && std::string_view(r.data, r.size) == row)
          found = reader.files()[chunk.file_index].path + ":" + std::to_string(line);
      },
      [&] { return found.empty() ? Status::OK() : Status::Cancelled("found"); }, &rows);
  return found.empty() ? source.files.front().path : found;
}

// One pass: the partial states of features [begin, end) of this process,
// merged over its workers.
struct Pass {
  std::unique_ptr<PartialGroups> groups;
  JoinStats stats;
  uint64_t bad_rows_skipped = 0;
  std::vector<BadRow> bad_row_samples;
};

Result<Pass> RunPass(const ProcessGroup& processes, const AggregateSource& matrix, const AggregateSource& meta,
                     const AggregateRows& rows, const StateNeeds& needs, size_t begin, size_t end, bool check_all,
                     uint64_t reserved_bytes, const AggregateOptions& o) {
  MF_ASSIGN_OR_RETURN(OpenSource left, Open(matrix, processes, true, o));
  MF_ASSIGN_OR_RETURN(OpenSource right, Open(meta, processes, false, o));
  BadRowLog bad_values(o.skip_bad_rows, left.reader.get());
  AggregateOutput output(rows, needs, begin, end, check_all, o.threads, &bad_values);
  JoinOptions join;
  join.type = JoinType::kLeft;
  join.build_right = true;
  join.skip_bad_rows = o.skip_bad_rows;
  join.threads = o.threads;
  join.progress = o.progress;
  join.memory_limit = o.memory_limit;
  join.reserved_bytes = reserved_bytes;
  join.chunk_bytes = o.chunk_bytes;
  join.temp_dir = o.temp_dir;
  Pass pass;
  Status joined = RunHashJoin(left.side, right.side, join, &output, &pass.stats);
  if (bad_values.failed()) return bad_values.FirstError();
  const std::string spilled_problem = output.first_spilled_problem();
  if (!o.skip_bad_rows && !spilled_problem.empty())
    return Status::BadInput(LocateRow(matrix, output.first_spilled_row(), o) + ": " + spilled_problem);
  MF_RETURN_IF_ERROR(joined);
  pass.bad_rows_skipped = pass.stats.bad_rows_skipped + bad_values.count() + output.spilled_bad_rows();
  pass.bad_row_samples = pass.stats.bad_row_samples;
  for (BadRow& row : bad_values.samples()) pass.bad_row_samples.push_back(std::move(row));
  pass.groups = std::make_unique<PartialGroups>(needs, end - begin);
  for (const auto& worker : output.workers()) pass.groups->Merge(*worker);
  return pass;
}

// What each process tells rank 0 about a pass besides its states.
struct PassCounts {
  uint64_t rows_read = 0;
  uint64_t bad_rows_skipped = 0;
  uint64_t spilled_bytes = 0;
};

std::string EncodeCounts(const Pass& pass) {
  const PassCounts counts{pass.stats.left_rows, pass.bad_rows_skipped, pass.stats.spilled_bytes};
  return std::string(reinterpret_cast<const char*>(&counts), sizeof(counts));
}

PassCounts DecodeCounts(const std::string& bytes) {
  PassCounts counts;
  if (bytes.size() == sizeof(counts)) std::memcpy(&counts, bytes.data(), sizeof(counts));
  return counts;
}

// Every process's partial groups merged, on rank 0 (elsewhere: its own).
Result<std::unique_ptr<PartialGroups>> MergeProcesses(const ProcessGroup& processes,
                                                      std::unique_ptr<PartialGroups> mine, const StateNeeds& needs,
                                                      size_t features) {
  if (processes.size() == 1) return mine;
  const std::vector<std::string> all = processes.GatherAll(mine->Encode());
  if (!processes.leader()) return mine;
  auto merged = std::make_unique<PartialGroups>(needs, features);
  for (const std::string& bytes : all) {
    PartialGroups theirs(needs, features);
    if (!theirs.Decode(bytes)) return Status::IOError("a process sent partial states that do not decode");
    merged->Merge(theirs);
  }
  return merged;
}

// Puts the first pass's groups, sorted by their values, into `result`.
void TakeGroups(const PartialGroups& groups, AggregateResult* result) {
  std::vector<size_t> order(groups.values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groups.values[a] < groups.values[b]; });
  for (size_t g : order) {
    result->groups.push_back(groups.values[g]);
    result->group_rows.push_back(groups.states.rows(g));
  }
  result->aggregated_rows = groups.aggregated_rows;
  result->unmatched_rows = groups.unmatched_rows;
  result->null_group_rows = groups.null_group_rows;
}

// Computes every statistic of features [begin, begin + block features) into
// `result`, whose groups are already taken.
Status TakeValues(const PartialGroups& groups, size_t begin, const AggregateOptions& o, AggregateResult* result) {
  const size_t features = result->feature_names.size();
  for (size_t i = 0; i < result->groups.size(); ++i) {
    auto found = groups.index.find(EncodeGroupKey(result->groups[i]));
    if (found == groups.index.end())
      return Status::IOError("a later pass over the matrix found other groups (was it changed while read?)");
    for (size_t s = 0; s < o.stats.size(); ++s) {
      double* out = result->values[s].data() + i * features + begin;
      for (size_t f = 0; f < groups.states.features(); ++f) out[f] = groups.states.Value(o.stats[s], found->second, f, o.ddof);
    }
  }
  return Status::OK();
}

}  // namespace

Status RunAggregate(const ProcessGroup& processes, const AggregateSource& matrix, const AggregateSource& meta,
                    const std::vector<uint32_t>& group_fields, const AggregateOptions& options,
                    AggregateResult* result) {
  for (uint32_t f = 0; f < matrix.columns.size(); ++f) {
    if (f != matrix.key_field) result->feature_names.push_back(matrix.columns[f]);
  }
  const size_t features = result->feature_names.size();
  if (features == 0)
    return Status::BadInput(matrix.files.front().path + ":1: the matrix has no columns besides its id '" +
                            matrix.columns[matrix.key_field] + "'");
  // META first: a repeated key fails the run before the matrix is read.
  ChunkReader meta_reader(meta.files, meta.dialect, options.chunk_bytes, options.threads, ChunkOrder::kFileOrder);
  MF_ASSIGN_OR_RETURN(const MetaFacts facts,
                      CheckMeta(&meta_reader, meta.dialect, static_cast<uint32_t>(meta.columns.size()),
                                meta.key_field, group_fields, options.skip_bad_rows));
  result->meta_rows = facts.rows;

  const StateNeeds needs = NeedsOf(options.stats);
  const size_t block = FeaturesPerBlock(options, needs, facts.groups, features);
  result->feature_blocks = static_cast<int>((features + block - 1) / block);
  const bool check_all = options.skip_bad_rows && result->feature_blocks > 1;
  AggregateRows rows{matrix.dialect, matrix.key_field, &result->feature_names, meta.dialect, group_fields,
                     options.missing};
  for (size_t begin = 0; begin < features; begin += block) {
    const size_t end = std::min(features, begin + block);
    const uint64_t reserved = (end - begin) * BytesPerFeature(needs, options.stats.size(), facts.groups, options.threads);
    Result<Pass> pass = RunPass(processes, matrix, meta, rows, needs, begin, end, check_all, reserved, options);
    MF_RETURN_IF_ERROR(Agree(processes, pass.status_or_ok()));
    Result<std::unique_ptr<PartialGroups>> merged =
        MergeProcesses(processes, std::move(pass.value().groups), needs, end - begin);
    MF_RETURN_IF_ERROR(Agree(processes, merged.status_or_ok()));
    // Rows read and skipped count once (the first pass); spilled bytes add up.
    for (const std::string& bytes : processes.GatherAll(EncodeCounts(pass.value()))) {
      const PassCounts counts = DecodeCounts(bytes);
      result->spilled_bytes += counts.spilled_bytes;
      if (begin == 0) {
        result->matrix_rows += counts.rows_read;
        result->bad_rows_skipped += counts.bad_rows_skipped;
      }
    }
    Status taken = Status::OK();
    if (processes.leader()) {
      if (begin == 0) {
        TakeGroups(*merged.value(), result);
        result->bad_row_samples = pass.value().bad_row_samples;
        result->values.assign(options.stats.size(), std::vector<double>(result->groups.size() * features));
      }
      taken = TakeValues(*merged.value(), begin, options, result);
    }
    MF_RETURN_IF_ERROR(Agree(processes, taken));
  }
  return Status::OK();
}

}  // namespace mergeflow
