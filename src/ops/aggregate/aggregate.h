// RunAggregate: grouped statistics of a wide matrix, as `mergeflow
// aggregate` computes them (DESIGN section 5).
//
// Aggregate is a keyed operator on the engine: each pass is a hash join of
// the matrix (probe side, streamed) with META (build side: a lookup table
// from row id to group, spilled by the engine like any build side when it
// does not fit), whose MatchOutput (aggregate_output.h) adds each matrix
// row's values to its group's partial states. When the states of every
// feature do not fit in the memory limit, features are taken in blocks,
// one pass per block. On several processes each reads its byte ranges of
// the matrix (and all of META) and rank 0 merges everyone's states.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/process_group.h"
#include "common/progress.h"
#include "formats/matrix_file.h"
#include "formats/matrix_market.h"
#include "io/file_system.h"
#include "ops/aggregate/row_values.h"
#include "ops/aggregate/statistic.h"
#include "text/bad_row_log.h"
#include "text/dialect.h"

namespace mergeflow {

// One delimited text input: its files, dialect and columns (all files have
// a header line).
struct AggregateSource {
  std::vector<FileInfo> files;
  Dialect dialect;
  std::vector<std::string> columns;
  uint32_t key_field = 0;  // the matrix's row id, or META's key
};

struct AggregateOptions {
  std::vector<Statistic> stats;
  int ddof = 1;
  MissingValues missing;
  bool skip_bad_rows = false;
  int threads = 1;
  uint64_t memory_limit = 0;  // bytes; 0: no limit
  size_t chunk_bytes = 4 << 20;
  std::string temp_dir;
  bool whole_files = false;    // several processes: never cut a file (quoted newlines)
  Progress* progress = nullptr;
};

struct AggregateResult {
  std::vector<std::string> feature_names;         // in input order
  std::vector<std::vector<std::string>> groups;   // --by values, sorted as byte strings
  std::vector<uint64_t> group_rows;               // matrix rows aggregated into each group
  std::vector<std::vector<double>> values;        // per statistic: [group * features + feature]
  uint64_t matrix_rows = 0;
  uint64_t meta_rows = 0;
  uint64_t aggregated_rows = 0;
  uint64_t unmatched_rows = 0;   // no META row for the id
  uint64_t null_group_rows = 0;  // a group value is empty
  uint64_t bad_rows_skipped = 0;
  std::vector<BadRow> bad_row_samples;
  int feature_blocks = 0;
  uint64_t spilled_bytes = 0;
};

// Aggregates `matrix` by the groups that META's `group_fields` give its rows,
// on every process of `processes` (each calls it; the result is complete on
// rank 0 only). Fails with BadInput naming file and line for a malformed row,
// a value that is not a number (unless skipped) or a repeated META key.
Status RunAggregate(const ProcessGroup& processes, const AggregateSource& matrix, const AggregateSource& meta,
                    const std::vector<uint32_t>& group_fields, const AggregateOptions& options,
                    AggregateResult* result);

// The groups of a matrix file's rows.
struct RowGroups {
  static constexpr int32_t kNoMetaRow = -2;  // the row's id has no META row
  static constexpr int32_t kNullGroup = -1;  // a group value of the row is empty
  std::vector<int32_t> of_row;               // per row: an index into `groups`, or one of the above
  std::vector<std::vector<std::string>> groups;
};

// Aggregates `matrix` (a MatrixFile, formats/matrix_file.h) by `groups`, on
// every process (rank r takes the r-th share of the stored rows, or of the
// features when the matrix is stored by feature); the result is complete on
// rank 0 only. A NaN in the matrix is a missing value.
Status RunMatrixAggregate(const ProcessGroup& processes, const MatrixFile& matrix, const RowGroups& groups,
                          const AggregateOptions& options, AggregateResult* result);

// Aggregates a 10x Matrix Market directory (formats/matrix_market.h) by
// `groups` (of its barcodes), on every process: each reads its byte ranges
// of matrix.mtx (a compressed one whole, by one process), rank 0 counts the
// barcodes. BadInput naming file and line for an entry that does not parse.
Status RunMatrixMarketAggregate(const ProcessGroup& processes, const MatrixMarketDirectory& mtx,
                                const RowGroups& groups, const AggregateOptions& options, AggregateResult* result);

}  // namespace mergeflow
