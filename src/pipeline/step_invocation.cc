#include "pipeline/step_invocation.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "dataset/dataset.h"
#include "io/file_system.h"
#include "pipeline/interpolation.h"

namespace mergeflow {
namespace {

// How a step type becomes a mergeflow command line.
struct StepType {
  std::vector<std::string> words;       // the subcommand
  std::vector<std::string> positional;  // options given as arguments, in order
  std::vector<std::string> inputs;      // options that name inputs
  std::string output;                   // the option that names the output
  bool output_is_dataset = false;       // the output option names a dataset
};

const std::map<std::string, StepType>& StepTypes() {
  static const std::map<std::string, StepType> types = {
      {"join", {{"join"}, {"left", "right"}, {"left", "right"}, "output", false}},
      {"aggregate", {{"aggregate"}, {"matrix"}, {"matrix", "meta"}, "output", false}},
      {"upsert", {{"upsert"}, {"dataset", "changes"}, {"changes"}, "dataset", true}},
      {"validate", {{"validate"}, {"input"}, {"input"}, "", false}},
      {"publish", {{"dataset", "publish"}, {"dataset", "version"}, {}, "", false}},
  };
  return types;
}

using Lookup = std::function<std::optional<std::string>(const std::string&)>;

Result<std::string> Resolve(const StepSpec& step, const std::string& text, const Lookup& lookup) {
  Result<std::string> resolved = Interpolate(text, lookup);
  if (!resolved.ok()) return Status::InvalidArgument(step.name + ": " + resolved.status().message());
  return resolved;
}

Result<nlohmann::json> ResolveOption(const StepSpec& step, const OptionValue& value, const Lookup& lookup) {
  switch (value.kind) {
    case OptionValue::Kind::kText: {
      MF_ASSIGN_OR_RETURN(std::string resolved, Resolve(step, value.text, lookup));
      return nlohmann::json(std::move(resolved));
    }
    case OptionValue::Kind::kList: {
      nlohmann::json list = nlohmann::json::array();
      for (const std::string& item : value.list) {
        MF_ASSIGN_OR_RETURN(std::string resolved, Resolve(step, item, lookup));
        list.push_back(std::move(resolved));
      }
      return list;
    }
    case OptionValue::Kind::kMap: {
      nlohmann::json map = nlohmann::json::object();
      for (const auto& [k, v] : value.map) {
        MF_ASSIGN_OR_RETURN(map[k], Resolve(step, v, lookup));
      }
      return map;
    }
  }
  return Status::InvalidArgument(step.name + ": unreadable option");
}

// The texts an option's value names (a list's items, or its one text).
std::vector<std::string> Texts(const nlohmann::json& value) {
  if (value.is_array()) return value.get<std::vector<std::string>>();
  if (value.is_string()) return {value.get<std::string>()};
  return {};
}

std::string Joined(const nlohmann::json& value) {
  std::string out;
  for (const std::string& item : Texts(value)) out += (out.empty() ? "" : ",") + item;
  return out;
}

// The output an option names: a path, or {dataset: D}.
Result<std::pair<std::string, bool>> OutputOf(const StepSpec& step, const nlohmann::json& value, bool dataset) {
  if (value.is_string()) return std::make_pair(value.get<std::string>(), dataset);
  if (value.is_object() && value.size() == 1 && value.contains("dataset"))
    return std::make_pair(value.at("dataset").get<std::string>(), true);
  return Status::InvalidArgument(step.name + ": the output is a path or {dataset: D}");
}

}  // namespace

Result<std::string> StepOutput(const StepSpec& step, const Lookup& lookup) {
  const auto type = StepTypes().find(step.type);
  if (type == StepTypes().end() || type->second.output.empty()) return std::string();
  const auto option = step.options.find(type->second.output);
  if (option == step.options.end()) return std::string();
  MF_ASSIGN_OR_RETURN(nlohmann::json value, ResolveOption(step, option->second, lookup));
  MF_ASSIGN_OR_RETURN(auto output, OutputOf(step, value, type->second.output_is_dataset));
  return output.first;
}

Result<StepInvocation> InvokeStep(const StepSpec& step, const Lookup& lookup) {
  StepInvocation inv;
  inv.spec = &step;
  inv.options = nlohmann::json::object();
  for (const auto& [name, value] : step.options) {
    MF_ASSIGN_OR_RETURN(inv.options[name], ResolveOption(step, value, lookup));
  }
  inv.key_parts.type = step.type;
  inv.key_parts.options = inv.options;
  inv.key_parts.mergeflow_version = MERGEFLOW_VERSION;
  if (step.type == "command") {
    inv.argv = Texts(inv.options.at("command"));
    return inv;
  }
  const auto type = StepTypes().find(step.type);
  if (type == StepTypes().end()) return Status::InvalidArgument(step.name + ": " + step.type + " steps cannot run yet");
  const StepType& t = type->second;
  inv.argv = t.words;
  for (const std::string& name : t.positional) {
    if (!inv.options.contains(name)) return Status::InvalidArgument(step.name + ": a " + step.type + " step needs " + name);
    for (const std::string& text : Texts(inv.options.at(name))) inv.argv.push_back(text);
  }
  if (!t.output.empty() && inv.options.contains(t.output)) {
    MF_ASSIGN_OR_RETURN(auto output, OutputOf(step, inv.options.at(t.output), t.output_is_dataset));
    inv.output = output.first;
    inv.output_is_dataset = output.second;
  }
  for (const auto& [name, value] : inv.options.items()) {
    if (std::find(t.positional.begin(), t.positional.end(), name) != t.positional.end()) continue;
    if (name == t.output) {
      inv.argv.insert(inv.argv.end(), {"-o", inv.output});
      if (inv.output_is_dataset) inv.argv.push_back("--dataset");
      continue;
    }
    const std::string text = Joined(value);
    if (text == "true") {
      inv.argv.push_back("--" + name);
    } else if (text != "false") {
      inv.argv.insert(inv.argv.end(), {"--" + name, text});
    }
  }
  // A version a step writes is published only by a publish step.
  if (inv.output_is_dataset) inv.argv.push_back("--no-publish");
  for (const std::string& name : t.inputs) {
    if (!inv.options.contains(name)) continue;
    for (const std::string& input : Texts(inv.options.at(name))) {
      inv.inputs.push_back(input);
      MF_ASSIGN_OR_RETURN(inv.key_parts.inputs[input], FingerprintInput(input));
    }
  }
  return inv;
}

namespace {

// The step record of the output whose manifest is `text` at `dir`, if it
// carries one; `missing` says which listed part is not there with its size.
Result<std::optional<StepRecord>> RecordIn(const std::string& dir, const std::string& text) {
  const nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
  if (manifest.is_discarded() || !manifest.contains("step")) return std::optional<StepRecord>();
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(dir));
  StepRecord record;
  for (const nlohmann::json& part : manifest.value("parts", nlohmann::json::array())) {
    // A part kept from another version of a dataset lives there.
    const std::string home =
        part.contains("version") ? JoinPath(SplitParent(dir).first, part.at("version").get<std::string>()) : dir;
    const std::string path = JoinPath(home, part.at("name").get<std::string>());
    MF_ASSIGN_OR_RETURN(FileInfo info, fs->GetFileInfo(path));
    if (!info.exists) record.missing = path + " is missing";
    if (info.exists && info.size != part.at("bytes").get<uint64_t>())
      record.missing = path + " has " + std::to_string(info.size) + " bytes, not " + part.at("bytes").dump();
    if (!record.missing.empty()) break;
    record.rows += part.value("rows", uint64_t{0});
    record.bytes += part.at("bytes").get<uint64_t>();
  }
  MF_ASSIGN_OR_RETURN(record.parts, StepKeyParts::FromJson(manifest.at("step")));
  record.key = manifest.at("step").value("key", "");
  // The pipeline run that wrote it; else the command's own run.
  record.run_id = manifest.at("step").value("run_id", manifest.value("run_id", ""));
  record.finished_at = manifest.value("finished_at", "");
  return std::optional<StepRecord>(std::move(record));
}

}  // namespace

