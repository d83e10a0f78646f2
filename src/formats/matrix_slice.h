// MatrixSlice: part of a matrix in compressed form, as the readers of
// sparse and dense matrix files hand it over: consecutive rows (CSR, and
// dense rows with their zeros dropped) or consecutive columns (CSC). Only
// entries that are not 0 are present (a NaN is present: a missing value).
#pragma once

#include <cstdint>
#include <vector>

namespace mergeflow {

struct MatrixSlice {
  bool by_row = true;             // the major axis: rows (observations) or columns (features)
  uint64_t first = 0;             // the first row (or column) of the slice
  std::vector<uint64_t> offsets;  // entries of major element i: [offsets[i], offsets[i + 1])
  std::vector<uint64_t> indices;  // per entry: its column (or row)
  std::vector<double> values;     // per entry: its value
  uint64_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

}  // namespace mergeflow
