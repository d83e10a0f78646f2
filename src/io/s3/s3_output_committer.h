// S3OutputCommitter: all-or-nothing outputs on S3, which has no rename.
//
// Every file is a multipart upload (or, if small, a buffer) that stays
// invisible until Commit. Commit then, with interrupts held off: removes the
// old `_SUCCESS` (so readers stop trusting the old output), completes every
// upload (same-named old parts are replaced), deletes old objects that the
// new output does not have, and writes the new `_SUCCESS` last. A failed or
// interrupted run aborts all its uploads: the old output stays as it was and
// no incomplete upload is left behind. A run killed outright (SIGKILL, a lost
// machine) cannot abort its uploads: its marker beside the output
// (io/run_marker_file.h) lets the next run for the output abort them, once no
// live run marks the output.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/output_committer.h"
#include "io/run_marker_file.h"
#include "io/s3/s3_client.h"

namespace mergeflow {

class S3UploadFile;

class S3OutputCommitter : public OutputCommitter {
 public:
  // Fails for a bucket root (an output needs its own prefix) and when an
  // object sits at the target's own key. Run markers are written through
  // the file system registered for "s3".
  static Result<std::unique_ptr<OutputCommitter>> Start(S3Client* client, const std::string& target,
                                                        const std::string& run_id);
  // Removes the markers of killed runs for output `target` and, when no
  // live run marks it any more, aborts the uploads they left open under it;
  // returns how many markers and uploads went.
  static Result<size_t> ReclaimAbandonedUploads(S3Client* client, const std::string& target);
  ~S3OutputCommitter() override;

  Result<std::unique_ptr<WritableFile>> CreateFile(const std::string& name) override;
  Status PublishFiles() override;
  Status FinishCommit(const std::string& success_contents, const std::vector<std::string>& all_files) override;
  std::vector<std::string> file_names() const override;
  const std::string& target() const override { return target_; }

 protected:
  // Deletes the old output's `_SUCCESS`.
  Status RetractOldOutput() override;

 private:
  S3OutputCommitter(S3Client* client, std::string target, S3Location prefix, std::string run_id);
  // Aborts every upload not yet published. Thread-safe.
  void DiscardAll();

  S3Client* client_;
  std::string target_;
  S3Location prefix_;  // the output's key prefix, ending in '/'
  std::string run_id_;
  std::unique_ptr<RunMarkerFile> marker_;
  int cleanup_handle_ = 0;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<S3UploadFile>> files_;
  bool committed_ = false;
};

}  // namespace mergeflow
