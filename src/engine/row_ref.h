// RowRef: a whole input row as the engine hands it to an operator.
#pragma once

#include <cstdint>

#include "text/row_scanner.h"

namespace mergeflow {

// A row as opaque bytes (without its line terminator), with what the
// scanner already knows about it.
struct RowRef {
  const char* data = nullptr;
  uint32_t size = 0;
  bool quoted = false;  // RowView::quoted: fields must be unescaped
  bool plain = false;   // RowView::plain: no quote, no '\r' anywhere
  uint32_t first_field_end = RowView::kUnknownFieldEnd;  // RowView::first_field_end
};

}  // namespace mergeflow
