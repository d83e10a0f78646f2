// AggregateInBlocks: what every kind of aggregate input shares: features
// taken in blocks that fit the memory limit, one pass over the matrix per
// block, every process's partial states merged on rank 0 and turned into
// the result's statistics. Internal to src/ops/aggregate.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/process_group.h"
#include "ops/aggregate/aggregate.h"
#include "ops/aggregate/partial_groups.h"

namespace mergeflow {

// One pass over the matrix: this process's partial states of one block of
// features, merged over its workers, and what it read.
struct AggregatePass {
  std::unique_ptr<PartialGroups> groups;
  uint64_t rows_read = 0;
  uint64_t bad_rows_skipped = 0;
  uint64_t spilled_bytes = 0;
  std::vector<BadRow> bad_row_samples;
};

// Makes the pass over features [begin, end). `reserved`: the bytes its
// states will take of the memory limit; `check_all`: rows must be checked
// in every feature (a row skipped for a bad value is skipped in every block).
using PassMaker = std::function<Result<AggregatePass>(size_t begin, size_t end, bool check_all, uint64_t reserved)>;

// Runs the passes over every feature of result->feature_names, in blocks
// whose states (for at most `groups` groups) take at most half of
// options.memory_limit, on every process (collective). Fills the rest of
// `result` on rank 0: groups sorted by their values, every statistic, the
// counts (rows read and skipped by the first pass).
Status AggregateInBlocks(const ProcessGroup& processes, uint64_t groups, const AggregateOptions& options,
                         const PassMaker& make_pass, AggregateResult* result);

}  // namespace mergeflow
