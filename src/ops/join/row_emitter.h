// RowEmitter: formats one output row from a left row and a right row (either
// may be absent: its fields are written as NULL, i.e. empty).
//
// The output columns are planned once as runs of consecutive fields of one
// side. A run of a row that needs no re-quoting is copied as one byte range
// of the row (a whole row costs one append); other rows are split into
// fields and written with minimal quoting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/row_ref.h"
#include "ops/join/output_schema.h"
#include "text/row_scanner.h"
#include "text/dialect.h"

namespace mergeflow {

class RowEmitter {
 public:
  // `left_fields`/`right_fields`: the number of fields of each side's rows.
  RowEmitter(const std::vector<OutputColumn>& columns, Dialect left, uint32_t left_fields, Dialect right,
             uint32_t right_fields, char output_separator);

  // Appends the output row for (left, right) to `out`. Null means no row.
  // REQUIRES: at least one of them is given.
  void Emit(const RowRef* left, const RowRef* right, std::string* out);

  // Drops what is remembered about the last rows. Call whenever the buffers
  // the rows live in may have been freed and reused (at each new chunk).
  void ForgetRows() { sides_[0].row = sides_[1].row = nullptr; }

  // The header line for the columns.
  static std::string HeaderLine(const std::vector<OutputColumn>& columns, char output_separator);

 private:
  enum SideIndex { kLeft = 0, kRight = 1, kNull = 2 };
  struct Run {
    SideIndex side;
    uint32_t first_field;
    uint32_t last_field;
  };
  struct Side {
    Dialect dialect;
    uint32_t fields = 0;
    const char* row = nullptr;  // the row this state describes
    uint32_t size = 0;
    bool verbatim = false;              // its fields need no quoting in the output
    std::vector<uint32_t> field_start;  // verbatim: starts of fields [0, located]
    uint32_t located = 0;
    bool split = false;  // not verbatim: `values` holds its fields
    std::vector<std::string_view> values;
    std::string scratch;
  };

  static std::vector<Run> Plan(const std::vector<OutputColumn>& columns, bool has_left, bool has_right);
  void Prepare(const RowRef& ref, Side* side);
  uint32_t FieldStart(Side* side, uint32_t field);
  void AppendRun(const Run& run, std::string* out);

  char separator_;
  Side sides_[2];
  std::vector<Run> plans_[3];  // both rows, left only, right only
};

}  // namespace mergeflow
