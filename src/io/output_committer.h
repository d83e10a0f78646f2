// OutputCommitter: all-or-nothing output directories.
//
// Files are written into a hidden staging directory beside the target; Commit
// writes `_SUCCESS` last and then publishes the staging directory as the
// target in one step, replacing any previous output whole. Until Commit
// returns OK the target is exactly as it was. An uncommitted committer
// removes its staging directory when destroyed, and also when the process is
// interrupted (SIGINT/SIGTERM, see common/interrupt.h).
#pragma once

#include <memory>
#include <string>

#include "io/file_system.h"

namespace mergeflow {

class OutputCommitter {
 public:
  // Prepares staging for `target` (a directory path or URI). Creates missing
  // parent directories. Fails if `target` exists and is not a directory.
  static Result<std::unique_ptr<OutputCommitter>> Start(const std::string& target, const std::string& run_id);

  ~OutputCommitter();
  OutputCommitter(const OutputCommitter&) = delete;
  OutputCommitter& operator=(const OutputCommitter&) = delete;

  // Creates file `name` in the staging directory. Thread-safe.
  Result<std::unique_ptr<WritableFile>> CreateFile(const std::string& name);

  // Writes `_SUCCESS` with `success_contents`, then publishes. REQUIRES: every
  // file from CreateFile is closed. Called at most once.
  Status Commit(const std::string& success_contents);

  const std::string& target() const { return target_; }

 private:
  OutputCommitter(FileSystem* fs, std::string target, std::string staging);
  void RemoveStaging();

  FileSystem* fs_;
  std::string target_;
  std::string staging_;
  int cleanup_handle_ = 0;
  bool committed_ = false;
};

// A fresh identifier for a run: time and randomness, safe in file names.
std::string NewRunId();

}  // namespace mergeflow
