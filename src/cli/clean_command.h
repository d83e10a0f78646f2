// `mergeflow clean OUT`: removes what killed runs left behind for output OUT
// (staging directories beside a local OUT, multipart uploads left open under
// an s3:// OUT, their run markers; for a dataset, those of its versions) and
// the spill and shuffle directories of
// killed runs in the temporary directory. Every run does the same for its own
// output before it starts; this does it on demand.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/status.h"

namespace mergeflow {

struct CleanCommandOptions {
  std::string output;
  std::string temp_dir;  // empty: $TMPDIR or /tmp
};

// Declares the `clean` subcommand and its options on `app`, bound to `options`.
CLI::App* AddCleanCommand(CLI::App* app, CleanCommandOptions* options);

// Removes the leftovers, printing a line for each (or that there were none).
Status RunCleanCommand(const CleanCommandOptions& options);

}  // namespace mergeflow
