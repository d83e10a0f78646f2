// Notices: one-line remarks to the user that are neither errors nor
// progress ("removed the staging directory of a killed run ..."). They go
// to standard error as "mergeflow: LINE", or to a sink a caller sets.
#pragma once

#include <functional>
#include <string>

namespace mergeflow {

// Writes `line` (no trailing newline) as a notice. Thread-safe.
void Notice(const std::string& line);

// Sends later notices to `sink` instead of standard error (nullptr: back to
// standard error). Not thread-safe with concurrent Notice calls: set it at
// start-up or in tests.
void SetNoticeSink(std::function<void(const std::string&)> sink);

}  // namespace mergeflow
