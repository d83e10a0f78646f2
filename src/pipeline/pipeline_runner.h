// The pipeline runner (`mergeflow run`, DESIGN.md section 7): runs a
// pipeline's steps in `needs` order as child processes of this binary (or
// of the step's launcher), skipping those done, retrying failures as the
// retry rules say, recording everything under the log URI, and holding the
// pipeline's lock while it runs.
#pragma once

#include <map>
#include <set>
#include <string>

#include "common/result.h"
#include "pipeline/pipeline_spec.h"
#include "pipeline/run_record.h"

namespace mergeflow {

struct RunOptions {
  std::string binary;  // the mergeflow that runs the steps (this one)
  std::set<std::string> forced;  // --force: these steps and every step after them run
  // --resume: the run to go on with (its id, params and retry schedule);
  // empty for a new run.
  std::string resume_run_id;
  std::string log_uri;       // where records and logs go (resolved: see PipelineLogUri)
  std::string spec_sha256;   // of the YAML file
  std::string metrics_file;  // a Prometheus textfile written at the end; empty: none
  double log_upload_seconds = 30;
};

// The log URI of a run: `given` (--log-uri), else the spec's, else
// .mergeflow/runs beside the YAML file.
std::string PipelineLogUri(const PipelineSpec& spec, const std::string& given);

// Runs `spec`. A step that fails after its retries ends the run (no step
// starts after it) with the record's status "failed", which is no error
// here. Conflict when another live run holds the lock (naming it);
// InvalidArgument for a step that cannot be resolved, or a --resume whose
// spec changed; IOError when the records cannot be written.
Result<PipelineRunRecord> RunPipeline(const PipelineSpec& spec, const RunOptions& options);

}  // namespace mergeflow
