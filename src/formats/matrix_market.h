// A 10x Genomics Matrix Market directory (Cell Ranger's
// filtered_feature_bc_matrix/): matrix.mtx[.gz] holds `row col value`
// triplets, 1-based, rows = features, columns = barcodes, in any order;
// barcodes.tsv[.gz] names the columns, features.tsv[.gz] (or the older
// genes.tsv[.gz]) the rows. Every file is read through the file systems
// (local or s3://) and the codecs, like any text input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "io/file_system.h"
#include "text/file_chunker.h"

namespace mergeflow {

struct MatrixMarketDirectory {
  FileInfo matrix;
  std::vector<std::string> barcodes;  // the matrix's columns
  std::vector<std::string> features;  // its rows: names (ids when names repeat)
  uint64_t entries = 0;               // as the size line says
  uint64_t data_offset = 0;           // where the entries start (after the size line), in the text
  bool pattern = false;               // "pattern" matrices: every entry is 1
};

// Whether the files of a listing are a Matrix Market directory.
bool IsMatrixMarketListing(const std::vector<FileInfo>& files);

// Reads the directory's barcodes, features and matrix header. BadInput naming
// the file for a missing file, a header that is not a coordinate matrix, or
// sizes that disagree with the barcodes and features.
Result<MatrixMarketDirectory> OpenMatrixMarket(const std::vector<FileInfo>& files);

// One entry line of matrix.mtx ("ROW COL VALUE", or "ROW COL" for pattern
// matrices): the 0-based feature and barcode and the value. False for a line
// that is not one (a comment or the size line are handled by the caller).
bool ParseMatrixMarketEntry(const char* begin, const char* end, bool pattern, uint64_t* feature, uint64_t* barcode,
                            double* value);

}  // namespace mergeflow
