// `mergeflow plan`: a pipeline's steps, each to run or to skip, and why
// (DESIGN.md section 7).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

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

// The options each step type takes: for join and upsert, the long options
// and arguments of those commands (so that a pipeline takes exactly what
// the command line does), less those the runner sets itself.
StepOptionNames PipelineStepOptions();

}  // namespace mergeflow
