#include "pipeline/pipeline_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <type_traits>

#include "common/utc_time.h"
#include "io/file_system.h"
#include "pipeline/interpolation.h"

namespace mergeflow {
namespace {

const std::set<std::string> kStepTypes = {"join", "aggregate", "upsert", "validate", "publish", "command"};
const std::set<std::string> kErrorClasses = {"transient", "node_lost", "out_of_memory", "timeout", "all"};

bool IsPlainName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

SpecLocation LocationOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return SpecLocation{mark.line + 1, mark.column + 1};
}

// Reads one file's nodes into a PipelineSpec; every error names its place.
class SpecReader {
 public:
  SpecReader(std::string file, const StepOptionNames& known) : file_(std::move(file)), known_(known) {}

  Status ErrorAt(const SpecLocation& at, const std::string& message) const {
    return Status::InvalidArgument(file_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
                                   message);
  }
  Status Error(const YAML::Node& at, const std::string& message) const { return ErrorAt(LocationOf(at), message); }

  // The entries of map `node` (`what` names it in errors), keys checked
  // against `allowed` (empty: any) and for repeats.
  Result<std::vector<std::pair<YAML::Node, YAML::Node>>> Entries(const YAML::Node& node, const std::string& what,
                                                                 const std::set<std::string>& allowed) const {
    if (!node.IsMap()) return Error(node, what + " must be a mapping");
    std::vector<std::pair<YAML::Node, YAML::Node>> entries;
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) return Error(it->first, "a key of " + what + " must be a name");
      const std::string key = it->first.Scalar();
      if (!allowed.empty() && !allowed.count(key)) return Error(it->first, "unknown key '" + key + "' in " + what);
      if (!seen.insert(key).second) return Error(it->first, "'" + key + "' given twice in " + what);
      entries.emplace_back(it->first, it->second);
    }
    return entries;
  }

  Result<std::string> Text(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) return Error(node, what + " must be a single value");
    return node.Scalar();
  }

  Result<std::vector<std::string>> Texts(const YAML::Node& node, const std::string& what) const {
    if (!node.IsSequence()) return Error(node, what + " must be a list");
    std::vector<std::string> out;
    for (const YAML::Node& item : node) {
      MF_ASSIGN_OR_RETURN(std::string text, Text(item, "an item of " + what));
      out.push_back(std::move(text));
    }
    return out;
  }

  // A number of at least `min`: any (double) or whole (int).
  template <typename T>
  Result<T> Number(const YAML::Node& node, const std::string& what, T min) const {
    MF_ASSIGN_OR_RETURN(std::string text, Text(node, what));
    T value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < min)
      return Error(node, what + " must be a " + (std::is_integral_v<T> ? "whole " : "") + "number of at least " +
                             FormatNumber(min) + ", not '" + text + "'");
    return value;
  }

  Result<int64_t> Duration(const YAML::Node& node, const std::string& what) const {
    MF_ASSIGN_OR_RETURN(std::string text, Text(node, what));
    Result<int64_t> seconds = ParseDurationSeconds(text);
    if (!seconds.ok()) return Error(node, what + ": " + seconds.status().message());
    return seconds;
  }

  Result<std::vector<RetryRule>> Retry(const YAML::Node& node) const {
    if (!node.IsSequence()) return Error(node, "retry must be a list of retriers");
    std::vector<RetryRule> rules;
    for (const YAML::Node& item : node) {
      MF_ASSIGN_OR_RETURN(auto entries, Entries(item, "a retrier", {"on", "max_attempts", "interval", "backoff_rate",
                                                                     "max_delay", "jitter"}));
      RetryRule rule;
      bool has_on = false;
      for (const auto& [key, value] : entries) {
        const std::string k = key.Scalar();
        if (k == "on") {
          has_on = true;
          MF_ASSIGN_OR_RETURN(rule.on, Texts(value, "on"));
          for (const std::string& c : rule.on) {
            if (!kErrorClasses.count(c))
              return Error(value, "unknown error class '" + c +
                                      "' (transient, node_lost, out_of_memory, timeout or all; bad input and usage "
                                      "errors are never retried)");
          }
        } else if (k == "max_attempts") {
          MF_ASSIGN_OR_RETURN(rule.max_attempts, Number(value, "max_attempts", 0));
        } else if (k == "interval") {
          MF_ASSIGN_OR_RETURN(int64_t s, Duration(value, "interval"));
          rule.interval_seconds = static_cast<double>(s);
        } else if (k == "backoff_rate") {
          MF_ASSIGN_OR_RETURN(rule.backoff_rate, Number(value, "backoff_rate", 1.0));
        } else if (k == "max_delay") {
          MF_ASSIGN_OR_RETURN(int64_t s, Duration(value, "max_delay"));
          rule.max_delay_seconds = static_cast<double>(s);
        } else {
          MF_ASSIGN_OR_RETURN(std::string jitter, Text(value, "jitter"));
          if (jitter != "full" && jitter != "none") return Error(value, "jitter must be full or none");
          rule.full_jitter = jitter == "full";
        }
      }
      if (!has_on) return Error(item, "a retrier needs 'on': the error classes it retries");
      rules.push_back(std::move(rule));
    }
    return rules;
  }

  Result<Launcher> ReadLauncher(const YAML::Node& node) const {
    Launcher launcher;
    if (node.IsScalar()) {
      if (node.Scalar() != "local") return Error(node, "launcher must be local, {mpirun: {np: N}} or {srun: {ntasks: N}}");
      return launcher;
    }
    MF_ASSIGN_OR_RETURN(auto entries, Entries(node, "launcher", {"mpirun", "srun"}));
    if (entries.size() != 1) return Error(node, "launcher must be local, {mpirun: {np: N}} or {srun: {ntasks: N}}");
    const auto& [key, value] = entries.front();
    const bool mpirun = key.Scalar() == "mpirun";
    const std::string count = mpirun ? "np" : "ntasks";
    launcher.kind = mpirun ? Launcher::Kind::kMpirun : Launcher::Kind::kSrun;
    MF_ASSIGN_OR_RETURN(auto settings, Entries(value, key.Scalar(), {count, "args"}));
    bool counted = false;
    for (const auto& [k, v] : settings) {
      if (k.Scalar() == "args") {
        MF_ASSIGN_OR_RETURN(launcher.args, Texts(v, "args"));
      } else {
        counted = true;
        MF_ASSIGN_OR_RETURN(launcher.processes, Number(v, count, 1));
      }
    }
    if (!counted) return Error(value, key.Scalar() + " needs " + count + ": how many processes");
    return launcher;
  }

  Result<OptionValue> Option(const YAML::Node& node, const std::string& name) const {
    OptionValue value;
    value.at = LocationOf(node);
    if (node.IsScalar()) {
      value.text = node.Scalar();
    } else if (node.IsSequence()) {
      value.kind = OptionValue::Kind::kList;
      MF_ASSIGN_OR_RETURN(value.list, Texts(node, name));
    } else if (node.IsMap()) {
      value.kind = OptionValue::Kind::kMap;
      MF_ASSIGN_OR_RETURN(auto entries, Entries(node, name, {}));
      for (const auto& [k, v] : entries) {
        MF_ASSIGN_OR_RETURN(value.map[k.Scalar()], Text(v, name + "." + k.Scalar()));
      }
    } else {
      return Error(node, name + " has no value");
    }
    return value;
  }

  Result<StepSpec> Step(const YAML::Node& node) const {
    std::set<std::string> allowed = kStepTypes;
    allowed.insert({"name", "needs", "launcher", "timeout", "retry"});
    MF_ASSIGN_OR_RETURN(auto entries, Entries(node, "a step", allowed));
    StepSpec step;
    step.at = LocationOf(node);
    for (const auto& [key, value] : entries) {
      const std::string k = key.Scalar();
      if (k == "name") {
        MF_ASSIGN_OR_RETURN(step.name, Text(value, "name"));
        if (!IsPlainName(step.name)) return Error(value, "a step name is letters, digits, '_', '.' and '-'");
      } else if (k == "needs") {
        MF_ASSIGN_OR_RETURN(step.needs, Texts(value, "needs"));
      } else if (k == "launcher") {
        MF_ASSIGN_OR_RETURN(step.launcher, ReadLauncher(value));
      } else if (k == "timeout") {
        MF_ASSIGN_OR_RETURN(step.timeout_seconds, Duration(value, "timeout"));
      } else if (k == "retry") {
        MF_ASSIGN_OR_RETURN(step.retry, Retry(value));
      } else {
        if (!step.type.empty()) return Error(key, "a step has one type; this one is already a " + step.type);
        step.type = k;
        MF_RETURN_IF_ERROR(StepOptions(key, value, &step));
      }
    }
    if (step.name.empty()) return Error(node, "a step needs a name");
    if (step.type.empty())
      return Error(node, "step '" + step.name + "' has no type (join, aggregate, upsert, validate, publish or command)");
    return step;
  }

  Status StepOptions(const YAML::Node& key, const YAML::Node& value, StepSpec* step) const {
    if (step->type == "command") {
      MF_ASSIGN_OR_RETURN(OptionValue argv, Option(value, "command"));
      if (argv.kind != OptionValue::Kind::kList || argv.list.empty())
        return Error(value, "command must be a list: the program and its arguments");
      step->options["command"] = std::move(argv);
      return Status::OK();
    }
    const auto known = known_.find(step->type);
    if (known == known_.end()) return Error(key, step->type + " steps are not available in this mergeflow");
    MF_ASSIGN_OR_RETURN(auto entries, Entries(value, step->type, {}));
    for (const auto& [k, v] : entries) {
      if (!known->second.count(k.Scalar()))
        return Error(k, "unknown option '" + k.Scalar() + "' of a " + step->type + " step");
      MF_ASSIGN_OR_RETURN(step->options[k.Scalar()], Option(v, k.Scalar()));
    }
    return Status::OK();
  }

 private:
  static std::string FormatNumber(double value) {
    std::string text = std::to_string(value);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
  }

  std::string file_;
  const StepOptionNames& known_;
};

