// PipelineRunRecord: what a pipeline run did, kept as LOG_URI/RUN_ID/run.json
// (DESIGN.md section 7) and rewritten whole at every change of state: the
// params, each step's status and attempts (start, end, exit, error class and
// last error line, log), its rows and bytes, and a retry's due time, so that
// `mergeflow run --resume` keeps the schedule and `mergeflow runs` can tell
// the story. Secrets never go in (common/secret_redactor.h).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/run_owner.h"
#include "common/secret_redactor.h"

namespace mergeflow {

struct AttemptRecord {
  int attempt = 1;
  std::string started_at;
  std::string ended_at;         // empty while it runs
  std::optional<int> exit_code;  // the process's, when it exited
  std::string outcome;           // "succeeded", "exit status 1", "killed by SIGKILL", "timed out after 5 s"
  std::string error_class;       // common/error_class.h; empty when it succeeded
  std::string error;             // the error's line
  std::string log;               // the attempt's log (URI)
  double seconds = 0;
};

struct StepRunRecord {
  std::string name;
  std::string type;
  // pending, running, retrying (waiting for its next attempt), succeeded,
  // skipped, failed, not_run (after a step that failed)
  std::string status = "pending";
  std::string reason;  // why it runs or is skipped, as `mergeflow plan` says it
  std::string key;
  std::string output;
  std::string version;  // of a dataset it wrote
  std::optional<int64_t> rows;
  std::optional<int64_t> bytes;
  std::vector<AttemptRecord> attempts;
  std::vector<int> retries_by_rule;  // pipeline/retry_policy.h
  int next_attempt = 0;              // while retrying
  std::string next_attempt_at;       // while retrying
};

struct PipelineRunRecord {
  std::string run_id;
  std::string pipeline;
  std::string file;
  std::string spec_sha256;  // of the YAML file: --resume refuses a changed one
  std::map<std::string, std::string> params;
  std::vector<std::string> forced;
  std::string log_uri;
  RunMarker runner;  // who runs it (process, host), as a lock says it
  std::string started_at;
  std::string ended_at;
  std::string status = "running";  // running, succeeded, failed, interrupted
  std::string error;               // why it failed: the step and its error
  std::vector<StepRunRecord> steps;

  StepRunRecord* Step(const std::string& name);
  nlohmann::json ToJson() const;
  // BadInput naming `where` when `text` is not a run record.
  static Result<PipelineRunRecord> FromJson(const std::string& text, const std::string& where);
};

// LOG_URI/RUN_ID: where a run's record and logs are.
std::string RunDirectory(const std::string& log_uri, const std::string& run_id);

// Writes `record` as RUN_DIR/run.json, whole (readers see the last version
// or the one before, never a part), with secrets redacted.
Status WritePipelineRunRecord(const PipelineRunRecord& record, const SecretRedactor& redactor);

// Reads the record of run `run_id` under `log_uri`; NotFound when there is none.
Result<PipelineRunRecord> ReadPipelineRunRecord(const std::string& log_uri, const std::string& run_id);

// Every run recorded under `log_uri`, oldest first;
// records that cannot be read are left out.
Result<std::vector<PipelineRunRecord>> ListPipelineRunRecords(const std::string& log_uri);

}  // namespace mergeflow
