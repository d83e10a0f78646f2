#include "cli/run_manifest.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/process_stats.h"
#include "common/utc_time.h"
#include "pipeline/step_invocation.h"

namespace mergeflow {

nlohmann::json InputsJson(const std::vector<FileInfo>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (const FileInfo& f : files) list.push_back({{"path", f.path}, {"bytes", f.size}});
  return list;
}

void to_json(nlohmann::json& j, const RankLoad& load) {
  j = {{"input_bytes", load.input_bytes},       {"rows_read", load.rows_read},     {"sent_bytes", load.sent_bytes},
       {"received_bytes", load.received_bytes}, {"rows_joined", load.rows_joined}, {"output_rows", load.output_rows},
       {"shuffle_seconds", load.shuffle_seconds}};
}

void from_json(const nlohmann::json& j, RankLoad& load) {
  load = {j.at("input_bytes"),    j.at("rows_read"),   j.at("sent_bytes"),
          j.at("received_bytes"), j.at("rows_joined"), j.at("output_rows"), j.value("shuffle_seconds", 0.0)};
}

std::string ManifestJson(const RunRecord& r) {
  uint64_t rows = 0;
  for (const PartInfo& p : r.parts) rows += p.rows;
  nlohmann::json doc = {
      {"manifest", "mergeflow/1"},
      {"mergeflow_version", MERGEFLOW_VERSION},
      {"run_id", r.run_id},
      {"started_at", r.started_at},
      {"finished_at", UtcTimestamp()},
      {"inputs", {{"left", InputsJson(r.left_inputs)}, {"right", InputsJson(r.right_inputs)}}},
      {"join",
       {{"how", r.how},
        {"left_on", r.left_on},
        {"right_on", r.right_on},
        {"build_side", r.stats.build_side},
        {"partitions", r.stats.partitions}}},
      {"columns", r.columns},
      {"rows", {{"left", r.stats.left_rows}, {"right", r.stats.right_rows}, {"output", rows}}},
      {"bad_rows", {{"skipped", r.stats.bad_rows_skipped}, {"first", r.stats.bad_row_samples}}},
      {"parts", r.parts},
      {"timings_seconds",
       {{"build", r.stats.build_seconds}, {"probe", r.stats.probe_seconds}, {"total", r.total_seconds}}},
      {"peak_memory_bytes", PeakResidentBytes()},
      {"memory",
       {{"limit_bytes", r.memory_limit},
        {"spill_partitions", r.stats.spill_partitions},
        {"spilled_bytes", r.stats.spilled_bytes},
        {"partitions_in_blocks", r.stats.partitions_in_blocks}}},
  };
  if (!r.ranks.empty()) {
    uint64_t max_rows = 0;
    uint64_t sum_rows = 0;
    for (const RankLoad& l : r.ranks) {
      max_rows = std::max(max_rows, l.rows_joined);
      sum_rows += l.rows_joined;
    }
    const double mean_rows = static_cast<double>(sum_rows) / r.ranks.size();
    doc["distributed"] = {{"ranks", r.ranks.size()},
                          {"heavy_keys_spread", r.heavy_keys},
                          {"rows_joined_max", max_rows},
                          {"rows_joined_mean", mean_rows},
                          {"max_over_mean", mean_rows > 0 ? max_rows / mean_rows : 1.0},
                          {"per_rank", r.ranks}};
  }
  // Run as a pipeline step: what the step's key is made of.
  if (const nlohmann::json step = StepRecordFromEnvironment(); !step.is_null()) doc["step"] = step;
  return doc.dump(2) + "\n";
}

}  // namespace mergeflow
