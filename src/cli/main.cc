// mergeflow: join delimited-text inputs on a key at any scale; keep
// versioned datasets and apply change files to them; validate; run
// pipelines of these steps; clean up after killed runs.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include "cli/aggregate_command.h"
#include "cli/clean_command.h"
#include "cli/dataset_command.h"
#include "cli/failure_report.h"
#include "cli/join_command.h"
#include "cli/launched_processes.h"
#include "cli/pipeline_command.h"
#include "cli/upsert_command.h"
#include "cli/validate_command.h"
#include "common/interrupt.h"

namespace mergeflow {
namespace {

enum class Processes { kOne, kSeveral };

// A subcommand as declared, how to run it once parsed, and whether it can
// run as several processes started by a launcher (mpirun, srun).
struct Command {
  CLI::App* app;
  std::function<Status()> run;
  Processes processes;
};

// Declares a subcommand with `add` (app, options -> its CLI::App) and keeps
// `run` (options, its CLI::App -> Status) for when it is the one parsed.
template <typename Options, typename Add, typename Run>
void Declare(CLI::App* app, Add add, Run run, std::vector<Command>* commands, Processes processes = Processes::kOne) {
  auto options = std::make_shared<Options>();
  CLI::App* sub = add(app, options.get());
  commands->push_back(Command{sub, [options, sub, run] { return run(*options, sub); }, processes});
}

std::vector<Command> DeclareCommands(CLI::App* app) {
  std::vector<Command> c;
  Declare<JoinCommandOptions>(app, AddJoinCommand, RunJoinCommand, &c, Processes::kSeveral);
  Declare<AggregateCommandOptions>(app, AddAggregateCommand, RunAggregateCommand, &c, Processes::kSeveral);
  Declare<CleanCommandOptions>(app, AddCleanCommand, [](auto& o, auto*) { return RunCleanCommand(o); }, &c);
  Declare<DatasetCommandOptions>(app, AddDatasetCommand, RunDatasetCommand, &c);
  Declare<UpsertCommandOptions>(app, AddUpsertCommand, [](auto& o, auto*) { return RunUpsertCommand(o); }, &c,
                                Processes::kSeveral);
  Declare<ValidateCommandOptions>(app, AddValidateCommand, [](auto& o, auto*) { return RunValidateCommand(o); }, &c);
  Declare<PlanCommandOptions>(app, AddPlanCommand, [](auto& o, auto*) { return RunPlanCommand(o); }, &c);
  Declare<RunCommandOptions>(app, AddRunCommand, [](auto& o, auto*) { return RunRunCommand(o); }, &c);
  Declare<RunsCommandOptions>(app, AddRunsCommand, RunRunsCommand, &c);
  return c;
}

}  // namespace
}  // namespace mergeflow

int main(int argc, char** argv) {
  mergeflow::InstallInterruptHandler();
  CLI::App app{"mergeflow: merge two delimited-text files on a key, from a laptop to a cluster."};
  app.set_version_flag("--version", std::string("mergeflow ") + MERGEFLOW_VERSION);
  app.require_subcommand(1);
  const std::vector<mergeflow::Command> commands = mergeflow::DeclareCommands(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return mergeflow::ReportFailure(
        mergeflow::ErrorRecord{mergeflow::ErrorClass::kUsage, std::string(e.what()) + " (see 'mergeflow --help')"});
  }
  try {
    for (const mergeflow::Command& command : commands) {
      if (!command.app->parsed()) continue;
      if (command.processes == mergeflow::Processes::kOne) mergeflow::StopIfLaunchedSeveral(command.app->get_name());
      const mergeflow::Status status = command.run();
      return status.ok() ? 0 : mergeflow::ReportFailure(status);
    }
    return 0;  // not reached: a subcommand is required
  } catch (const std::bad_alloc&) {
    return mergeflow::ReportFailure(mergeflow::ErrorRecord{mergeflow::ErrorClass::kOutOfMemory, "out of memory"});
  } catch (const std::exception& e) {
    return mergeflow::ReportFailure(
        mergeflow::ErrorRecord{mergeflow::ErrorClass::kFailed, std::string("internal error: ") + e.what()});
  }
}
