// Fuzzes the readers of what mergeflow finds on disk and did not write in
// this run: run markers (RunMarker::FromJson) and the JSON forms of parts,
// bad rows and rank loads in manifests. Any bytes give a value or a clean
// error, never a crash; a marker that parses writes back to itself.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_manifest.h"
#include "common/run_owner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto marker = mergeflow::RunMarker::FromJson(text, "fuzz");
  if (marker.ok()) {
    auto again = mergeflow::RunMarker::FromJson(marker.value().ToJson(), "fuzz");
    if (!again.ok() || again.value().ToJson() != marker.value().ToJson()) std::abort();
    (void)marker.value().IsStale(0);
  }
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  try {
    (void)j.get<mergeflow::PartInfo>();
  } catch (const nlohmann::json::exception&) {
  }
  try {
    (void)j.get<mergeflow::BadRow>();
  } catch (const nlohmann::json::exception&) {
  }
  try {
    (void)j.get<mergeflow::RankLoad>();
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
