#include "dataset/dataset_inputs.h"

#include "dataset/dataset.h"
#include "dataset/row_deletes.h"
#include "io/input_listing.h"

namespace mergeflow {
namespace {

// The version's current rows: its parts, less the rows their deletes files
// name, then its deltas.
Result<std::vector<FileInfo>> PartsOf(const Dataset& dataset, const VersionManifest& manifest) {
  if (manifest.parts.empty())
    return Status::IOError("version " + manifest.version + " of " + dataset.root() + " lists no parts");
  std::vector<FileInfo> files;
  for (const VersionPart& part : manifest.parts) {
    files.push_back(FileInfo{part.path, true, false, part.bytes});
    if (part.deletes) {
      MF_ASSIGN_OR_RETURN(std::vector<ByteRange> ranges, ReadRowDeletes(dataset.fs(), part.deletes->path));
      files.back().skip = std::make_shared<const std::vector<ByteRange>>(std::move(ranges));
    }
  }
  for (const VersionPart& delta : manifest.deltas) files.push_back(FileInfo{delta.path, true, false, delta.bytes});
  return files;
}

}  // namespace

Result<std::vector<FileInfo>> ResolveInputFiles(const std::string& spec) {
  if (spec == "-" || spec.find_first_of("*?[") != std::string::npos) return ListInputFiles(spec);
  if (std::optional<DatasetSelector> selector = ParseDatasetSelector(spec)) {
    MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(selector->dataset));
    MF_ASSIGN_OR_RETURN(FileInfo versions, dataset.fs()->GetFileInfo(VersionsDir(dataset.root())));
    if (versions.exists) {
      MF_ASSIGN_OR_RETURN(VersionManifest manifest, selector->at_millis ? dataset.ManifestAt(*selector->at_millis)
                                                                        : dataset.ManifestOf(selector->version));
      return PartsOf(dataset, manifest);
    }
    MF_ASSIGN_OR_RETURN(FileInfo literal, dataset.fs()->GetFileInfo(spec));
    if (!literal.exists) return Status::IOError("cannot read " + spec + ": " + dataset.root() + " is not a dataset");
  }
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(spec));
  // Only a directory can be a dataset: a file costs no more look-ups.
  MF_ASSIGN_OR_RETURN(FileInfo info, dataset.fs()->GetFileInfo(spec));
  if (!info.exists || !info.is_directory) return ListInputFiles(spec);
  MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> state, dataset.ReadPointer());
  if (state) {
    MF_ASSIGN_OR_RETURN(VersionManifest manifest, dataset.ManifestPointedTo(state->pointer));
    return PartsOf(dataset, manifest);
  }
  MF_ASSIGN_OR_RETURN(FileInfo versions, dataset.fs()->GetFileInfo(VersionsDir(dataset.root())));
  if (versions.exists)
    return Status::IOError(dataset.root() + " is a dataset with no published version yet; read DATASET@VERSION");
  return ListInputFiles(spec);
}

}  // namespace mergeflow
