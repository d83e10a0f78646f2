// OutputCommitter: all-or-nothing output directories.
//
// Files created through a committer stay invisible until Commit, which
// writes `_SUCCESS` last and replaces any previous output whole. Until Commit
// returns OK the target is exactly as it was. An uncommitted committer
// discards what it staged when destroyed, and also when the process is
// interrupted (SIGINT/SIGTERM, see common/interrupt.h).
//
// Each store stages in its own way (FileSystem::StartOutput): on a local
// file system, a hidden directory renamed into place; on S3, multipart
// uploads completed only at commit.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/run_marker_file.h"

namespace mergeflow {

class OutputCommitter {
 public:
  // Prepares staging for `target` (a directory path or URI) with the
  // committer of its store. Creates missing parent directories. Fails if
  // `target` exists and is not a directory.
  static Result<std::unique_ptr<OutputCommitter>> Start(const std::string& target, const std::string& run_id);
  // Removes what killed runs left while writing `target` (with the
  // committer of its store: FileSystem::ReclaimAbandonedOutput); returns how
  // many things it removed.
  static Result<size_t> ReclaimAbandoned(const std::string& target);

  virtual ~OutputCommitter() = default;
  OutputCommitter() = default;
  OutputCommitter(const OutputCommitter&) = delete;
  OutputCommitter& operator=(const OutputCommitter&) = delete;

  // Creates file `name` in the output, invisible until Commit. `name` may
  // hold '/' (a file in a subdirectory of the output, made as needed).
  // Errors name the file by its final path. Thread-safe.
  virtual Result<std::unique_ptr<WritableFile>> CreateFile(const std::string& name) = 0;

  // Writes `_SUCCESS` with `success_contents` and publishes everything:
  // BeginCommit, PublishFiles, then FinishCommit with this committer's files.
  // REQUIRES: every file from CreateFile is closed. Called at most once.
  Status Commit(const std::string& success_contents);

  // An output written by several processes (MPI ranks), each with its own
  // committer for the same target and run id, commits in three steps, each
  // begun only once the one before succeeded in every process. Each step
  // holds off interrupts while it runs.
  //  1. BeginCommit, by one process (the leader): Interrupted when a stop
  //     was requested (common/interrupt.h: the last moment a run can stop
  //     with the old output intact); else the old output stops being
  //     trusted (RetractOldOutput: its `_SUCCESS` goes).
  //  2. PublishFiles, by every process: its files join the output. From
  //     then on this committer no longer discards them; the leader's does.
  //  3. FinishCommit, by the leader: anything in the target not among
  //     `all_files` (every process's file_names()) goes, `_SUCCESS` is
  //     written last and the output published. On failure the leader
  //     discards what it can.
  Status BeginCommit();
  virtual Status PublishFiles() = 0;
  virtual Status FinishCommit(const std::string& success_contents, const std::vector<std::string>& all_files) = 0;
  // The names of the files created so far. Thread-safe.
  virtual std::vector<std::string> file_names() const = 0;

  virtual const std::string& target() const = 0;

 protected:
  // BeginCommit's work in this committer's store.
  virtual Status RetractOldOutput() = 0;
};

// The committer for stores with directories and rename: files go to a hidden
// staging directory beside the target, published by PublishDirectory. A run
// marker beside the staging directory (io/run_marker_file.h) lets a later
// run for the same target remove it if this process is killed; Start removes
// those that killed runs left.
class StagedDirectoryCommitter : public OutputCommitter {
 public:
  static Result<std::unique_ptr<OutputCommitter>> Start(FileSystem* fs, const std::string& target,
                                                        const std::string& run_id);
  // Removes the staging directories of killed runs for `target`.
  static Result<size_t> ReclaimAbandoned(FileSystem* fs, const std::string& target);
  ~StagedDirectoryCommitter() override;

  Result<std::unique_ptr<WritableFile>> CreateFile(const std::string& name) override;
  // The files are in the staging directory, which every process shares.
  Status PublishFiles() override;
  Status FinishCommit(const std::string& success_contents, const std::vector<std::string>& all_files) override;
  std::vector<std::string> file_names() const override;
  const std::string& target() const override { return target_; }

 protected:
  // The old output stays whole until the staging directory replaces it.
  Status RetractOldOutput() override { return Status::OK(); }

 private:
  StagedDirectoryCommitter(FileSystem* fs, std::string target, std::string staging);
  void RemoveStaging();

  FileSystem* fs_;
  std::string target_;
  std::string staging_;
  std::unique_ptr<RunMarkerFile> marker_;  // of staging_; goes after it
  int cleanup_handle_ = 0;
  bool committed_ = false;        // published, or handed to the leader
  mutable std::mutex names_mu_;
  std::vector<std::string> names_;
};

// A fresh identifier for a run: time and randomness, safe in file names.
std::string NewRunId();

}  // namespace mergeflow
