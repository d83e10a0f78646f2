#include "io/part_info_json.h"

namespace mergeflow {

void to_json(nlohmann::json& j, const PartInfo& part) {
  j = {{"name", part.name}, {"rows", part.rows}, {"bytes", part.bytes}, {"checksum", part.checksum}};
}

void from_json(const nlohmann::json& j, PartInfo& part) {
  part = {j.at("name"), j.at("rows"), j.at("bytes"), j.at("checksum")};
}

}  // namespace mergeflow
