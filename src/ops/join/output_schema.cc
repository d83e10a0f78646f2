#include "ops/join/output_schema.h"

#include <set>

namespace mergeflow {

Result<std::vector<OutputColumn>> PlanOutputColumns(const SideSchema& left, const SideSchema& right, JoinType type,
                                                    const std::string& left_suffix, const std::string& right_suffix) {
  std::vector<OutputColumn> columns;
  if (OutputsLeftOnly(type)) {
    for (uint32_t f = 0; f < left.names.size(); ++f) columns.push_back({OutputColumn::Source::kLeft, f, 0, left.names[f]});
    return columns;
  }
  // Key pairs with equal names merge into the left column.
  std::vector<int> merged_with_right(left.names.size(), -1);
  std::vector<bool> right_dropped(right.names.size(), false);
  for (size_t k = 0; k < left.key_fields.size(); ++k) {
    const uint32_t lf = left.key_fields[k];
    const uint32_t rf = right.key_fields[k];
    if (left.names[lf] == right.names[rf] && merged_with_right[lf] < 0 && !right_dropped[rf]) {
      merged_with_right[lf] = static_cast<int>(rf);
      right_dropped[rf] = true;
    }
  }
  std::set<std::string> left_names(left.names.begin(), left.names.end());
  std::set<std::string> right_names;
  for (uint32_t f = 0; f < right.names.size(); ++f) {
    if (!right_dropped[f]) right_names.insert(right.names[f]);
  }
  auto clashes = [&](const std::string& name) { return left_names.count(name) && right_names.count(name); };
  for (uint32_t f = 0; f < left.names.size(); ++f) {
    OutputColumn column;
    column.left_field = f;
    column.name = clashes(left.names[f]) ? left.names[f] + left_suffix : left.names[f];
    if (merged_with_right[f] >= 0) {
      column.source = OutputColumn::Source::kKey;
      column.right_field = static_cast<uint32_t>(merged_with_right[f]);
    }
    columns.push_back(column);
  }
  for (uint32_t f = 0; f < right.names.size(); ++f) {
    if (right_dropped[f]) continue;
    OutputColumn column;
    column.source = OutputColumn::Source::kRight;
    column.right_field = f;
    column.name = clashes(right.names[f]) ? right.names[f] + right_suffix : right.names[f];
    columns.push_back(column);
  }
  std::set<std::string> seen;
  for (const OutputColumn& column : columns) {
    if (!seen.insert(column.name).second)
      return Status::InvalidArgument("output would have two columns named '" + column.name +
                                     "'; choose other --suffixes");
  }
  return columns;
}

}  // namespace mergeflow
