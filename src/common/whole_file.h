// Replacing a small local file whole, so that a reader (another process)
// sees the old contents or the new, never a part: written as PATH.tmp, then
// renamed over PATH.
#pragma once

#include <string>
#include <string_view>

namespace mergeflow {

// Returns whether `path` now holds `contents`.
bool ReplaceLocalFileWhole(const std::string& path, std::string_view contents);

}  // namespace mergeflow
