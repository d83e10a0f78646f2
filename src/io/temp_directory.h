// TempDirectory: a fresh directory for temporary files (spilled partitions,
// shuffled rows) on the local file system, removed with everything in it
// when the object goes, and also when the process is interrupted
// (common/interrupt.h). A run marker beside it (io/run_marker_file.h) lets a
// later run remove it if this process is killed; creating one first removes
// those that killed runs left in the same parent.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "io/file_system.h"
#include "io/run_marker_file.h"

namespace mergeflow {

class TempDirectory {
 public:
  // Names start with this; killed runs' directories are found by it.
  static constexpr char kPrefix[] = "mergeflow-";

  // Creates directory `name` (which starts with kPrefix) in `parent`, or in
  // $TMPDIR when `parent` is empty, or in /tmp. Fails with "cannot create a
  // temporary directory in PARENT: reason", also when `name` is taken.
  static Result<std::unique_ptr<TempDirectory>> Create(const std::string& parent, const std::string& name);
  // Removes the directories of killed runs in `parent` (resolved as in
  // Create), with a Notice for each; returns how many.
  static Result<size_t> ReclaimAbandoned(const std::string& parent);
  // Removes the directory and what it holds, then its marker.
  ~TempDirectory();
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  const std::string& path() const { return path_; }
  // The file system the directory is on.
  FileSystem* fs() const { return fs_; }

 private:
  TempDirectory(FileSystem* fs, std::string path, MarkedDirectory made);
  // Renames the directory aside, then removes it: when an interrupt runs
  // this, workers may still be creating files in it, and after the rename
  // they cannot add any to what is being removed.
  // Returns whether it is gone.
  static bool Remove(FileSystem* fs, const std::string& path);

  FileSystem* fs_;
  std::string path_;
  std::unique_ptr<RunMarkerFile> marker_;
  int cleanup_ = 0;
};

}  // namespace mergeflow