// Step names are unique, every need names another step, and needs close no
// cycle.
Status CheckNeedsAndCycles(const SpecReader& reader, const PipelineSpec& spec) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    if (!index.emplace(spec.steps[i].name, i).second)
      return reader.ErrorAt(spec.steps[i].at, "a second step named '" + spec.steps[i].name + "'");
  }
  for (const StepSpec& step : spec.steps) {
    for (const std::string& need : step.needs) {
      if (!index.count(need)) return reader.ErrorAt(step.at, "step '" + step.name + "' needs '" + need + "', which is no step");
      if (need == step.name) return reader.ErrorAt(step.at, "step '" + step.name + "' needs itself");
    }
  }
  // Depth-first search; a step met again while on the path closes a cycle.
  enum class Mark { kNew, kOnPath, kDone };
  std::vector<Mark> marks(spec.steps.size(), Mark::kNew);
  std::vector<std::string> path;
  std::function<Status(size_t)> visit = [&](size_t i) -> Status {
    marks[i] = Mark::kOnPath;
    path.push_back(spec.steps[i].name);
    for (const std::string& need : spec.steps[i].needs) {
      const size_t j = index.at(need);
      if (marks[j] == Mark::kOnPath) {
        std::string cycle;
        for (auto at = std::find(path.begin(), path.end(), need); at != path.end(); ++at) cycle += *at + " -> ";
        return reader.ErrorAt(spec.steps[j].at, "a cycle of needs: " + cycle + need);
      }
      if (marks[j] == Mark::kNew) MF_RETURN_IF_ERROR(visit(j));
    }
    path.pop_back();
    marks[i] = Mark::kDone;
    return Status::OK();
  };
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    if (marks[i] == Mark::kNew) MF_RETURN_IF_ERROR(visit(i));
  }
  return Status::OK();
}

