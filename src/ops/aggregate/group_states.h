// GroupStates: the partial statistics of every group for a block of
// features, as a thread or an MPI rank accumulates them from its rows.
//
// Zeros cost nothing: a group counts its rows and, per feature, its missing
// values; every other state covers only values that are not 0 (sums, counts
// of non-zeros, least and greatest non-zero, threshold counts), and the
// zeros are added back when a statistic is computed (there are rows - missing
// - nnz of them). Dense text and sparse matrices therefore accumulate the
// same way. Partial states merge exactly (counts add, sums are compensated,
// see compensated_sum.h), so any split of the rows gives the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ops/aggregate/compensated_sum.h"
#include "ops/aggregate/statistic.h"

namespace mergeflow {

class GroupStates {
 public:
  // Empty states (no group yet) for `features` features.
  GroupStates(const StateNeeds& needs, size_t features);

  size_t groups() const { return rows_.size(); }
  size_t features() const { return features_; }
  const StateNeeds& needs() const { return needs_; }

  // Appends a group with nothing accumulated; returns its index.
  size_t AddGroup();
  // Counts one row of `group` (every feature of it is 0 unless added).
  void CountRow(size_t group) { ++rows_[group]; }
  // Counts a missing value of `feature` in the current row of `group`.
  void AddMissing(size_t group, size_t feature) { ++missing_[group * features_ + feature]; }
  // Adds value `x` (not 0, not missing) of `feature` to `group`.
  void AddValue(size_t group, size_t feature, double x) {
    const size_t i = group * features_ + feature;
    if (needs_.sum) sum_[i].Add(x);
    if (needs_.sum_sq) sum_sq_[i].AddSquare(x);
    if (needs_.nnz) ++nnz_[i];
    if (needs_.min_max) {
      if (x < min_[i]) min_[i] = x;
      if (x > max_[i]) max_[i] = x;
    }
    for (size_t t = 0; t < ge_.size(); ++t) ge_[t][i] += x >= needs_.ge_thresholds[t];
    for (size_t t = 0; t < gt_.size(); ++t) gt_[t][i] += x > needs_.gt_thresholds[t];
  }

  // Adds group `from` of `other` (made with the same needs and features)
  // into group `to` of this.
  void Merge(const GroupStates& other, size_t from, size_t to);

  // `stat` of (group, feature); NaN where pandas gives NaN (no values; a
  // variance of fewer than ddof + 1 values). Counts come as doubles.
  double Value(const Statistic& stat, size_t group, size_t feature, int ddof) const;
  // Rows counted for `group`.
  uint64_t rows(size_t group) const { return rows_[group]; }

  // The states of `group` as bytes, and back: appended to `out`; read from
  // `data` at *at (advanced) into a new group of this. Decode fails (false)
  // on bytes too short.
  void EncodeGroup(size_t group, std::string* out) const;
  bool DecodeGroup(const std::string& data, size_t* at);

 private:
  StateNeeds needs_;
  size_t features_;
  std::vector<uint64_t> rows_;
  std::vector<uint64_t> missing_;
  std::vector<CompensatedSum> sum_;
  std::vector<CompensatedSum> sum_sq_;
  std::vector<uint64_t> nnz_;
  std::vector<double> min_;
  std::vector<double> max_;
  std::vector<std::vector<uint64_t>> ge_;  // per threshold of needs_.ge_thresholds
  std::vector<std::vector<uint64_t>> gt_;
};

}  // namespace mergeflow
