// TenxH5File: a 10x Genomics feature-barcode matrix in HDF5 (Cell Ranger 3
// and later, filtered_feature_bc_matrix.h5): /matrix holds the counts
// compressed by barcode (data, indices, indptr, shape = features x
// barcodes), the barcodes, and features/id and features/name. Read as a
// matrix of barcodes (rows) x features, a barcode's counts at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/hdf5_file.h"
#include "formats/matrix_file.h"

namespace mergeflow {

class TenxH5File : public MatrixFile {
 public:
  // Whether `file` holds a 10x matrix (a /matrix group with indptr).
  static bool Holds(const Hdf5File& file);
  // Reads the matrix's shape, barcodes and feature names (features/name, or
  // features/id when the names repeat). BadInput naming the file when a
  // part is missing or the sizes disagree.
  static Result<std::unique_ptr<TenxH5File>> Open(std::unique_ptr<Hdf5File> file);

  uint64_t rows() const override { return barcodes_.size(); }
  uint64_t features() const override { return features_.size(); }
  const std::vector<std::string>& row_ids() const override { return barcodes_; }
  const std::vector<std::string>& feature_names() const override { return features_; }
  bool by_row() const override { return true; }
  Status ReadSlices(uint64_t begin, uint64_t end, uint64_t entries,
                    const std::function<Status(const MatrixSlice&)>& fn) const override;

 private:
  explicit TenxH5File(std::unique_ptr<Hdf5File> file) : file_(std::move(file)) {}

  std::unique_ptr<Hdf5File> file_;
  std::vector<std::string> barcodes_;
  std::vector<std::string> features_;
};

}  // namespace mergeflow
