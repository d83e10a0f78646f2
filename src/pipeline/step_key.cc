#include "pipeline/step_key.h"

#include "common/sha256.h"
#include "dataset/dataset_inputs.h"

namespace mergeflow {
namespace {

std::string Describe(const InputFingerprint& f) {
  if (f.files == 1) return "size " + std::to_string(f.bytes);
  return std::to_string(f.files) + " files, " + std::to_string(f.bytes) + " bytes";
}

std::string Shown(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

}  // namespace

Result<InputFingerprint> FingerprintInput(const std::string& spec) {
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> files, ResolveInputFiles(spec));
  InputFingerprint f;
  Sha256 digest;
  for (const FileInfo& file : files) {
    ++f.files;
    f.bytes += file.size;
    digest.Update(file.path + "\t" + std::to_string(file.size) + "\t" + file.version + "\n");
  }
  f.digest = digest.HexDigest();
  return f;
}

nlohmann::json StepKeyParts::ToJson() const {
  nlohmann::json inputs_json = nlohmann::json::object();
  for (const auto& [spec, f] : inputs)
    inputs_json[spec] = {{"files", f.files}, {"bytes", f.bytes}, {"digest", f.digest}};
  return {{"type", type}, {"options", options}, {"mergeflow_version", mergeflow_version}, {"inputs", inputs_json}};
}

std::string StepKeyParts::Key() const { return Sha256Hex(ToJson().dump()); }

Result<StepKeyParts> StepKeyParts::FromJson(const nlohmann::json& j) {
  try {
    StepKeyParts parts;
    parts.type = j.at("type").get<std::string>();
    parts.options = j.at("options");
    parts.mergeflow_version = j.at("mergeflow_version").get<std::string>();
    for (const auto& [spec, f] : j.at("inputs").items())
      parts.inputs[spec] = InputFingerprint{f.at("files"), f.at("bytes"), f.at("digest")};
    return parts;
  } catch (const nlohmann::json::exception& e) {
    return Status::BadInput(std::string("not a step record: ") + e.what());
  }
}

std::string WhyChanged(const StepKeyParts& before, const StepKeyParts& now) {
  if (before.type != now.type) return "step type changed: " + before.type + " -> " + now.type;
  if (before.mergeflow_version != now.mergeflow_version)
    return "mergeflow version changed: " + before.mergeflow_version + " -> " + now.mergeflow_version;
  for (const auto& [name, value] : now.options.items()) {
    if (!before.options.contains(name)) return "option " + name + " added";
    if (before.options.at(name) != value)
      return "option " + name + " changed: " + Shown(before.options.at(name)) + " -> " + Shown(value);
  }
  for (const auto& [name, value] : before.options.items()) {
    if (!now.options.contains(name)) return "option " + name + " removed";
  }
  for (const auto& [spec, f] : now.inputs) {
    const auto old = before.inputs.find(spec);
    if (old == before.inputs.end()) return "new input " + spec;
    if (old->second.digest == f.digest) continue;
    const std::string was = Describe(old->second), is = Describe(f);
    const std::string change = was == is                                  ? "same size, newer or other contents"
                               : old->second.files == 1 && f.files == 1 ? was + " -> " + std::to_string(f.bytes)
                                                                        : was + " -> " + is;
    return "input " + spec + " changed: " + change;
  }
  return "";
}

}  // namespace mergeflow
