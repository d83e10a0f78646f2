// The plan of a pipeline run: which steps run and which are skipped, and
// why (DESIGN.md section 7, "Skip if done").
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/pipeline_spec.h"
#include "pipeline/step_invocation.h"

namespace mergeflow {

struct StepDecision {
  const StepSpec* spec = nullptr;
  bool run = true;
  std::string reason;  // "never ran", "done in run R at T", "option how changed: inner -> left", ...
  // The step made concrete, when everything it refers to is known now (a
  // step after one that runs waits for it).
  std::optional<StepInvocation> invocation;
  std::string key;
  std::optional<StepRecord> done;  // the record of the run that did it, when skipped
};

// The steps of `spec` in an order that respects `needs` (file order among
// independent steps), each decided: a step runs when it never ran, when its
// key differs from the one its output records, when a step it needs runs,
// when it or a step before it is in `forced`, or when it writes nothing to
// record a key in (validate and command steps); a publish step is skipped
// when its version is already current. `run_id` resolves ${run_id}.
Result<std::vector<StepDecision>> PlanPipeline(const PipelineSpec& spec, const std::set<std::string>& forced,
                                               const std::string& run_id);

// The plan as `mergeflow plan` prints it: one line per step.
std::string FormatPlan(const PipelineSpec& spec, const std::vector<StepDecision>& plan);

}  // namespace mergeflow
