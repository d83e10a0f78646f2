#include "cli/validate_command.h"

#include <cstdio>

#include "cli/file_systems.h"
#include "common/process_stats.h"
#include "common/size_parser.h"
#include "validate/validation.h"

namespace mergeflow {

CLI::App* AddValidateCommand(CLI::App* app, ValidateCommandOptions* o) {
  CLI::App* v = app->add_subcommand("validate", "Check an input: row counts, columns, empty values, a unique key");
  v->add_option("INPUT", o->input, "A file, directory of parts, glob or DATASET[@VERSION]")->required();
  v->add_option("--min-rows,--min_rows", o->min_rows, "At least this many rows");
  v->add_option("--max-rows,--max_rows", o->max_rows, "At most this many rows");
  v->add_option("--columns", o->columns, "These columns are present")->delimiter(',');
  v->add_option("--not-empty,--not_empty", o->not_empty, "No row leaves these columns empty")->delimiter(',');
  v->add_option("--unique", o->unique, "No two rows share the values of these columns")->delimiter(',');
  v->add_option("--expect-rows-equal,--expect_rows_equal", o->expect_rows_equal,
                "Another input with exactly as many rows");
  v->add_option("--sep", o->separator, "Field separator (default: from the file name, else detected)");
  v->add_option("--memory-limit", o->memory_limit,
                "Memory for --unique's key hashes before they spill to disk (default: 1G)");
  v->add_option("--temp-dir", o->temp_dir, "Where spilled key hashes go (default: $TMPDIR or /tmp)");
  return v;
}

Status RunValidateCommand(const ValidateCommandOptions& o) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  ValidationRules rules;
  rules.min_rows = o.min_rows;
  rules.max_rows = o.max_rows;
  rules.columns = o.columns;
  rules.not_empty = o.not_empty;
  rules.unique = o.unique;
  if (!o.expect_rows_equal.empty()) rules.expect_rows_equal = o.expect_rows_equal;
  rules.separator = o.separator;
  rules.temp_dir = o.temp_dir;
  if (!o.memory_limit.empty()) {
    MF_ASSIGN_OR_RETURN(rules.memory_limit, ParseSize(o.memory_limit, AvailableMemoryBytes()));
  }
  MF_ASSIGN_OR_RETURN(ValidationReport report, Validate(o.input, rules));
  std::printf("%s: valid, %llu rows, %zu columns\n", o.input.c_str(), static_cast<unsigned long long>(report.rows),
              report.columns.size());
  return Status::OK();
}

}  // namespace mergeflow
