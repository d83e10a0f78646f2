#include "cli/command_line.h"

#include <memory>

#include "cli/aggregate_command.h"
#include "cli/clean_command.h"
#include "cli/dataset_command.h"
#include "cli/join_command.h"
#include "cli/launched_processes.h"
#include "cli/pipeline_command.h"
#include "cli/upsert_command.h"
#include "cli/validate_command.h"

namespace mergeflow {
namespace {

// Declares a subcommand with `add` (app, options -> its CLI::App) and keeps
// `run` (options, its CLI::App -> Status) for when it is the one parsed.
template <typename Options, typename Add, typename Run>
Options* Declare(CLI::App* app, Add add, Run run, std::vector<Command>* commands, bool may_run_several = false) {
  auto options = std::make_shared<Options>();
  CLI::App* sub = add(app, options.get());
  commands->push_back(Command{sub, [options, sub, run] { return run(*options, sub); }, may_run_several});
  return options.get();
}

}  // namespace

std::vector<Command> DeclareCommands(CLI::App* app, Embedding* embedding) {
  std::vector<Command> c;
  Declare<JoinCommandOptions>(app, AddJoinCommand, RunJoinCommand, &c, true)->embedding = embedding;
  Declare<AggregateCommandOptions>(app, AddAggregateCommand, RunAggregateCommand, &c, true)->embedding = embedding;
  Declare<CleanCommandOptions>(app, AddCleanCommand, [](auto& o, auto*) { return RunCleanCommand(o); }, &c);
  Declare<DatasetCommandOptions>(app, AddDatasetCommand, RunDatasetCommand, &c);
  Declare<UpsertCommandOptions>(app, AddUpsertCommand, [](auto& o, auto*) { return RunUpsertCommand(o); }, &c, true)
      ->embedding = embedding;
  Declare<ValidateCommandOptions>(app, AddValidateCommand, [](auto& o, auto*) { return RunValidateCommand(o); }, &c);
  Declare<PlanCommandOptions>(app, AddPlanCommand, [](auto& o, auto*) { return RunPlanCommand(o); }, &c);
  Declare<RunCommandOptions>(app, AddRunCommand, [](auto& o, auto*) { return RunRunCommand(o); }, &c)->embedding =
      embedding;
  Declare<RunsCommandOptions>(app, AddRunsCommand, RunRunsCommand, &c);
  return c;
}

Status RunParsedCommand(const std::vector<Command>& commands) {
  for (const Command& command : commands) {
    if (!command.app->parsed()) continue;
    if (!command.may_run_several) StopIfLaunchedSeveral(command.app->get_name());
    return command.run();
  }
  return Status::InvalidArgument("no command given (see 'mergeflow --help')");
}

}  // namespace mergeflow
