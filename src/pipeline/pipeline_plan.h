// The plan of a pipeline run: which steps run and which are skipped, and
// why (DESIGN.md section 7, "Skip if done").
#pragma once

#include <map>
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

// Decides the steps of a pipeline one at a time, in an order that respects
// `needs`, for `mergeflow plan` (which decides them all at once) and for a
// run (which decides each step when the steps it needs have finished).
class PipelinePlanner {
 public:
  // `forced`: the --force steps; `run_id` resolves ${run_id}.
  PipelinePlanner(const PipelineSpec& spec, std::set<std::string> forced, std::string run_id);

  // The steps in needs order: file order, each as soon as what it needs is placed.
  const std::vector<const StepSpec*>& order() const { return order_; }
  // Decides `step` as PlanPipeline says, with ${attempt} = `attempt`. Every
  // step it needs must be Recorded first; one that runs and has not
  // Finished leaves this step waiting (no invocation yet).
  Result<StepDecision> Decide(const StepSpec& step, int attempt = 1) const;
  // Keeps `decision` for the steps after it.
  void Record(const StepDecision& decision);
  // A step that ran has finished, writing dataset version `version` (empty
  // when none): the steps after it can now be resolved.
  void Finished(const std::string& step, const std::string& version);

 private:
  std::optional<std::string> Lookup(const std::string& name, int attempt) const;

  const PipelineSpec& spec_;
  const std::set<std::string> forced_;
  const std::string run_id_;
  const std::vector<const StepSpec*> order_;
  std::map<std::string, StepDecision> decided_;
  std::map<std::string, std::string> finished_;  // step -> version
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
