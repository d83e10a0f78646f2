// PipelineSpec: a pipeline's YAML file (DESIGN.md section 7), read and
// checked before anything runs. Every error names FILE:LINE:COLUMN of what
// is wrong: YAML syntax, an unknown key, an unknown step type or option, a
// `needs` that names no step or closes a cycle, a `${...}` that names
// nothing the step can see, a bad duration, number or retry rule.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace mergeflow {

// Where something was written in the YAML file (1-based).
struct SpecLocation {
  int line = 0;
  int column = 0;
};

// One retrier, with the semantics and defaults of AWS Step Functions.
struct RetryRule {
  std::vector<std::string> on;  // error classes: transient, node_lost, out_of_memory, timeout, all
  int max_attempts = 3;         // retries after the first try; 0: none
  double interval_seconds = 1;
  double backoff_rate = 2.0;
  std::optional<double> max_delay_seconds;
  bool full_jitter = false;  // a uniform wait in [0, delay] instead of the delay
};

// How a step's process is started.
struct Launcher {
  enum class Kind { kLocal, kMpirun, kSrun };
  Kind kind = Kind::kLocal;
  int processes = 1;              // mpirun -np, srun --ntasks
  std::vector<std::string> args;  // passed to the launcher as they are
};

// A step option's value as written, `${...}` unresolved: text, a list of
// texts, or a map of texts (`output: {dataset: D}`).
struct OptionValue {
  enum class Kind { kText, kList, kMap };
  Kind kind = Kind::kText;
  std::string text;
  std::vector<std::string> list;
  std::map<std::string, std::string> map;
  SpecLocation at;
};

struct StepSpec {
  std::string name;
  std::string type;  // join, aggregate, upsert, validate, publish, command
  SpecLocation at;
  // The type's options by name; a `command` step's argument list is its
  // one option "command".
  std::map<std::string, OptionValue> options;
  std::vector<std::string> needs;
  std::optional<Launcher> launcher;  // unset: the pipeline's
  std::optional<int64_t> timeout_seconds;
  std::optional<std::vector<RetryRule>> retry;  // unset: the pipeline's
};

struct PipelineSpec {
  std::string file;
  std::string name;
  std::map<std::string, std::string> params;  // defaults, then -p overrides
  std::string log_uri;                         // empty: .mergeflow/runs/ beside the file
  std::vector<RetryRule> retry;
  Launcher launcher;
  std::vector<StepSpec> steps;  // as written; `needs` form no cycle

  const StepSpec* Step(const std::string& name) const;
  // Whether `ancestor` must finish before `step` starts (through `needs`).
  bool Precedes(const std::string& ancestor, const std::string& step) const;
};

// The options each step type takes (for join, aggregate and upsert: the
// long options of that command, without the dashes).
using StepOptionNames = std::map<std::string, std::set<std::string>>;

// Reads and checks pipeline `file`, with `overrides` (-p NAME=VALUE) of
// declared params. InvalidArgument "FILE:LINE:COLUMN: ..." on any error;
// IOError when the file cannot be read.
Result<PipelineSpec> LoadPipelineSpec(const std::string& file, const std::map<std::string, std::string>& overrides,
                                      const StepOptionNames& known);

}  // namespace mergeflow