nlohmann::json StepRecordFromEnvironment() {
  const char* text = std::getenv(kStepRecordVariable);
  if (text == nullptr) return nullptr;
  nlohmann::json record = nlohmann::json::parse(text, nullptr, false);
  return record.is_object() ? record : nlohmann::json(nullptr);
}

Result<std::optional<StepRecord>> ReadStepRecord(const StepInvocation& step, const std::string& key) {
  if (step.output.empty()) return std::optional<StepRecord>();
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(step.output));
  if (!step.output_is_dataset) {
    const std::string success = JoinPath(step.output, "_SUCCESS");
    MF_ASSIGN_OR_RETURN(FileInfo info, fs->GetFileInfo(success));
    if (!info.exists) return std::optional<StepRecord>();
    MF_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(fs, success));
    return RecordIn(step.output, text);
  }
  // A dataset: the newest complete version written with `key`, else the
  // newest written by this step at all (to say what changed).
  MF_ASSIGN_OR_RETURN(Dataset dataset, Dataset::At(step.output));
  MF_ASSIGN_OR_RETURN(std::vector<std::string> versions, dataset.CompleteVersions());
  std::optional<StepRecord> newest;
  for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
    MF_ASSIGN_OR_RETURN(VersionManifest manifest, dataset.ManifestOf(*v));
    MF_ASSIGN_OR_RETURN(std::optional<StepRecord> record, RecordIn(VersionDir(dataset.root(), *v), manifest.text));
    if (!record) continue;
    record->version = *v;
    if (record->key == key) return record;
    if (!newest) newest = std::move(record);
  }
  return newest;
}

}  // namespace mergeflow
