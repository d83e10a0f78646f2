// Validation: the checks of a pipeline's `validate` step (DESIGN.md section
// 7), run over a delimited-text input as every command reads it (files,
// directories, globs, DATASET@VERSION): row counts, columns present, values
// not empty, and a key unique, in memory bounded by a limit (key hashes
// beyond it go to partition files on disk, each checked on its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace mergeflow {

struct ValidationRules {
  std::optional<uint64_t> min_rows;
  std::optional<uint64_t> max_rows;
  std::vector<std::string> columns;    // each must be present
  std::vector<std::string> not_empty;  // no row may leave one of these empty
  std::vector<std::string> unique;     // together a key no two rows share
  std::optional<std::string> expect_rows_equal;  // another input with as many rows
  std::string separator;               // empty: from the file's name and contents
  uint64_t memory_limit = uint64_t{1} << 30;  // for the unique key's hashes
  std::string temp_dir;                // where they spill; empty: $TMPDIR or /tmp
};

struct ValidationReport {
  uint64_t rows = 0;
  std::vector<std::string> columns;
};

// Reads `input` once and checks `rules`. BadInput for the first rule it
// breaks, naming the rule and, for a row, its FILE:LINE (a repeated key
// names both rows); NotFound or IOError when it cannot be read;
// InvalidArgument for a rule that names no column of the input.
Result<ValidationReport> Validate(const std::string& input, const ValidationRules& rules);

// The data rows of `input` (its header rows not counted).
Result<uint64_t> CountRows(const std::string& input, const std::string& separator);

}  // namespace mergeflow
