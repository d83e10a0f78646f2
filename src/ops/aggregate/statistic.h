// Statistic: one of aggregate's `--stats`, and what a group must accumulate
// to compute it.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace mergeflow {

enum class StatKind { kCount, kSum, kMean, kVar, kStd, kMin, kMax, kNnz, kFracNnz, kCountGe, kCountGt };

struct Statistic {
  StatKind kind = StatKind::kMean;
  double threshold = 0;  // count_ge:T and count_gt:T
  std::string name;      // as given: "mean", "count_ge:1"
  // Whether the statistic is a count (written as an integer).
  bool is_count() const {
    return kind == StatKind::kCount || kind == StatKind::kNnz || kind == StatKind::kCountGe ||
           kind == StatKind::kCountGt;
  }
};

// Parses `--stats` (each entry one statistic; count_ge:T and count_gt:T take
// a number T). Fails with InvalidArgument naming an unknown or repeated one.
Result<std::vector<Statistic>> ParseStatistics(const std::vector<std::string>& names);

// What the statistics need accumulated per group and feature, beyond the
// count of missing values (always kept).
struct StateNeeds {
  bool sum = false;      // sum of values (compensated)
  bool sum_sq = false;   // sum of squares (compensated)
  bool nnz = false;      // values not 0
  bool min_max = false;  // least and greatest value not 0
  std::vector<double> ge_thresholds;  // count of values >= T, per T
  std::vector<double> gt_thresholds;  // count of values > T, per T
};

StateNeeds NeedsOf(const std::vector<Statistic>& stats);

}  // namespace mergeflow