// Every ${...} of every step names a param, run_id, attempt, or the output
// or version of a step it needs (directly or not).
Status CheckReferences(const SpecReader& reader, const PipelineSpec& spec) {
  for (const StepSpec& step : spec.steps) {
    auto check = [&](const std::string& text, const SpecLocation& at) -> Status {
      Result<std::vector<Reference>> refs = FindReferences(text);
      if (!refs.ok()) return reader.ErrorAt(at, refs.status().message());
      for (const Reference& ref : refs.value()) {
        if (spec.params.count(ref.name) || ref.name == "run_id" || ref.name == "attempt") continue;
        if (ref.name.starts_with("steps.")) {
          const std::string rest = ref.name.substr(6);
          const size_t dot = rest.rfind('.');
          const std::string other = rest.substr(0, dot == std::string::npos ? 0 : dot);
          const std::string field = dot == std::string::npos ? rest : rest.substr(dot + 1);
          if (field != "output" && field != "version")
            return reader.ErrorAt(at, "${" + ref.name + "}: a step gives its .output or .version");
          if (!spec.Step(other)) return reader.ErrorAt(at, "${" + ref.name + "}: there is no step '" + other + "'");
          if (!spec.Precedes(other, step.name))
            return reader.ErrorAt(at, "${" + ref.name + "}: step '" + step.name + "' does not need '" + other +
                                          "' (add it to needs)");
          continue;
        }
        return reader.ErrorAt(at, "undefined ${" + ref.name + "} (params: " + [&] {
          std::string names;
          for (const auto& [name, value] : spec.params) names += (names.empty() ? "" : ", ") + name;
          return names.empty() ? std::string("none") : names;
        }() + ")");
      }
      return Status::OK();
    };
    for (const auto& [name, value] : step.options) {
      MF_RETURN_IF_ERROR(check(value.text, value.at));
      for (const std::string& item : value.list) MF_RETURN_IF_ERROR(check(item, value.at));
      for (const auto& [k, v] : value.map) MF_RETURN_IF_ERROR(check(v, value.at));
    }
  }
  return Status::OK();
}

