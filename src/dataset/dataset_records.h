// The records of a dataset's history: the pointer `_LATEST.json` and the
// entries of `_history/`, with their JSON forms (DESIGN.md section 6).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace mergeflow {

// `_LATEST.json`: which version readers get.
struct DatasetPointer {
  std::string version;
  uint64_t seq = 0;             // of the history entry that made this version current
  std::string manifest_sha256;  // of the version's _SUCCESS, as published
  std::string previous;         // the version current before; empty for the first
  std::string published_at;     // ISO 8601 UTC with milliseconds
  std::string run_id;           // of the run that published
};

// One `_history/SEQ.json`: what a publish, rollback or upsert did. An entry
// is in effect only while the pointer's chain reaches it (the pointer's seq,
// then each entry's previous_seq): an entry whose pointer swap failed or
// never happened (a lost race, a killed run) stays out of the chain.
struct HistoryEntry {
  uint64_t seq = 0;
  std::string action;  // "publish", "rollback" or "upsert"
  std::string version;
  std::string previous;       // the version current before
  uint64_t previous_seq = 0;  // the pointer's seq it replaced; 0 for the first
  std::string time;           // ISO 8601 UTC with milliseconds
  std::string run_id;
  uint64_t rows = 0;
  std::string manifest_sha256;
};

std::string PointerJson(const DatasetPointer& pointer);
// BadInput naming `path` when `text` is not a pointer.
Result<DatasetPointer> ParsePointer(const std::string& text, const std::string& path);

std::string HistoryEntryJson(const HistoryEntry& entry);
// BadInput naming `path` when `text` is not a history entry.
Result<HistoryEntry> ParseHistoryEntry(const std::string& text, const std::string& path);

}  // namespace mergeflow
