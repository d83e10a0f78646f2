// Dataset: a directory or s3:// prefix of immutable versions with a pointer
// to the current one (DESIGN.md section 6; layout in dataset/dataset_layout.h).
//
// The pointer moves only by compare-and-swap (FileSystem::WriteIfUnchanged)
// from the state a publisher read, after that publisher created its history
// entry exclusively: of two publishers racing, exactly one wins; the other
// fails with Conflict and changed nothing a reader can see (its history entry,
// if written, stays out of the pointer's chain). A version is immutable once
// its `_SUCCESS` exists; readers read the parts its manifest lists.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "dataset/dataset_layout.h"
#include "dataset/dataset_records.h"
#include "dataset/version_manifest.h"
#include "io/file_system.h"

namespace mergeflow {

class Dataset {
 public:
  // The dataset at `root`, served by the file system of its scheme. Reads
  // nothing yet.
  static Result<Dataset> At(const std::string& root);
  // The dataset at `root` of file system `fs` (not owned; it must outlive
  // the dataset): for wrappers that are not registered, as tests use.
  static Dataset On(FileSystem* fs, std::string root) { return Dataset(std::move(root), fs); }

  const std::string& root() const { return root_; }
  FileSystem* fs() const { return fs_; }

  // Whether `root` holds a dataset (a pointer or a `_versions/`): false when
  // nothing is there or an empty directory; InvalidArgument when it is a
  // file or a directory holding something else.
  Result<bool> Exists() const;

  struct PointerState {
    DatasetPointer pointer;
    std::string token;  // for the compare-and-swap
  };
  // The pointer, or nullopt while nothing is published.
  Result<std::optional<PointerState>> ReadPointer() const;

  // The manifest of the version `pointer` names, checked against its
  // digest: what readers of the dataset get. IOError when the version is gone.
  Result<VersionManifest> ManifestPointedTo(const DatasetPointer& pointer) const;
  // The manifest of `version`, published or not; IOError when it has none.
  Result<VersionManifest> ManifestOf(const std::string& version) const;
  // The manifest of the version that was current at `millis` since the epoch.
  Result<VersionManifest> ManifestAt(int64_t millis) const;

  // The history entries in effect, newest first: the pointer's entry, then
  // each entry's previous_seq. BadInput for a missing or corrupt entry.
  Result<std::vector<HistoryEntry>> Log() const;

  // The versions with a `_SUCCESS`, oldest first (ids sort by time).
  Result<std::vector<std::string>> CompleteVersions() const;
  // Every version id with a directory under `_versions/`, complete or not.
  Result<std::vector<std::string>> VersionDirectories() const;
  Result<std::set<std::string>> Pins() const;
  // The entries of directory `dir`, or none when it does not exist.
  Result<std::vector<FileInfo>> ListIfPresent(const std::string& dir) const;
  // Pins or unpins a complete version: a pinned version is never collected.
  Status Pin(const std::string& version) const;
  Status Unpin(const std::string& version) const;

  // Makes complete `version` current (action "publish", "rollback" or
  // "upsert"): appends the history entry, then swaps the pointer. Refuses
  // (IOError) on a store that ignores conditional writes, checked on the
  // new entry before the pointer moves.
  // Conflict when another publisher got there first; nothing changed then.
  // With `based_on` (a pointer token from ReadPointer, empty for "nothing
  // published"), publishing also fails with Conflict when the pointer moved
  // since: a version computed from the current one (an upsert) must not
  // replace a version it did not see.
  Result<HistoryEntry> Publish(const std::string& version, const std::string& action, const std::string& run_id,
                               const std::optional<std::string>& based_on = std::nullopt) const;

 private:
  Dataset(std::string root, FileSystem* fs) : root_(std::move(root)), fs_(fs) {}

  // The highest sequence number in `_history/`, in effect or not; 0 if none.
  Result<uint64_t> LastSeq() const;
  // IOError unless a second exclusive create of `created` (just created
  // with `contents`) ends in Conflict.
  Status CheckConditionalWrites(const std::string& created, const std::string& contents) const;

  std::string root_;
  FileSystem* fs_;
};

}  // namespace mergeflow
