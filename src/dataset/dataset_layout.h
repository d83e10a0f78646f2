// Where a dataset keeps what (DESIGN.md section 6), and how an input names
// a dataset's version:
//   DATASET/_LATEST.json                the pointer to the current version
//   DATASET/_history/<20-digit seq>.json one per publish, rollback or upsert
//   DATASET/_versions/<VERSION>/        an immutable version: parts and _SUCCESS
//   DATASET/_pins/<VERSION>             present while VERSION is pinned
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mergeflow {

std::string PointerPath(const std::string& dataset);
std::string HistoryDir(const std::string& dataset);
std::string HistoryPath(const std::string& dataset, uint64_t seq);
std::string VersionsDir(const std::string& dataset);
std::string VersionDir(const std::string& dataset, const std::string& version);
std::string PinsDir(const std::string& dataset);
std::string PinPath(const std::string& dataset, const std::string& version);

// The sequence number of a history entry's file name ("…0042.json"), or
// nullopt for any other name.
std::optional<uint64_t> HistorySeqOf(std::string_view file_name);

// Whether `text` has the form of a version id, "YYYYMMDDTHHMMSSZ-xxxxxxxx"
// (io/output_committer.h's NewRunId).
bool IsVersionId(std::string_view text);

// The version id in the name of what a run leaves beside a version while
// writing it (".VERSION.mergeflow-…"), or nullopt.
std::optional<std::string> VersionOfWorkName(std::string_view file_name);

// An input spec split at its last '@' when what follows is a version id or
// a time: "DATASET@VERSION" or "DATASET@2026-12-01T10:00:00Z".
struct DatasetSelector {
  std::string dataset;
  std::string version;               // a version id, or empty
  std::optional<int64_t> at_millis;  // a time, or nullopt
};
std::optional<DatasetSelector> ParseDatasetSelector(std::string_view spec);

}  // namespace mergeflow
