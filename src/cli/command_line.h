// mergeflow's command line: every subcommand declared on one CLI11 app, and
// the run of the one that was parsed. The program's main() and the Python
// module both use it, so that a command means the same from either.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

#include "cli/embedding.h"
#include "common/status.h"

namespace mergeflow {

// A subcommand as declared, and how to run it once parsed.
struct Command {
  CLI::App* app;
  std::function<Status()> run;
  bool may_run_several;  // may be started as several processes by a launcher (mpirun, srun)
};

// Declares every subcommand on `app`. `embedding` (null for the command-line
// program) reaches the commands that can hand their results to an embedder.
std::vector<Command> DeclareCommands(CLI::App* app, Embedding* embedding);

// Runs the command `app` parsed. A command that runs as one process only
// stops here when the process is one of several a launcher started.
Status RunParsedCommand(const std::vector<Command>& commands);

}  // namespace mergeflow
