// RowEmitter: formats one output row from a left row and a right row (either
// may be absent: its fields are written as NULL, i.e. empty).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "join/output_schema.h"
#include "text/dialect.h"

namespace mergeflow {

// A whole input row as opaque bytes.
struct RowRef {
  const char* data = nullptr;
  uint32_t size = 0;
  bool quoted = false;  // holds quotes: fields must be unescaped
};

class RowEmitter {
 public:
  RowEmitter(const std::vector<OutputColumn>* columns, Dialect left, Dialect right, char output_separator);

  // Appends the output row for (left, right) to `out`. Null means no row.
  void Emit(const RowRef* left, const RowRef* right, std::string* out);

  // Drops the cached split of the last rows. Call whenever the buffers the
  // rows live in may have been freed and reused (at each new chunk).
  void ForgetRows() { left_.row = right_.row = nullptr; }

  // The header line for the columns.
  static std::string HeaderLine(const std::vector<OutputColumn>& columns, char output_separator);

 private:
  struct SideFields {
    const char* row = nullptr;  // the row currently split, to reuse the split across matches
    bool verbatim = false;      // values need no quoting check
    std::vector<std::string_view> fields;
    std::string scratch;
  };
  void Split(const RowRef& ref, const Dialect& dialect, SideFields* side);

  const std::vector<OutputColumn>* columns_;
  Dialect left_dialect_;
  Dialect right_dialect_;
  char separator_;
  SideFields left_;
  SideFields right_;
};

}  // namespace mergeflow
