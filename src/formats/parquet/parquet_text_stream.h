// A Parquet file read as delimited text: the InputStream every reader of
// delimited text takes, so that a Parquet file is an input wherever a TSV
// file is (join, aggregate, upsert's stored parts and change files, a
// dataset of Parquet parts).
//
// The text is the header line (the column names), then one line per row,
// fields spelled as parquet_value_text.h says (NULL: the empty field),
// separated and quoted as the reader's dialect says. While one row group's
// rows are read, the next one is decoded on a thread of its own: memory
// holds two row groups' values, not the file's.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "io/file_system.h"
#include "text/dialect.h"

namespace mergeflow {

// Whether `bytes` (the first n bytes of a file) begin as a Parquet file does.
bool StartsAsParquet(const char* bytes, size_t n);

// The text of the Parquet file `path` (any registered file system). Errors
// are BadInput "PATH: ..." (corrupt or unread structure; without quoting, a
// value holding the separator or a line break) or the file system's.
Result<std::unique_ptr<InputStream>> OpenParquetAsText(const std::string& path, Dialect dialect);

}  // namespace mergeflow
