#include "pipeline/pipeline_plan.h"


#include "dataset/dataset.h"

namespace mergeflow {
namespace {

// The steps in an order that respects needs: file order, each step as soon
// as everything it needs is placed.
std::vector<const StepSpec*> InNeedsOrder(const PipelineSpec& spec) {
  std::vector<const StepSpec*> order;
  std::set<std::string> placed;
  while (order.size() < spec.steps.size()) {
    for (const StepSpec& step : spec.steps) {
      if (placed.count(step.name)) continue;
      bool ready = true;
      for (const std::string& need : step.needs) ready = ready && placed.count(need);
      if (!ready) continue;
      order.push_back(&step);
      placed.insert(step.name);
      break;  // back to the top: earlier steps first
    }
  }
  return order;
}

// Whether publishing `version` of `dataset` would change nothing.
Result<bool> AlreadyCurrent(const std::string& dataset, const std::string& version) {
  MF_ASSIGN_OR_RETURN(Dataset d, Dataset::At(dataset));
  MF_ASSIGN_OR_RETURN(std::optional<Dataset::PointerState> pointer, d.ReadPointer());
  return pointer.has_value() && pointer->pointer.version == version;
}

}  // namespace

PipelinePlanner::PipelinePlanner(const PipelineSpec& spec, std::set<std::string> forced, std::string run_id)
    : spec_(spec), forced_(std::move(forced)), run_id_(std::move(run_id)), order_(InNeedsOrder(spec)) {}

std::optional<std::string> PipelinePlanner::Lookup(const std::string& name, int attempt) const {
  if (auto p = spec_.params.find(name); p != spec_.params.end()) return p->second;
  if (name == "run_id") return run_id_;
  if (name == "attempt") return std::to_string(attempt);
  if (!name.starts_with("steps.")) return std::nullopt;
  const size_t dot = name.rfind('.');
  const auto other = decided_.find(name.substr(6, dot - 6));
  if (other == decided_.end()) return std::nullopt;
  const StepDecision& o = other->second;
  if (name.ends_with(".output")) {
    if (o.invocation) return o.invocation->output;
    Result<std::string> output = StepOutput(*o.spec, [&](const std::string& n) { return Lookup(n, 1); });
    return output.ok() ? std::optional<std::string>(output.value()) : std::nullopt;
  }
  if (const auto f = finished_.find(o.spec->name); f != finished_.end()) return f->second;
  if (o.done && !o.run) return o.done->version;
  return std::nullopt;
}

Result<StepDecision> PipelinePlanner::Decide(const StepSpec& step, int attempt) const {
  StepDecision d;
  d.spec = &step;
  for (const std::string& name : forced_) {
    if (name == step.name || spec_.Precedes(name, step.name)) {
      d.reason = "forced (--force " + name + ")";
      break;
    }
  }
  // After a step that runs and has not finished, what this one reads is not there yet.
  bool waits = false;
  for (const std::string& need : step.needs) {
    if (!decided_.at(need).run || finished_.count(need)) continue;
    waits = true;
    if (d.reason.empty()) d.reason = "after " + need + ", which runs";
  }
  if (waits) return d;
  MF_ASSIGN_OR_RETURN(d.invocation, InvokeStep(step, [&](const std::string& n) { return Lookup(n, attempt); }));
  d.key = d.invocation->key_parts.Key();
  if (!d.reason.empty()) return d;  // forced
  if (step.type == "validate" || step.type == "command") {
    d.reason = "a " + step.type + " step always runs";
    return d;
  }
  if (step.type == "publish") {
    const std::string version = d.invocation->options.value("version", "");
    MF_ASSIGN_OR_RETURN(bool current, AlreadyCurrent(d.invocation->options.value("dataset", ""), version));
    d.run = !current;
    d.reason = current ? "version " + version + " is already current" : "publishes version " + version;
    return d;
  }
  MF_ASSIGN_OR_RETURN(d.done, ReadStepRecord(*d.invocation, d.key));
  if (!d.done) {
    d.reason = "never ran";
  } else if (!d.done->missing.empty()) {
    d.reason = "its output is incomplete: " + d.done->missing;
  } else if (d.done->key == d.key) {
    d.run = false;
    d.reason = "done in run " + d.done->run_id + " at " + d.done->finished_at;
  } else {
    d.reason = WhyChanged(d.done->parts, d.invocation->key_parts);
    if (d.reason.empty()) d.reason = "its output records another key";
  }
  return d;
}

void PipelinePlanner::Record(const StepDecision& decision) { decided_[decision.spec->name] = decision; }

void PipelinePlanner::Finished(const std::string& step, const std::string& version) { finished_[step] = version; }

Result<std::vector<StepDecision>> PlanPipeline(const PipelineSpec& spec, const std::set<std::string>& forced,
                                               const std::string& run_id) {
  PipelinePlanner planner(spec, forced, run_id);
  std::vector<StepDecision> plan;
  for (const StepSpec* step : planner.order()) {
    MF_ASSIGN_OR_RETURN(StepDecision d, planner.Decide(*step));
    planner.Record(d);
    plan.push_back(std::move(d));
  }
  return plan;
}

std::string FormatPlan(const PipelineSpec& spec, const std::vector<StepDecision>& plan) {
  size_t width = 0;
  for (const StepDecision& d : plan) width = std::max(width, d.spec->name.size());
  std::string out = "pipeline " + spec.name + ": " + std::to_string(plan.size()) + " steps\n";
  for (const StepDecision& d : plan) {
    std::string needs;
    for (const std::string& need : d.spec->needs) needs += (needs.empty() ? "  (needs " : ", ") + need;
    if (!needs.empty()) needs += ")";
    out += "  " + d.spec->name + std::string(width - d.spec->name.size(), ' ') + "  " + (d.run ? "run " : "skip") +
           "  " + d.reason + needs + "\n";
  }
  return out;
}

}  // namespace mergeflow
