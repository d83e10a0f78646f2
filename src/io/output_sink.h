// OutputSink: where formatted output text goes. A sink has numbered lanes,
// independent streams that different threads fill in parallel (one part
// file each, for a directory output).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mergeflow {

// What one part file ended up holding.
struct PartInfo {
  std::string name;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  std::string checksum;  // "xxh3-64:<16 hex digits>" of the file's bytes
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;

  // Appends `text`, holding `rows` whole rows, to lane `lane`. Different
  // lanes may be written concurrently; one lane by one thread at a time.
  // REQUIRES: lane < the lane count the sink was made with.
  virtual Status Write(int lane, std::string_view text, uint64_t rows) = 0;

  // Flushes and closes every lane. REQUIRES: no Write afterwards.
  virtual Status Finish() = 0;

  // The parts written, after Finish (empty for streams such as stdout).
  virtual std::vector<PartInfo> parts() const = 0;
};

}  // namespace mergeflow
