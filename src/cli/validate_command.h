// `mergeflow validate INPUT [rules]`: checks an input (a file, a directory
// of parts, a glob, DATASET@VERSION) against the rules of a pipeline's
// `validate` step (validate/validation.h). A broken rule is bad input
// (exit 1, never retried by the pipeline runner): a bad version is never
// published after it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace mergeflow {

struct ValidateCommandOptions {
  std::string input;
  std::optional<uint64_t> min_rows;
  std::optional<uint64_t> max_rows;
  std::vector<std::string> columns;
  std::vector<std::string> not_empty;
  std::vector<std::string> unique;
  std::string expect_rows_equal;
  std::string separator;
  std::string memory_limit;
  std::string temp_dir;
};

// Declares the `validate` subcommand on `app`, bound to `options`. Every
// option has its pipeline spelling too (--min_rows for --min-rows).
CLI::App* AddValidateCommand(CLI::App* app, ValidateCommandOptions* options);

// Checks the rules, printing one line when the input passes them all.
Status RunValidateCommand(const ValidateCommandOptions& options);

}  // namespace mergeflow
