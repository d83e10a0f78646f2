#include "text/bad_row_log.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "io/file_system.h"
#include "text/byte_classifier.h"

namespace mergeflow {

void to_json(nlohmann::json& j, const BadRow& row) {
  j = {{"file", row.file}, {"line", row.line}, {"error", row.message}};
}

void from_json(const nlohmann::json& j, BadRow& row) { row = {j.at("file"), j.at("line"), j.at("error")}; }

uint64_t LineAtOffset(const std::string& path, uint64_t offset) {
  auto fs = FileSystemFor(path);
  if (!fs.ok()) return 0;
  auto stream = fs.value()->OpenInputStream(path, 0);
  if (!stream.ok()) return 0;
  std::string buffer(1 << 20, '\0');
  uint64_t line = 1;
  while (offset > 0) {
    auto got = stream.value()->Read(buffer.data(), std::min<uint64_t>(buffer.size(), offset));
    if (!got.ok() || got.value() == 0) return 0;
    line += CountByte(buffer.data(), got.value(), '\n');
    offset -= got.value();
  }
  return line;
}

void BadRowLog::ResolveLine(Entry* e) {
  if (e->row.line == 0 && e->file_offset != UINT64_MAX) e->row.line = LineAtOffset(e->row.file, e->file_offset);
  e->file_offset = UINT64_MAX;
}

bool BadRowLog::Report(const Chunk& chunk, uint64_t offset, std::string message) {
  const std::string& path = reader_->files()[chunk.file_index].path;
  Entry entry{chunk.id, offset, chunk.file_offset + offset,
              BadRow{path == "-" ? "<stdin>" : path, 0, std::move(message)}};
  const auto earlier = [](const Entry& a, const Entry& b) {
    return a.chunk != b.chunk ? a.chunk < b.chunk : a.offset < b.offset;
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    if (!skip_) failed_.store(true);
    // Only a row among the first kSamples can be shown: the others are
    // counted, not given a line number (counting lines for every bad row
    // would make a file full of them quadratic).
    if (first_.size() == kSamples && !earlier(entry, first_.back())) return skip_;
  }
  // A chunk from a range that starts inside its file does not know its line
  // numbers: they are counted only for the rows that are shown.
  entry.row.line = chunk.first_line == 0 ? 0 : chunk.first_line + CountByte(chunk.data, offset, '\n');
  std::lock_guard<std::mutex> lock(mu_);
  first_.insert(std::upper_bound(first_.begin(), first_.end(), entry, earlier), std::move(entry));
  if (first_.size() > kSamples) first_.pop_back();
  return skip_;
}

Status BadRowLog::FirstError() {
  std::lock_guard<std::mutex> lock(mu_);
  ResolveLine(&first_.front());
  return Status::BadInput(first_.front().row.ToString());
}

uint64_t BadRowLog::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

std::vector<BadRow> BadRowLog::samples() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BadRow> rows;
  for (Entry& e : first_) {
    ResolveLine(&e);
    rows.push_back(e.row);
  }
  return rows;
}

}  // namespace mergeflow
