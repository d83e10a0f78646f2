// mergeflow: join delimited-text inputs on a key at any scale; keep
// versioned datasets and apply change files to them; validate; run
// pipelines of these steps; clean up after killed runs.
#include <CLI/CLI.hpp>
#include <exception>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/failure_report.h"
#include "common/interrupt.h"

int main(int argc, char** argv) {
  mergeflow::InstallInterruptHandler();
  CLI::App app{"mergeflow: merge two delimited-text files on a key, from a laptop to a cluster."};
  app.set_version_flag("--version", std::string("mergeflow ") + MERGEFLOW_VERSION);
  app.require_subcommand(1);
  const std::vector<mergeflow::Command> commands = mergeflow::DeclareCommands(&app, nullptr);
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
    const mergeflow::Status status = mergeflow::RunParsedCommand(commands);
    return status.ok() ? 0 : mergeflow::ReportFailure(status);
  } catch (const std::bad_alloc&) {
    return mergeflow::ReportFailure(mergeflow::ErrorRecord{mergeflow::ErrorClass::kOutOfMemory, "out of memory"});
  } catch (const std::exception& e) {
    return mergeflow::ReportFailure(
        mergeflow::ErrorRecord{mergeflow::ErrorClass::kFailed, std::string("internal error: ") + e.what()});
  }
}
