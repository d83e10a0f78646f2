#include "dataset/dataset_gc.h"

#include <map>
#include <set>

#include "common/utc_time.h"
#include "io/output_committer.h"

namespace mergeflow {
namespace {

// Why `version` is kept, or empty when nothing keeps it.
std::string KeepReason(const std::string& version, const std::string& current, const std::set<std::string>& pins,
                       const std::set<std::string>& recent, int64_t newest_collectable_millis) {
  if (version == current) return "current";
  if (pins.contains(version)) return "pinned";
  if (recent.contains(version)) return "recently published";
  const std::optional<int64_t> made = ParseUtcMillis(version.substr(0, 16));
  if (!made || *made > newest_collectable_millis) return "younger than --older-than";
  return "";
}

// The versions a run is still writing (or a killed run left): hidden names
// ".VERSION.mergeflow-..." beside the version directories.
Result<std::set<std::string>> VersionsBeingWritten(const Dataset& dataset) {
  std::set<std::string> versions;
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, dataset.ListIfPresent(VersionsDir(dataset.root())));
  for (const FileInfo& entry : entries) {
    if (auto version = VersionOfWorkName(SplitParent(entry.path).second)) versions.insert(*version);
  }
  return versions;
}

// Every file under `dir`, depth first.
Status ListFilesUnder(FileSystem* fs, const std::string& dir, std::vector<FileInfo>* files) {
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> entries, fs->ListDirectory(dir));
  for (FileInfo& entry : entries) {
    if (entry.is_directory) {
      MF_RETURN_IF_ERROR(ListFilesUnder(fs, entry.path, files));
    } else {
      files->push_back(std::move(entry));
    }
  }
  return Status::OK();
}

}  // namespace

Result<GcPlan> PlanGc(const Dataset& dataset, const GcOptions& options) {
  GcPlan plan;
  MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> state, dataset.ReadPointer());
  const std::string current = state ? state->pointer.version : "";
  if (state) plan.pointer_token = state->token;
  MF_ASSIGN_OR_RETURN(std::vector<HistoryEntry> log, dataset.Log());
  MF_ASSIGN_OR_RETURN(plan.pins, dataset.Pins());
  const std::set<std::string>& pins = plan.pins;
  MF_ASSIGN_OR_RETURN(std::set<std::string> being_written, VersionsBeingWritten(dataset));
  std::set<std::string> recent;
  for (const HistoryEntry& entry : log) {
    if (recent.size() >= options.keep) break;
    recent.insert(entry.version);
  }
  const int64_t newest_collectable = NowMillis() - options.older_than_seconds * 1000;

  MF_ASSIGN_OR_RETURN(std::vector<std::string> versions, dataset.VersionDirectories());
  std::map<std::string, std::optional<VersionManifest>> manifests;
  std::set<std::string> listed_by_kept;
  for (const std::string& version : versions) {
    MF_ASSIGN_OR_RETURN(manifests[version], ReadVersionManifest(dataset.fs(), dataset.root(), version));
    GcDecision decision;
    decision.version = version;
    decision.why = KeepReason(version, current, pins, recent, newest_collectable);
    if (decision.why.empty() && !manifests[version] && being_written.contains(version))
      decision.why = "incomplete, still marked by a run";
    decision.collect = decision.why.empty();
    if (!decision.collect && manifests[version]) {
      for (const VersionPart* file : manifests[version]->Files()) listed_by_kept.insert(file->path);
    }
    plan.versions.push_back(std::move(decision));
  }
  for (GcDecision& decision : plan.versions) {
    if (!decision.collect) continue;
    const std::string dir = VersionDir(dataset.root(), decision.version);
    std::vector<FileInfo> files;
    MF_RETURN_IF_ERROR(ListFilesUnder(dataset.fs(), dir, &files));
    const std::string success = JoinPath(dir, "_SUCCESS");
    decision.has_manifest = manifests[decision.version].has_value();
    if (decision.has_manifest) decision.remove.push_back(success);  // first: the version stops being readable
    for (const FileInfo& file : files) {
      if (file.path == success) continue;
      if (listed_by_kept.contains(file.path)) {
        ++decision.parts_kept_for_others;
      } else {
        decision.remove.push_back(file.path);
        decision.bytes += file.size;
      }
    }
  }
  return plan;
}

Result<size_t> ReclaimAbandonedVersions(const Dataset& dataset) {
  MF_ASSIGN_OR_RETURN(std::set<std::string> being_written, VersionsBeingWritten(dataset));
  size_t reclaimed = 0;
  for (const std::string& version : being_written) {
    MF_ASSIGN_OR_RETURN(size_t count, OutputCommitter::ReclaimAbandoned(VersionDir(dataset.root(), version)));
    reclaimed += count;
  }
  return reclaimed;
}

Result<GcPlan> ApplyGc(const Dataset& dataset, const GcOptions& options) {
  MF_RETURN_IF_ERROR(ReclaimAbandonedVersions(dataset).status_or_ok());
  MF_ASSIGN_OR_RETURN(GcPlan plan, PlanGc(dataset, options));
  for (const GcDecision& decision : plan.versions) {
    if (!decision.collect) continue;
    MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> state, dataset.ReadPointer());
    MF_ASSIGN_OR_RETURN(std::set<std::string> pins, dataset.Pins());
    if ((state ? state->token : "") != plan.pointer_token || pins != plan.pins)
      return Status::Conflict(dataset.root() + " changed while gc ran (a publish, rollback or pin); stopped before " +
                              decision.version + "; run gc again");
    // The manifest first (the version stops being readable), then the rest at once.
    const size_t first = decision.has_manifest ? 1 : 0;
    MF_RETURN_IF_ERROR(dataset.fs()->RemoveFiles({decision.remove.begin(), decision.remove.begin() + first}));
    MF_RETURN_IF_ERROR(dataset.fs()->RemoveFiles({decision.remove.begin() + first, decision.remove.end()}));
    if (decision.parts_kept_for_others == 0)
      MF_RETURN_IF_ERROR(dataset.fs()->RemoveAll(VersionDir(dataset.root(), decision.version)));
  }
  return plan;
}

}  // namespace mergeflow
