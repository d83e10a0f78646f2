// mergeflow: join two delimited-text inputs on a key, at any scale; manage
// versioned datasets; clean up after killed runs.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/clean_command.h"
#include "cli/dataset_command.h"
#include "cli/failure_report.h"
#include "cli/join_command.h"
#include "cli/pipeline_command.h"
#include "cli/upsert_command.h"
#include "cli/validate_command.h"
#include "common/interrupt.h"

int main(int argc, char** argv) {
  mergeflow::InstallInterruptHandler();
  CLI::App app{"mergeflow: merge two delimited-text files on a key, from a laptop to a cluster."};
  app.set_version_flag("--version", std::string("mergeflow ") + MERGEFLOW_VERSION);
  app.require_subcommand(1);
  mergeflow::JoinCommandOptions options;
  CLI::App* join = mergeflow::AddJoinCommand(&app, &options);
  mergeflow::CleanCommandOptions clean_options;
  CLI::App* clean = mergeflow::AddCleanCommand(&app, &clean_options);
  mergeflow::DatasetCommandOptions dataset_options;
  CLI::App* dataset = mergeflow::AddDatasetCommand(&app, &dataset_options);
  mergeflow::UpsertCommandOptions upsert_options;
  CLI::App* upsert = mergeflow::AddUpsertCommand(&app, &upsert_options);
  mergeflow::PlanCommandOptions plan_options;
  CLI::App* plan = mergeflow::AddPlanCommand(&app, &plan_options);
  mergeflow::RunCommandOptions run_options;
  CLI::App* run = mergeflow::AddRunCommand(&app, &run_options);
  mergeflow::ValidateCommandOptions validate_options;
  CLI::App* validate = mergeflow::AddValidateCommand(&app, &validate_options);
  mergeflow::RunsCommandOptions runs_options;
  CLI::App* runs = mergeflow::AddRunsCommand(&app, &runs_options);
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
    mergeflow::Status status = clean->parsed()     ? mergeflow::RunCleanCommand(clean_options)
                               : dataset->parsed() ? mergeflow::RunDatasetCommand(dataset_options, dataset)
                               : upsert->parsed()  ? mergeflow::RunUpsertCommand(upsert_options)
                               : plan->parsed()    ? mergeflow::RunPlanCommand(plan_options)
                               : run->parsed()     ? mergeflow::RunRunCommand(run_options)
                               : runs->parsed()    ? mergeflow::RunRunsCommand(runs_options, runs)
                               : validate->parsed() ? mergeflow::RunValidateCommand(validate_options)
                                                   : mergeflow::RunJoinCommand(options, join);
    return status.ok() ? 0 : mergeflow::ReportFailure(status);
  } catch (const std::bad_alloc&) {
    return mergeflow::ReportFailure(mergeflow::ErrorRecord{mergeflow::ErrorClass::kOutOfMemory, "out of memory"});
  } catch (const std::exception& e) {
    return mergeflow::ReportFailure(
        mergeflow::ErrorRecord{mergeflow::ErrorClass::kFailed, std::string("internal error: ") + e.what()});
  }
}
