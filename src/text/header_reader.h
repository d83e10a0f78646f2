// Reading the first row of an input (its header, or its first data row).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "text/chunk_reader.h"

namespace mergeflow {

// The fields of the first row of `reader`'s input, or nullopt when the input
// holds no row at all (nothing, or blank lines only). Leaves the reader where
// it was (the chunk it looked at is pushed back). BadInput "1: ..." (for the
// caller to prefix with the file's name) when the lines end in a lone CR.
Result<std::optional<std::vector<std::string>>> ReadFirstRow(ChunkReader* reader, const Dialect& dialect);

// The index of column `name` in `columns`; InvalidArgument "no column 'NAME'
// in WHERE (columns: a, b, c)" when it is not there.
Result<uint32_t> FindColumn(const std::vector<std::string>& columns, const std::string& name,
                            const std::string& where);

}  // namespace mergeflow