Status ReadTop(const SpecReader& reader, const YAML::Node& root, const std::map<std::string, std::string>& overrides,
               PipelineSpec* spec) {
  MF_ASSIGN_OR_RETURN(auto entries,
                      reader.Entries(root, "a pipeline", {"name", "params", "log_uri", "retry", "launcher", "steps"}));
  for (const auto& [key, value] : entries) {
    const std::string k = key.Scalar();
    if (k == "name") {
      MF_ASSIGN_OR_RETURN(spec->name, reader.Text(value, "name"));
      if (!IsPlainName(spec->name)) return reader.Error(value, "a pipeline name is letters, digits, '_', '.' and '-'");
    } else if (k == "params") {
      MF_ASSIGN_OR_RETURN(auto params, reader.Entries(value, "params", {}));
      for (const auto& [name, default_value] : params) {
        if (!IsPlainName(name.Scalar()) || name.Scalar().starts_with("steps") || name.Scalar() == "run_id" ||
            name.Scalar() == "attempt")
          return reader.Error(name, "'" + name.Scalar() + "' cannot name a param");
        MF_ASSIGN_OR_RETURN(spec->params[name.Scalar()], reader.Text(default_value, "param " + name.Scalar()));
      }
    } else if (k == "log_uri") {
      MF_ASSIGN_OR_RETURN(spec->log_uri, reader.Text(value, "log_uri"));
    } else if (k == "retry") {
      MF_ASSIGN_OR_RETURN(spec->retry, reader.Retry(value));
    } else if (k == "launcher") {
      MF_ASSIGN_OR_RETURN(spec->launcher, reader.ReadLauncher(value));
    } else {
      if (!value.IsSequence() || value.size() == 0) return reader.Error(value, "steps must be a list of steps");
      for (const YAML::Node& step : value) {
        MF_ASSIGN_OR_RETURN(StepSpec read, reader.Step(step));
        spec->steps.push_back(std::move(read));
      }
    }
  }
  if (spec->name.empty()) return reader.ErrorAt({1, 1}, "a pipeline needs a name");
  if (spec->steps.empty()) return reader.ErrorAt({1, 1}, "a pipeline needs steps");
  for (const auto& [name, value] : overrides) {
    if (!spec->params.count(name))
      return Status::InvalidArgument("-p " + name + "=...: " + spec->file + " declares no param '" + name + "'");
    spec->params[name] = value;
  }
  return Status::OK();
}

}  // namespace

const StepSpec* PipelineSpec::Step(const std::string& name) const {
  for (const StepSpec& step : steps) {
    if (step.name == name) return &step;
  }
  return nullptr;
}

bool PipelineSpec::Precedes(const std::string& ancestor, const std::string& step) const {
  const StepSpec* s = Step(step);
  if (s == nullptr) return false;
  for (const std::string& need : s->needs) {
    if (need == ancestor || Precedes(ancestor, need)) return true;
  }
  return false;
}

Result<PipelineSpec> LoadPipelineSpec(const std::string& file, const std::map<std::string, std::string>& overrides,
                                      const StepOptionNames& known) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(file));
  MF_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(fs, file));
  const SpecReader reader(file, known);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return reader.ErrorAt({e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  PipelineSpec spec;
  spec.file = file;
  try {
    MF_RETURN_IF_ERROR(ReadTop(reader, root, overrides, &spec));
  } catch (const YAML::Exception& e) {
    return reader.ErrorAt({e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  MF_RETURN_IF_ERROR(CheckNeedsAndCycles(reader, spec));
  MF_RETURN_IF_ERROR(CheckReferences(reader, spec));
  return spec;
}

}  // namespace mergeflow
