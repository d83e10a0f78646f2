// The `_SUCCESS` manifest: a JSON record of one committed run.
#pragma once

#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/output_sink.h"
#include "join/join_executor.h"

namespace mergeflow {

struct RunRecord {
  std::string run_id;
  std::string started_at;  // ISO 8601, UTC
  std::string how;
  std::vector<std::string> left_on;
  std::vector<std::string> right_on;
  std::vector<FileInfo> left_inputs;
  std::vector<FileInfo> right_inputs;
  std::vector<std::string> columns;
  JoinStats stats;
  std::vector<PartInfo> parts;
  double total_seconds = 0;
  uint64_t memory_limit = 0;
};

// The manifest text (pretty-printed JSON, newline-terminated). Records the
// peak memory of the process at the time of the call.
std::string ManifestJson(const RunRecord& record);

// The current time as "YYYY-MM-DDTHH:MM:SSZ".
std::string UtcTimestamp();

}  // namespace mergeflow
