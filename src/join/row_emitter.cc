#include "join/row_emitter.h"

#include <cstring>

#include "text/field_writer.h"
#include "text/row_scanner.h"

namespace mergeflow {

RowEmitter::RowEmitter(const std::vector<OutputColumn>* columns, Dialect left, Dialect right, char output_separator)
    : columns_(columns), left_dialect_(left), right_dialect_(right), separator_(output_separator) {}

std::string RowEmitter::HeaderLine(const std::vector<OutputColumn>& columns, char output_separator) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) line += output_separator;
    AppendField(&line, columns[i].name, output_separator);
  }
  line += '\n';
  return line;
}

void RowEmitter::Split(const RowRef& ref, const Dialect& dialect, SideFields* side) {
  if (side->row == ref.data) return;
  side->row = ref.data;
  SplitFields(ref.data, ref.size, ref.quoted, dialect, &side->fields, &side->scratch);
  // An unquoted row split on the output separator can hold no separator, no
  // quote and no newline; only a stray '\r' would still need quoting.
  side->verbatim = dialect.quoting && !ref.quoted && dialect.separator == separator_ &&
                   std::memchr(ref.data, '\r', ref.size) == nullptr;
}

void RowEmitter::Emit(const RowRef* left, const RowRef* right, std::string* out) {
  if (left != nullptr) Split(*left, left_dialect_, &left_);
  if (right != nullptr) Split(*right, right_dialect_, &right_);
  bool first = true;
  for (const OutputColumn& column : *columns_) {
    if (!first) out->push_back(separator_);
    first = false;
    const SideFields* side = nullptr;
    uint32_t field = 0;
    switch (column.source) {
      case OutputColumn::Source::kLeft:
        if (left != nullptr) side = &left_, field = column.left_field;
        break;
      case OutputColumn::Source::kRight:
        if (right != nullptr) side = &right_, field = column.right_field;
        break;
      case OutputColumn::Source::kKey:
        if (left != nullptr) side = &left_, field = column.left_field;
        else if (right != nullptr) side = &right_, field = column.right_field;
        break;
    }
    if (side == nullptr) continue;  // NULL: an empty field
    const std::string_view value = side->fields[field];
    if (side->verbatim) out->append(value);
    else AppendField(out, value, separator_);
  }
  out->push_back('\n');
}

}  // namespace mergeflow
