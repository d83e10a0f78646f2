// BadRowLog: malformed rows found by parallel scans, located by file and line.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "text/chunk_reader.h"

namespace mergeflow {

// A malformed input row, located for the user.
struct BadRow {
  std::string file;
  uint64_t line = 0;
  std::string message;
  // "file:line: message"
  std::string ToString() const { return file + ":" + std::to_string(line) + ": " + message; }
};

// Collects bad rows from all workers scanning one ChunkReader and keeps the
// first few in the reader's chunk order (input order with
// ChunkOrder::kFileOrder; within a file, always). In error mode the first
// report makes failed() true: workers stop taking chunks, and the chunks
// already taken (all earlier in that order) finish, so FirstError() is the
// first bad row in that order. Thread-safe.
// The JSON form of a bad row in manifests: {"file", "line", "error"}.
void to_json(nlohmann::json& j, const BadRow& row);
void from_json(const nlohmann::json& j, BadRow& row);

// The line number (from 1) of byte `offset` of file `path`, counted by
// reading the file up to there; 0 when it cannot be read.
uint64_t LineAtOffset(const std::string& path, uint64_t offset);

class BadRowLog {
 public:
  static constexpr size_t kSamples = 5;

  BadRowLog(bool skip, const ChunkReader* reader) : skip_(skip), reader_(reader) {}

  // Records the row at data offset `offset` of `chunk`. Returns whether the
  // scan may go on (true only when skipping).
  bool Report(const Chunk& chunk, uint64_t offset, std::string message);

  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  // Whether bad rows are skipped (else the first one fails the run).
  bool skipping() const { return skip_; }
  // BadInput "file:line: message" for the first bad row. REQUIRES: failed().
  Status FirstError();
  uint64_t count() const;
  std::vector<BadRow> samples();

 private:
  struct Entry {
    uint32_t chunk;
    uint64_t offset;
    uint64_t file_offset;  // of the row, while row.line is still to be counted (else UINT64_MAX)
    BadRow row;
  };
  // Counts the line number of `e` if it is not known yet.
  static void ResolveLine(Entry* e);

  bool skip_;
  const ChunkReader* reader_;
  mutable std::mutex mu_;
  std::atomic<bool> failed_{false};
  uint64_t count_ = 0;
  std::vector<Entry> first_;  // sorted by (chunk, offset)
};

}  // namespace mergeflow
