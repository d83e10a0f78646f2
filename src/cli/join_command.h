// `mergeflow join`: command-line options and the run that ties inputs, the
// join engine and the output committer together.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "cli/embedding.h"
#include "common/status.h"

namespace mergeflow {

// Everything the user said on the command line, before validation.
struct JoinCommandOptions {
  std::string left;
  std::string right;
  std::string output;
  std::string how = "inner";
  std::vector<std::string> on;
  std::vector<std::string> left_on;
  std::vector<std::string> right_on;
  bool header = true;
  std::vector<std::string> left_names;
  std::vector<std::string> right_names;
  std::string separator;  // empty: tab, or comma for .csv inputs
  std::string format;     // empty: like the input
  std::string quote = "rfc4180";
  std::string suffixes = "_x,_y";
  int threads = 0;  // 0: all cores
  std::string memory_limit;
  std::string temp_dir;
  std::string spill_compression = "lz4";
  std::string order;
  std::string bad_rows = "error";
  bool null_keys_equal = false;
  std::string compat;
  std::string chunk_size = "4M";
  std::string compress;  // empty: the format's default (cli/output_compression.h)
  std::string sse;
  std::string sse_kms_key_id;
  bool quiet = false;
  double progress_interval = 0;  // 0: 0.5 s on a terminal, 5 s otherwise
  bool dataset = false;     // -o names a dataset: write a new version of it
  bool no_publish = false;  // with dataset: leave the version unpublished, print its id
  bool multiline = false;        // quoted fields may hold newlines: MPI ranks take whole files
  Embedding* embedding = nullptr;  // set by an embedding program (cli/embedding.h), not on the command line
};

// Declares the `join` subcommand and its options on `app`, bound to `options`.
CLI::App* AddJoinCommand(CLI::App* app, JoinCommandOptions* options);

// Runs the join described by `options` (already parsed by CLI11).
// Returns InvalidArgument for usage errors (exit status 2).
Status RunJoinCommand(const JoinCommandOptions& options, CLI::App* command);

}  // namespace mergeflow
