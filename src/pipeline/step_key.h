// Step keys: what decides whether a pipeline step must run again. A key is
// the SHA-256 of the step's type, its resolved options, the mergeflow
// version and a fingerprint of each input; the parts are kept beside the
// key (in the output's _SUCCESS) so that a later plan can say what changed.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace mergeflow {

// An input as a step last read it: how many files, how many bytes, and a
// digest of their paths, sizes and versions (io/file_system.h FileInfo).
struct InputFingerprint {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::string digest;
};

// The fingerprint of input `spec` as every command reads it
// (dataset/dataset_inputs.h: a dataset's parts, or files, directories and
// globs).
Result<InputFingerprint> FingerprintInput(const std::string& spec);

struct StepKeyParts {
  std::string type;
  nlohmann::json options;  // name -> resolved value (text, list or map)
  std::string mergeflow_version;
  std::map<std::string, InputFingerprint> inputs;  // by input spec

  // The key: lowercase hex SHA-256 of the parts' canonical JSON.
  std::string Key() const;
  nlohmann::json ToJson() const;  // the parts and the key
  static Result<StepKeyParts> FromJson(const nlohmann::json& j);
};

// What differs between the parts a step last ran with and now, in words,
// the first difference found: "mergeflow version changed: 0.1 -> 0.2",
// "option how changed: inner -> left", "input x.tsv changed: size 100 ->
// 120", "new input y.tsv". Empty when nothing differs.
std::string WhyChanged(const StepKeyParts& before, const StepKeyParts& now);

}  // namespace mergeflow
