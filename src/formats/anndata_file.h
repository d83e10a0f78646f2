// AnnDataFile: an AnnData `.h5ad` file (HDF5, anndata's on-disk format) as
// aggregate reads it: the matrix X (or a layer, or raw/X) stored dense, CSR
// or CSC, the observation ids (obs index), the feature names (var index, or
// raw/var's for raw/X) and obs columns by name. Files written by anndata
// 0.7.6 and later (encoding-type attributes) and older ones
// (h5sparse_format) both read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "formats/hdf5_file.h"
#include "formats/matrix_file.h"
#include "formats/matrix_slice.h"

namespace mergeflow {

enum class MatrixLayout { kDense, kCsr, kCsc };

class AnnDataFile : public MatrixFile {
 public:
  // Reads `file` as AnnData; the matrix is X, layers/`layer` (when not
  // empty), or raw/X (`raw`). BadInput naming the file when it is not an
  // AnnData file or the matrix is missing.
  static Result<std::unique_ptr<AnnDataFile>> Open(std::unique_ptr<Hdf5File> file, const std::string& layer,
                                                   bool raw);

  uint64_t rows() const override { return rows_; }
  uint64_t features() const override { return features_; }
  MatrixLayout layout() const { return layout_; }
  const std::vector<std::string>& row_ids() const override { return row_ids_; }
  const std::vector<std::string>& feature_names() const override { return feature_names_; }
  bool by_row() const override { return layout_ != MatrixLayout::kCsc; }
  const std::string& matrix_name() const { return matrix_; }

  // The values of obs column `name`, one per row, as text: a categorical's
  // labels, strings as they are, integers in decimal, floats as Python's
  // repr; a missing value (categorical code -1, NaN, empty string) as "".
  // BadInput naming the columns there are when there is no such column.
  Result<std::vector<std::string>> ObsColumn(const std::string& name) const;

  // See MatrixFile (dense rows are read a block at a time, zeros dropped).
  Status ReadSlices(uint64_t begin, uint64_t end, uint64_t entries,
                    const std::function<Status(const MatrixSlice&)>& fn) const override;

 private:
  explicit AnnDataFile(std::unique_ptr<Hdf5File> file) : file_(std::move(file)) {}
  Result<std::vector<std::string>> Index(const std::string& dataframe) const;

  std::unique_ptr<Hdf5File> file_;
  std::string matrix_;  // "X", "layers/NAME" or "raw/X"
  MatrixLayout layout_ = MatrixLayout::kDense;
  uint64_t rows_ = 0;
  uint64_t features_ = 0;
  std::vector<std::string> row_ids_;
  std::vector<std::string> feature_names_;
};

}  // namespace mergeflow
