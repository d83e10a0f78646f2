// The pipeline commands of DESIGN.md section 7: `mergeflow plan` (each
// step to run or to skip, and why), `mergeflow run` and `mergeflow runs`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/embedding.h"
#include "common/status.h"
#include "pipeline/pipeline_spec.h"

namespace mergeflow {

struct PlanCommandOptions {
  std::string pipeline;
  std::vector<std::string> params;  // NAME=VALUE
  std::vector<std::string> force;   // steps
};

CLI::App* AddPlanCommand(CLI::App* app, PlanCommandOptions* options);

// Prints the plan to standard output. InvalidArgument (exit 2) for a spec
// error or a malformed -p.
Status RunPlanCommand(const PlanCommandOptions& options);

struct RunCommandOptions {
  PlanCommandOptions pipeline;  // the file, -p and --force
  std::string resume;           // a run id
  std::string log_uri;
  std::string metrics_file;
  Embedding* embedding = nullptr;  // set by an embedding program (cli/embedding.h), not on the command line
};

CLI::App* AddRunCommand(CLI::App* app, RunCommandOptions* options);

// Runs the pipeline (pipeline/pipeline_runner.h), printing each step's
// fate. A step that failed after its retries fails the command (exit 1)
// naming the step and its error; spec and usage errors are exit 2.
Status RunRunCommand(const RunCommandOptions& options);

struct RunsCommandOptions {
  std::string pipeline;  // or
  std::string log_uri;
  std::string run_id;    // `runs show RUN_ID`
};

// `mergeflow runs [PIPELINE] [--log-uri URI]` and its subcommand `show`.
CLI::App* AddRunsCommand(CLI::App* app, RunsCommandOptions* options);

// Lists the runs (id, start, duration, status, steps done, skipped and
// failed), or with `show` one run's steps and attempts.
Status RunRunsCommand(const RunsCommandOptions& options, const CLI::App* runs);

// The options each step type takes: for join and upsert, the long options
// and arguments of those commands (so that a pipeline takes exactly what
// the command line does), less those the runner sets itself.
StepOptionNames PipelineStepOptions();

}  // namespace mergeflow
