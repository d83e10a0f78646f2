// The `_SUCCESS` manifest: a JSON record of one committed run.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/output_sink.h"
#include "io/part_info_json.h"
#include "engine/hash_join.h"

namespace mergeflow {

// What one MPI rank did in a distributed run.
struct RankLoad {
  uint64_t input_bytes = 0;     // of its byte ranges of both inputs
  uint64_t rows_read = 0;       // rows of both inputs it read
  uint64_t sent_bytes = 0;      // shuffled to other ranks
  uint64_t received_bytes = 0;  // shuffled here from other ranks
  uint64_t rows_joined = 0;     // rows of both sides it joined (its load)
  uint64_t output_rows = 0;
  double shuffle_seconds = 0;   // reading its ranges and shuffling them, until every rank had its rows
};

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
  std::vector<RankLoad> ranks;  // one per MPI rank; empty for one process
  size_t heavy_keys = 0;        // keys spread over all ranks
  double total_seconds = 0;
  uint64_t memory_limit = 0;
};

// The JSON form of a rank's load, as the manifest writes it (and as MPI
// ranks send it to rank 0). A part's: io/part_info_json.h; a bad row's:
// text/bad_row_log.h.
void to_json(nlohmann::json& j, const RankLoad& load);
void from_json(const nlohmann::json& j, RankLoad& load);

// The manifest's list of input files: [{"path", "bytes"}, ...].
nlohmann::json InputsJson(const std::vector<FileInfo>& files);

// The manifest text (pretty-printed JSON, newline-terminated). Records the
// peak memory of the process at the time of the call.
std::string ManifestJson(const RunRecord& record);

}  // namespace mergeflow
