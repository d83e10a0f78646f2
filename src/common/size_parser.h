// Parsing of human-readable sizes such as "512M", "8G" or "60%".
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace mergeflow {

// Parses a byte count: a number with an optional suffix K, M, G, T (powers of
// 1024, an optional trailing "B" or "iB" allowed) or "%" of `total_bytes`.
// Returns InvalidArgument naming the text when it is not such a size.
Result<uint64_t> ParseSize(std::string_view text, uint64_t total_bytes);

}  // namespace mergeflow
