#include "text/bad_row_log.h"

#include <algorithm>

#include "text/byte_classifier.h"

namespace mergeflow {

bool BadRowLog::Report(const Chunk& chunk, uint64_t offset, std::string message) {
  const uint64_t line = chunk.first_line + CountByte(chunk.data, offset, '\n');
  const std::string& path = reader_->files()[chunk.file_index].path;
  Entry entry{chunk.id, offset, BadRow{path == "-" ? "<stdin>" : path, line, std::move(message)}};
  std::lock_guard<std::mutex> lock(mu_);
  ++count_;
  auto at = std::upper_bound(first_.begin(), first_.end(), entry, [](const Entry& a, const Entry& b) {
    return a.chunk != b.chunk ? a.chunk < b.chunk : a.offset < b.offset;
  });
  first_.insert(at, std::move(entry));
  if (first_.size() > kSamples) first_.pop_back();
  if (!skip_) failed_.store(true);
  return skip_;
}

Status BadRowLog::FirstError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Status::BadInput(first_.front().row.ToString());
}

uint64_t BadRowLog::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

std::vector<BadRow> BadRowLog::samples() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BadRow> rows;
  for (const Entry& e : first_) rows.push_back(e.row);
  return rows;
}

}  // namespace mergeflow
