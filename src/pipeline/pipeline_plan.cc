#include "pipeline/pipeline_plan.h"

#include <functional>
#include <map>

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

Result<std::vector<StepDecision>> PlanPipeline(const PipelineSpec& spec, const std::set<std::string>& forced,
                                               const std::string& run_id) {
  std::vector<StepDecision> plan;
  std::map<std::string, const StepDecision*> decided;
  plan.reserve(spec.steps.size());
  for (const StepSpec* step : InNeedsOrder(spec)) {
    StepDecision& d = plan.emplace_back();
    d.spec = step;
    decided[step->name] = &d;
    std::function<std::optional<std::string>(const std::string&)> lookup;
    lookup = [&](const std::string& name) -> std::optional<std::string> {
      if (auto p = spec.params.find(name); p != spec.params.end()) return p->second;
      if (name == "run_id") return run_id;
      if (name == "attempt") return std::string("1");
      if (!name.starts_with("steps.")) return std::nullopt;
      const size_t dot = name.rfind('.');
      const auto other = decided.find(name.substr(6, dot - 6));
      if (other == decided.end()) return std::nullopt;
      const StepDecision& o = *other->second;
      if (name.ends_with(".output")) {
        if (o.invocation) return o.invocation->output;
        Result<std::string> output = StepOutput(*o.spec, lookup);
        return output.ok() ? std::optional<std::string>(output.value()) : std::nullopt;
      }
      if (o.done && !o.run) return o.done->version;
      return std::nullopt;
    };
    for (const std::string& name : forced) {
      if (name == step->name || spec.Precedes(name, step->name)) {
        d.reason = "forced (--force " + name + ")";
        break;
      }
    }
    // After a step that runs, what this one reads is not there yet.
    bool waits = false;
    for (const std::string& need : step->needs) {
      if (!decided.at(need)->run) continue;
      waits = true;
      if (d.reason.empty()) d.reason = "after " + need + ", which runs";
    }
    if (waits) continue;
    MF_ASSIGN_OR_RETURN(d.invocation, InvokeStep(*step, lookup));
    d.key = d.invocation->key_parts.Key();
    if (!d.reason.empty()) continue;  // forced
    if (step->type == "validate" || step->type == "command") {
      d.reason = "a " + step->type + " step always runs";
      continue;
    }
    if (step->type == "publish") {
      const std::string version = d.invocation->options.value("version", "");
      MF_ASSIGN_OR_RETURN(bool current, AlreadyCurrent(d.invocation->options.value("dataset", ""), version));
      d.run = !current;
      d.reason = current ? "version " + version + " is already current" : "publishes version " + version;
      continue;
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
