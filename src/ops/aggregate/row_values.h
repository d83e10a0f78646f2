// RowValues: the numbers of one row of a wide text matrix, for one block of
// features: which are missing, which are not 0 (and their values). Zeros are
// neither, so a row of mostly zeros is cheap to accumulate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/row_ref.h"
#include "text/dialect.h"

namespace mergeflow {

// The spellings of a missing value (pandas' skipna): by default the empty
// field, NA, NaN and nan. A field that reads as a NaN is missing whatever
// the list says.
struct MissingValues {
  std::vector<std::string> spellings{"", "NA", "NaN", "nan"};
  bool Contains(std::string_view field) const {
    for (const std::string& s : spellings) {
      if (s == field) return true;
    }
    return false;
  }
};

// The values of one row in a block of features (indexes relative to the
// block's first feature).
struct RowValues {
  std::vector<uint32_t> nonzero_features;
  std::vector<double> nonzero_values;
  std::vector<uint32_t> missing_features;
  void Clear() {
    nonzero_features.clear();
    nonzero_values.clear();
    missing_features.clear();
  }
};

// Reads rows of a matrix whose fields are an id (field `id_field`) and
// features (every other field, numbered 0, 1, ... in field order).
class RowValueReader {
 public:
  // Features [block_begin, block_end) of rows of `dialect`; `feature_names`
  // name every feature (for errors). With `check_all`, the fields outside
  // the block are checked too (so that a row with a bad value anywhere is
  // skipped in every block alike). The arguments must outlive the reader.
  RowValueReader(const Dialect& dialect, uint32_t id_field, size_t block_begin, size_t block_end, bool check_all,
                 const std::vector<std::string>& feature_names, const MissingValues& missing);

  // Reads the block's values of `row` into *values. Returns false for a
  // field that is neither a number nor missing, with *problem saying which:
  // "column 'G7': not a number: 'abc'".
  bool Read(const RowRef& row, RowValues* values, std::string* problem);

 private:
  // Files field `field` of the row (its text `text`) into *values.
  bool TakeField(uint32_t field, std::string_view text, RowValues* values, std::string* problem);

  Dialect dialect_;
  uint32_t id_field_;
  size_t block_begin_;
  size_t block_end_;
  uint32_t first_field_;  // the field of feature block_begin
  uint32_t end_field_;    // one past the field of feature block_end - 1
  const std::vector<std::string>& feature_names_;
  const MissingValues& missing_;
  std::vector<std::string_view> fields_;  // quoted rows, split
  std::string scratch_;
};

}  // namespace mergeflow
