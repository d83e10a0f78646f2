// `mergeflow aggregate MATRIX [--meta META] --by COLS [-o OUT]`: grouped
// statistics of every feature of a wide matrix (DESIGN section 5; the
// operator is ops/aggregate/aggregate.h). MATRIX is delimited text or, by
// its bytes, an AnnData .h5ad file (whose obs columns --by may name without
// META). Runs as one process or as the ranks of an MPI job (each reads its
// share of MATRIX; rank 0 writes the output).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/embedding.h"
#include "common/status.h"

namespace mergeflow {

struct AggregateCommandOptions {
  std::string matrix;
  std::string meta;
  std::vector<std::string> by;
  std::string output;
  std::string id;
  std::string meta_key;
  std::string layer;
  bool raw = false;
  std::vector<std::string> stats{"mean"};
  int ddof = 1;
  std::vector<std::string> na_values;
  bool na_values_given = false;
  std::string bad_rows = "error";
  std::string layout = "wide";
  bool transpose = false;
  std::string format;
  std::string separator;
  std::string quote = "rfc4180";
  int threads = 0;
  std::string memory_limit;
  std::string temp_dir;
  std::string chunk_size = "4M";
  std::string compress;  // empty: the format's default (cli/output_compression.h)
  bool multiline = false;
  Embedding* embedding = nullptr;  // set by an embedding program (cli/embedding.h), not on the command line
  bool dataset = false;
  bool no_publish = false;
  bool quiet = false;
  double progress_interval = 0;
};

// Declares the `aggregate` subcommand on `app`, bound to `options`.
CLI::App* AddAggregateCommand(CLI::App* app, AggregateCommandOptions* options);

// Runs it (on every launched process).
Status RunAggregateCommand(const AggregateCommandOptions& options, CLI::App* command);

}  // namespace mergeflow
