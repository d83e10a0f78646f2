#include "ops/join/row_emitter.h"

#include <cstring>

#include "text/field_writer.h"
#include "text/row_scanner.h"

namespace mergeflow {

RowEmitter::RowEmitter(const std::vector<OutputColumn>& columns, Dialect left, uint32_t left_fields, Dialect right,
                       uint32_t right_fields, char output_separator)
    : separator_(output_separator) {
  sides_[kLeft].dialect = left;
  sides_[kLeft].fields = left_fields;
  sides_[kRight].dialect = right;
  sides_[kRight].fields = right_fields;
  for (Side& side : sides_) side.field_start.resize(side.fields + 1);
  plans_[0] = Plan(columns, true, true);
  plans_[1] = Plan(columns, true, false);
  plans_[2] = Plan(columns, false, true);
}

std::string RowEmitter::HeaderLine(const std::vector<OutputColumn>& columns, char output_separator) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) line += output_separator;
    AppendField(&line, columns[i].name, output_separator);
  }
  line += '\n';
  return line;
}

std::vector<RowEmitter::Run> RowEmitter::Plan(const std::vector<OutputColumn>& columns, bool has_left,
                                              bool has_right) {
  std::vector<Run> runs;
  for (const OutputColumn& column : columns) {
    SideIndex side = kNull;
    uint32_t field = 0;
    switch (column.source) {
      case OutputColumn::Source::kLeft:
        if (has_left) side = kLeft, field = column.left_field;
        break;
      case OutputColumn::Source::kRight:
        if (has_right) side = kRight, field = column.right_field;
        break;
      case OutputColumn::Source::kKey:
        if (has_left) side = kLeft, field = column.left_field;
        else if (has_right) side = kRight, field = column.right_field;
        break;
    }
    if (!runs.empty() && runs.back().side == side && (side == kNull || runs.back().last_field + 1 == field)) {
      ++runs.back().last_field;
    } else {
      runs.push_back(Run{side, side == kNull ? 0 : field, side == kNull ? 0 : field});
    }
  }
  return runs;
}

void RowEmitter::Prepare(const RowRef& ref, Side* side) {
  if (side->row == ref.data && side->size == ref.size) return;
  side->row = ref.data;
  side->size = ref.size;
  side->split = false;
  side->located = 0;
  side->field_start[0] = 0;
  if (ref.first_field_end != RowView::kUnknownFieldEnd && side->fields > 1) {
    side->field_start[1] = ref.first_field_end + 1;
    side->located = 1;
  }
  // A row without quotes or CRs, split on the output separator, has values
  // that hold no separator, quote, CR or LF: nothing to quote.
  side->verbatim = ref.plain && side->dialect.separator == separator_;
  if (!side->verbatim) {
    SplitFields(ref.data, ref.size, ref.quoted, side->dialect, &side->values, &side->scratch);
    side->split = true;
  }
}

uint32_t RowEmitter::FieldStart(Side* side, uint32_t field) {
  while (side->located < field) {
    const uint32_t from = side->field_start[side->located];
    const void* sep = std::memchr(side->row + from, side->dialect.separator, side->size - from);
    side->field_start[++side->located] = static_cast<uint32_t>(static_cast<const char*>(sep) - side->row) + 1;
  }
  return side->field_start[field];
}

void RowEmitter::AppendRun(const Run& run, std::string* out) {
  if (run.side == kNull) {
    out->append(run.last_field - run.first_field, separator_);  // empty fields
    return;
  }
  Side* side = &sides_[run.side];
  if (side->verbatim) {
    const uint32_t begin = FieldStart(side, run.first_field);
    const uint32_t end = run.last_field + 1 == side->fields ? side->size : FieldStart(side, run.last_field + 1) - 1;
    out->append(side->row + begin, end - begin);
    return;
  }
  for (uint32_t f = run.first_field; f <= run.last_field; ++f) {
    if (f != run.first_field) out->push_back(separator_);
    AppendField(out, side->values[f], separator_);
  }
}

void RowEmitter::Emit(const RowRef* left, const RowRef* right, std::string* out) {
  if (left != nullptr) Prepare(*left, &sides_[kLeft]);
  if (right != nullptr) Prepare(*right, &sides_[kRight]);
  const std::vector<Run>& plan = plans_[left != nullptr && right != nullptr ? 0 : left != nullptr ? 1 : 2];
  for (size_t i = 0; i < plan.size(); ++i) {
    if (i > 0) out->push_back(separator_);
    AppendRun(plan[i], out);
  }
  out->push_back('\n');
}

}  // namespace mergeflow
