// StepLog: the output of one attempt of a pipeline step, kept as
// LOG_URI/RUN_ID/STEP.ATTEMPT.log (DESIGN.md section 7). Secrets are
// redacted line by line (common/secret_redactor.h). On a local path the log
// is written as the output comes; on S3, where an object cannot grow, the
// whole log is uploaded again every `upload_seconds` while it grows and
// once more at Close, from a spool file on the local disk.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/secret_redactor.h"
#include "io/file_system.h"

namespace mergeflow {

class StepLog {
 public:
  // `spool` is a local file for a log whose `uri` is not local; `redactor`
  // must outlive the log.
  static Result<std::unique_ptr<StepLog>> Open(const std::string& uri, const std::string& spool,
                                               const SecretRedactor* redactor, double upload_seconds);
  ~StepLog();
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  // Adds output as it comes (any piece of it, also none); uploads when due.
  // A failed upload is tried again at the next one: losing a log never
  // fails a step.
  void Append(std::string_view bytes);
  // Adds a line of the runner's own ("mergeflow: step S timed out ...").
  void Note(const std::string& line);
  // Writes out what is held back and uploads the whole log.
  Status Close();

  // The last non-empty line written (redacted), for the run record.
  const std::string& last_line() const { return last_line_; }
  const std::string& uri() const { return uri_; }

 private:
  StepLog(std::string uri, FileSystem* fs, std::string file, std::FILE* out, const SecretRedactor* redactor,
          double upload_seconds);
  void Emit(std::string_view text);
  Status Upload();

  const std::string uri_;
  FileSystem* fs_;            // of uri_
  const std::string file_;    // the local file written: uri_ itself, or the spool
  std::FILE* out_;
  const SecretRedactor* redactor_;
  const double upload_seconds_;
  std::string pending_;       // an unfinished line
  std::string last_line_;
  std::chrono::steady_clock::time_point last_upload_;
};

}  // namespace mergeflow
