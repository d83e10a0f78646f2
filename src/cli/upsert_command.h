// `mergeflow upsert DATASET CHANGES... --key COLS --order-by COL[:TYPE]`:
// applies change files to a dataset as a new version (upsert/upsert.h).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/embedding.h"
#include "common/status.h"

namespace mergeflow {

struct UpsertCommandOptions {
  std::string dataset;
  std::vector<std::string> changes;
  std::vector<std::string> key;
  std::string order_by;  // COL or COL:TYPE
  std::string op_column = "Op";
  std::string merge_mode = "event-time";
  bool no_publish = false;
  bool strict = false;
  bool merge_on_read = false;
  double delta_share = 0.25;
  std::string bad_rows = "error";
  uint32_t tombstone_versions = 10;
  uint32_t buckets = 64;
  std::string format;
  std::string compress;
  std::string separator;
  std::string quote = "rfc4180";
  int threads = 0;
  std::string memory_limit;
  std::string temp_dir;
  bool quiet = false;
  Embedding* embedding = nullptr;  // set by an embedding program (cli/embedding.h), not on the command line
};

CLI::App* AddUpsertCommand(CLI::App* app, UpsertCommandOptions* options);

// Runs the upsert; prints the counts (and with --no-publish the version id
// on standard output). InvalidArgument for usage errors.
Status RunUpsertCommand(const UpsertCommandOptions& options);

}  // namespace mergeflow
