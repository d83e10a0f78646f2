// Buffers between the join's workers and an OutputSink.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "io/output_sink.h"

namespace mergeflow {

// Writes each chunk's output in chunk order (--order left), whatever order
// the workers finish them in. Thread-safe.
class ChunkSequencer {
 public:
  Status Deliver(uint32_t chunk_id, std::string text, uint64_t rows, OutputSink* sink) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace(chunk_id, std::make_pair(std::move(text), rows));
    while (!pending_.empty() && pending_.begin()->first == next_) {
      auto& [out, count] = pending_.begin()->second;
      Status status = sink->Write(0, out, count);
      pending_.erase(pending_.begin());
      ++next_;
      MF_RETURN_IF_ERROR(status);
    }
    return Status::OK();
  }

 private:
  std::mutex mu_;
  uint32_t next_ = 0;
  std::map<uint32_t, std::pair<std::string, uint64_t>> pending_;
};

// Accumulates the formatted output of one worker and hands it to one lane
// of the sink about a megabyte at a time. Used by one thread.
class OutputBuffer {
 public:
  static constexpr size_t kFlushBytes = 1 << 20;

  OutputBuffer(OutputSink* sink, int lane) : sink_(sink), lane_(lane) {}
  std::string* text() { return &text_; }
  // Counts a row just appended to text().
  void RowAdded() {
    ++rows_;
    ++total_rows_;
  }
  Status FlushIfFull() { return text_.size() >= kFlushBytes ? Flush() : Status::OK(); }
  Status Flush() {
    if (text_.empty()) return Status::OK();
    Status status = sink_->Write(lane_, text_, rows_);
    text_.clear();
    rows_ = 0;
    return status;
  }
  // Hands the pending text to `sequencer` as chunk `chunk_id`'s output.
  Status DeliverInOrder(ChunkSequencer* sequencer, uint32_t chunk_id) {
    Status status = sequencer->Deliver(chunk_id, std::move(text_), rows_, sink_);
    text_.clear();
    rows_ = 0;
    return status;
  }
  // Rows added since construction.
  uint64_t total_rows() const { return total_rows_; }

 private:
  OutputSink* sink_;
  int lane_;
  std::string text_;
  uint64_t rows_ = 0;
  uint64_t total_rows_ = 0;
};

}  // namespace mergeflow
