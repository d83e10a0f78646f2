#include "cli/clean_command.h"

#include <cstdio>
#include <memory>

#include "cli/file_systems.h"
#include "dataset/dataset.h"
#include "dataset/dataset_gc.h"
#include "io/output_committer.h"
#include "io/temp_directory.h"

namespace mergeflow {

CLI::App* AddCleanCommand(CLI::App* app, CleanCommandOptions* o) {
  CLI::App* clean = app->add_subcommand(
      "clean", "Remove what killed runs left for an output: staging directories, open uploads, spill directories");
  clean->add_option("OUT", o->output, "The output directory (local or s3://)")->required();
  clean->add_option("--temp-dir", o->temp_dir, "Where spill directories are (default: $TMPDIR or /tmp)");
  return clean;
}

Status RunCleanCommand(const CleanCommandOptions& o) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  MF_ASSIGN_OR_RETURN(size_t outputs, OutputCommitter::ReclaimAbandoned(o.output));
  // A dataset's versions are outputs of their own, under _versions/.
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(o.output));
  Result<bool> is_dataset = dataset.Exists();
  if (is_dataset.ok() && is_dataset.value()) {
    MF_ASSIGN_OR_RETURN(size_t versions, ReclaimAbandonedVersions(dataset));
    outputs += versions;
  }
  MF_ASSIGN_OR_RETURN(size_t temporary, TempDirectory::ReclaimAbandoned(o.temp_dir));
  if (outputs + temporary == 0) std::printf("nothing left by killed runs for %s\n", o.output.c_str());
  return Status::OK();
}

}  // namespace mergeflow
