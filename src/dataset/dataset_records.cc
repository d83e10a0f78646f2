#include "dataset/dataset_records.h"

#include "common/json_record.h"

namespace mergeflow {
std::string PointerJson(const DatasetPointer& p) {
  nlohmann::json doc = {{"version", p.version},
                        {"seq", p.seq},
                        {"manifest_sha256", p.manifest_sha256},
                        {"previous", p.previous},
                        {"published_at", p.published_at},
                        {"run_id", p.run_id}};
  return doc.dump(2) + "\n";
}

Result<DatasetPointer> ParsePointer(const std::string& text, const std::string& path) {
  return ParseJsonRecord<DatasetPointer>(text, path, "dataset pointer", [](const nlohmann::json& j) {
    return Result<DatasetPointer>(DatasetPointer{j.at("version"), j.at("seq"), j.at("manifest_sha256"),
                                                 j.at("previous"), j.at("published_at"), j.at("run_id")});
  });
}

std::string HistoryEntryJson(const HistoryEntry& e) {
  nlohmann::json doc = {{"seq", e.seq},
                        {"action", e.action},
                        {"version", e.version},
                        {"previous", e.previous},
                        {"previous_seq", e.previous_seq},
                        {"time", e.time},
                        {"run_id", e.run_id},
                        {"rows", e.rows},
                        {"manifest_sha256", e.manifest_sha256}};
  return doc.dump(2) + "\n";
}

Result<HistoryEntry> ParseHistoryEntry(const std::string& text, const std::string& path) {
  return ParseJsonRecord<HistoryEntry>(text, path, "history entry", [](const nlohmann::json& j) {
    return Result<HistoryEntry>(HistoryEntry{j.at("seq"), j.at("action"), j.at("version"), j.at("previous"),
                                             j.at("previous_seq"), j.at("time"), j.at("run_id"), j.at("rows"),
                                             j.at("manifest_sha256")});
  });
}

}  // namespace mergeflow
