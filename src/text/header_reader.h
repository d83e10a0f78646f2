// Reading the first row of an input (its header, or its first data row).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "text/chunk_reader.h"

namespace mergeflow {

// The fields of the first row of `reader`'s input, or nullopt when the input
// holds no row at all. Leaves the reader where it was (the chunk it looked
// at is pushed back).
Result<std::optional<std::vector<std::string>>> ReadFirstRow(ChunkReader* reader, const Dialect& dialect);

}  // namespace mergeflow
