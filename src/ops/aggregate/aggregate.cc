#include "ops/aggregate/aggregate.h"

#include <algorithm>
#include <memory>

#include "cluster/input_ranges.h"
#include "engine/hash_join.h"
#include "ops/aggregate/aggregate_output.h"
#include "ops/aggregate/feature_blocks.h"
#include "ops/aggregate/meta_check.h"
#include "text/chunk_reader.h"
#include "text/row_lines.h"
#include "text/row_scanner.h"
#include "text/scan_rows.h"

namespace mergeflow {
namespace {

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

Result<AggregatePass> RunPass(const ProcessGroup& processes, const AggregateSource& matrix, const AggregateSource& meta,
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
  AggregatePass pass;
  JoinStats stats;
  Status joined = RunHashJoin(left.side, right.side, join, &output, &stats);
  if (bad_values.failed()) return bad_values.FirstError();
  const std::string spilled_problem = output.first_spilled_problem();
  if (!o.skip_bad_rows && !spilled_problem.empty())
    return Status::BadInput(LocateRow(matrix, output.first_spilled_row(), o) + ": " + spilled_problem);
  MF_RETURN_IF_ERROR(joined);
  pass.rows_read = stats.left_rows;
  pass.spilled_bytes = stats.spilled_bytes;
  pass.bad_rows_skipped = stats.bad_rows_skipped + bad_values.count() + output.spilled_bad_rows();
  pass.bad_row_samples = stats.bad_row_samples;
  for (BadRow& row : bad_values.samples()) pass.bad_row_samples.push_back(std::move(row));
  pass.groups = std::make_unique<PartialGroups>(needs, end - begin);
  for (const auto& worker : output.workers()) pass.groups->Merge(*worker);
  return pass;
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

  AggregateRows rows{matrix.dialect, matrix.key_field, &result->feature_names, meta.dialect, group_fields,
                     options.missing};
  const StateNeeds needs = NeedsOf(options.stats);
  return AggregateInBlocks(processes, facts.groups, options, [&](size_t begin, size_t end, bool check_all,
                                                                 uint64_t reserved) {
    return RunPass(processes, matrix, meta, rows, needs, begin, end, check_all, reserved, options);
  }, result);
}

}  // namespace mergeflow
