// The JSON form of a part file's description, as manifests list it (and as
// MPI ranks send theirs to rank 0): {"name", "rows", "bytes", "checksum"}.
#pragma once

#include <nlohmann/json.hpp>

#include "io/output_sink.h"

namespace mergeflow {

void to_json(nlohmann::json& j, const PartInfo& part);
void from_json(const nlohmann::json& j, PartInfo& part);

}  // namespace mergeflow
