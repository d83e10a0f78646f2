// mergeflow: join two delimited-text inputs on a key, at any scale; manage
// versioned datasets; clean up after killed runs.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/clean_command.h"
#include "cli/dataset_command.h"
#include "cli/join_command.h"
#include "cli/pipeline_command.h"
#include "cli/upsert_command.h"
#include "common/interrupt.h"

namespace {

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "mergeflow: error: %s\n", message.c_str());
  return code;
}

}  // namespace

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return Fail(std::string(e.what()) + " (see 'mergeflow --help')", 2);
  }
  try {
    mergeflow::Status status = clean->parsed()     ? mergeflow::RunCleanCommand(clean_options)
                               : dataset->parsed() ? mergeflow::RunDatasetCommand(dataset_options, dataset)
                               : upsert->parsed()  ? mergeflow::RunUpsertCommand(upsert_options)
                               : plan->parsed()    ? mergeflow::RunPlanCommand(plan_options)
                                                   : mergeflow::RunJoinCommand(options, join);
    if (status.ok()) return 0;
    return Fail(status.message(), status.code() == mergeflow::Status::Code::kInvalidArgument ? 2 : 1);
  } catch (const std::bad_alloc&) {
    return Fail("out of memory", 1);
  } catch (const std::exception& e) {
    return Fail(std::string("internal error: ") + e.what(), 1);
  }
}
