#include "cli/pipeline_command.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "cli/file_systems.h"
#include "cli/join_command.h"
#include "cli/upsert_command.h"
#include "io/output_committer.h"
#include "pipeline/pipeline_plan.h"

namespace mergeflow {
namespace {

// The option names of command `command`: arguments by their name in lower
// case, options by their long names.
std::set<std::string> OptionNames(const CLI::App* command, const std::set<std::string>& runner_sets) {
  std::set<std::string> names;
  for (const CLI::Option* option : command->get_options()) {
    std::vector<std::string> own = option->get_lnames();
    if (option->get_positional()) {
      std::string name = option->get_name();
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      own = {name};
    }
    for (const std::string& name : own) {
      if (name != "help" && !runner_sets.count(name)) names.insert(name);
    }
  }
  return names;
}

Result<std::map<std::string, std::string>> ParseParams(const std::vector<std::string>& given) {
  std::map<std::string, std::string> params;
  for (const std::string& p : given) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return Status::InvalidArgument("-p " + p + ": give NAME=VALUE");
    params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return params;
}

}  // namespace

StepOptionNames PipelineStepOptions() {
  CLI::App app;
  JoinCommandOptions join;
  UpsertCommandOptions upsert;
  const std::set<std::string> runner_sets = {"dataset", "no-publish", "quiet", "progress-interval"};
  StepOptionNames names;
  names["join"] = OptionNames(AddJoinCommand(&app, &join), runner_sets);
  // An upsert's DATASET argument is its output.
  names["upsert"] = OptionNames(AddUpsertCommand(&app, &upsert), {"no-publish", "quiet"});
  names["validate"] = {"input", "min_rows", "max_rows", "unique", "columns", "not_empty", "expect_rows_equal"};
  names["publish"] = {"dataset", "version"};
  return names;
}

CLI::App* AddPlanCommand(CLI::App* app, PlanCommandOptions* o) {
  CLI::App* plan = app->add_subcommand("plan", "Show which steps of a pipeline would run, and why");
  plan->add_option("PIPELINE", o->pipeline, "The pipeline's YAML file")->required();
  plan->add_option("-p,--param", o->params, "NAME=VALUE: a param of the pipeline");
  plan->add_option("--force", o->force, "Run this step and every step after it even if done");
  return plan;
}

Status RunPlanCommand(const PlanCommandOptions& o) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  MF_ASSIGN_OR_RETURN(auto params, ParseParams(o.params));
  MF_ASSIGN_OR_RETURN(PipelineSpec spec, LoadPipelineSpec(o.pipeline, params, PipelineStepOptions()));
  for (const std::string& step : o.force) {
    if (spec.Step(step) == nullptr)
      return Status::InvalidArgument("--force " + step + ": " + o.pipeline + " has no such step");
  }
  MF_ASSIGN_OR_RETURN(std::vector<StepDecision> plan,
                      PlanPipeline(spec, std::set<std::string>(o.force.begin(), o.force.end()), NewRunId()));
  std::fputs(FormatPlan(spec, plan).c_str(), stdout);
  return Status::OK();
}

}  // namespace mergeflow
