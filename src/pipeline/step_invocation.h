// StepInvocation: one pipeline step made concrete for a run: its options
// with every `${...}` resolved, the command line of the child process that
// runs it, what it reads and writes, and its key.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/pipeline_spec.h"
#include "pipeline/step_key.h"

namespace mergeflow {

struct StepInvocation {
  const StepSpec* spec = nullptr;
  nlohmann::json options;         // name -> resolved text, list or map
  std::vector<std::string> argv;  // after the mergeflow binary (a command step: the whole command)
  std::vector<std::string> inputs;
  std::string output;           // a directory or dataset it writes; empty when none
  bool output_is_dataset = false;
  StepKeyParts key_parts;       // inputs fingerprinted
};

// Resolves `step` with `lookup` (params, run_id, attempt, steps.S.output,
// steps.S.version; nullopt for what is not known yet) and fingerprints its
// inputs. InvalidArgument "STEP: undefined ${X}" for an unknown name.
Result<StepInvocation> InvokeStep(const StepSpec& step,
                                  const std::function<std::optional<std::string>(const std::string&)>& lookup);

// The output a step writes, from its options as written (for
// ${steps.S.output} of later steps): resolved with `lookup` like
// InvokeStep; empty when the step writes none.
Result<std::string> StepOutput(const StepSpec& step,
                               const std::function<std::optional<std::string>(const std::string&)>& lookup);

// What a step's earlier run left: its key parts and run, read from the
// _SUCCESS of its output (a dataset's versions are searched for one
// written with `key`). An output counts as done only when its manifest
// parses and every part it lists exists with its listed size.
struct StepRecord {
  StepKeyParts parts;
  std::string key;
  std::string run_id;
  std::string finished_at;
  std::string version;  // of a dataset output
  std::string missing;  // a listed part that is not there as listed; empty when all are
  uint64_t rows = 0;    // in the parts listed
  uint64_t bytes = 0;
};
Result<std::optional<StepRecord>> ReadStepRecord(const StepInvocation& step, const std::string& key);

// The environment variable through which the runner hands a step its
// record (the key parts and key, JSON); join and upsert copy it into their
// manifest as "step".
inline constexpr char kStepRecordVariable[] = "MERGEFLOW_STEP_RECORD";

// The record the runner handed this process, for its manifest's "step";
// null when there is none (or it does not parse).
nlohmann::json StepRecordFromEnvironment();

}  // namespace mergeflow
