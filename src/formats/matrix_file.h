// MatrixFile: a matrix of observations (rows) x features stored in a file
// format of its own (AnnData .h5ad; 10x formats to come), read as slices of
// compressed rows or columns. Zeros are never handed over.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "formats/matrix_slice.h"

namespace mergeflow {

class MatrixFile {
 public:
  virtual ~MatrixFile() = default;
  virtual uint64_t rows() const = 0;
  virtual uint64_t features() const = 0;
  // Row ids and feature names, in order.
  virtual const std::vector<std::string>& row_ids() const = 0;
  virtual const std::vector<std::string>& feature_names() const = 0;
  // Whether the matrix is stored by rows (dense, CSR: slices are rows) or
  // by features (CSC: slices are columns).
  virtual bool by_row() const = 0;
  // The number of major elements: rows(), or features() when stored by
  // feature.
  uint64_t major() const { return by_row() ? rows() : features(); }
  // Hands major elements [begin, end) to `fn` in slices of about `entries`
  // entries (at least one element each), in order; stops at fn's first
  // error. Not thread-safe.
  virtual Status ReadSlices(uint64_t begin, uint64_t end, uint64_t entries,
                            const std::function<Status(const MatrixSlice&)>& fn) const = 0;
};

}  // namespace mergeflow
