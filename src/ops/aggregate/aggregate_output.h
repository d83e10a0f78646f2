// AggregateOutput: aggregate's MatchOutput. The hash join pairs each matrix
// row (left) with the META row of its id (right); each worker reads the
// row's values in the current block of features and adds them to the
// partial states of the META row's group. A matrix row whose id has no META
// row, or whose group has an empty value, is counted and left out.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/match_output.h"
#include "ops/aggregate/partial_groups.h"
#include "ops/aggregate/row_values.h"
#include "text/bad_row_log.h"
#include "text/dialect.h"

namespace mergeflow {

// How matrix and META rows are read.
struct AggregateRows {
  Dialect matrix_dialect;
  uint32_t id_field = 0;                      // of matrix rows
  const std::vector<std::string>* feature_names = nullptr;
  Dialect meta_dialect;
  std::vector<uint32_t> group_fields;         // of META rows, in --by order
  MissingValues missing;
};

class AggregateOutput : public MatchOutput {
 public:
  // Features [block_begin, block_end) for `workers` workers (`check_all`:
  // see RowValueReader). Bad values are
  // reported to `bad_values` (for rows from the input, with file and line;
  // else kept in first_spilled_problem()). Arguments must outlive this.
  AggregateOutput(const AggregateRows& rows, const StateNeeds& needs, size_t block_begin, size_t block_end,
                  bool check_all, int workers, BadRowLog* bad_values);

  std::unique_ptr<MatchLane> NewLane(int worker, const Chunk* chunk) override;

  std::vector<std::unique_ptr<PartialGroups>>& workers() { return workers_; }
  // A bad value found in a row read back from spill files (no line known):
  // the first such problem and the row's bytes; empty if none.
  std::string first_spilled_problem() const;
  std::string first_spilled_row() const;
  // Rows with a bad value that were skipped (--bad-rows skip) among rows
  // read back from spill files (those from the input are in bad_values).
  uint64_t spilled_bad_rows() const;

 private:
  class Lane;

  const AggregateRows& rows_;
  size_t block_begin_;
  size_t block_end_;
  bool check_all_;
  BadRowLog* bad_values_;
  std::vector<std::unique_ptr<PartialGroups>> workers_;
  mutable std::mutex mu_;
  std::string first_spilled_problem_;
  std::string first_spilled_row_;
  uint64_t spilled_bad_rows_ = 0;
};

}  // namespace mergeflow
