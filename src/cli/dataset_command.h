// `mergeflow dataset publish|rollback|log|list|pin|unpin|gc|compact`: managing a
// dataset's versions (DESIGN.md section 6; dataset/dataset.h).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/status.h"

namespace mergeflow {

struct DatasetCommandOptions {
  std::string dataset;
  std::string version;  // publish, pin, unpin; rollback's --to
  size_t keep = 10;
  std::string older_than = "0s";
  bool apply = false;
  bool no_publish = false;  // compact
};

// Declares `dataset` and its subcommands on `app`, bound to `options`.
CLI::App* AddDatasetCommand(CLI::App* app, DatasetCommandOptions* options);

// Runs the subcommand of `command` that was given. Tables and results go to
// standard output. InvalidArgument for usage errors.
Status RunDatasetCommand(const DatasetCommandOptions& options, CLI::App* command);

// Publishes `version` of `dataset` (just written by run `run_id`) as its
// current version and says so on standard error unless `quiet`: what `-o
// DATASET --dataset` does after its commit. A failure says how to publish
// the version later.
Status PublishWrittenVersion(const std::string& dataset, const std::string& version, const std::string& run_id,
                             bool quiet);

}  // namespace mergeflow
