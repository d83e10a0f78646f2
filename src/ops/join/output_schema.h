// OutputSchema: which fields of the two sides make up an output row, and the
// column names, following pandas.merge:
//  - key pairs whose two columns share a name appear once, where the left
//    column stands, filled from whichever side has a row (right/outer joins);
//  - every other column keeps its place: all left columns, then the right;
//  - a name found on both sides gets the suffixes (default "_x", "_y");
//  - semi and anti joins output the left columns only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/hash_join.h"
#include "engine/join_type.h"

namespace mergeflow {

struct OutputColumn {
  enum class Source { kLeft, kRight, kKey };  // kKey: left field if the left row exists, else right field
  Source source = Source::kLeft;
  uint32_t left_field = 0;
  uint32_t right_field = 0;
  std::string name;
};

// Plans the output columns. Fails (InvalidArgument) when suffixing still
// leaves two columns with one name.
Result<std::vector<OutputColumn>> PlanOutputColumns(const SideSchema& left, const SideSchema& right, JoinType type,
                                                    const std::string& left_suffix, const std::string& right_suffix);

}  // namespace mergeflow
