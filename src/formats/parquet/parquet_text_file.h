// A Parquet file made from delimited text: a WritableFile that takes what
// a text part would hold (the header line, then whole rows, in any number of
// appends) and writes, to the file it wraps, the same table as Parquet.
//
// Every column is a REQUIRED BYTE_ARRAY with the String logical type (an
// empty field is the empty string, never NULL). Rows are cut into row groups
// of about `row_group_bytes` of values and pages of about 1 MiB; a column
// chunk is dictionary-encoded when that makes it smaller (else PLAIN);
// pages are compressed with zstd; each column chunk carries its min and max.
#pragma once

#include <cstdint>
#include <memory>

#include "io/file_system.h"
#include "text/dialect.h"

namespace mergeflow {

struct ParquetOptions {
  uint64_t row_group_bytes = uint64_t{128} << 20;
  int zstd_level = 3;
};

// The defaults, but for MERGEFLOW_PARQUET_ROW_GROUP_BYTES when set (a
// number of bytes: small row groups for tests).
ParquetOptions ParquetOptionsFromEnvironment();

// `dialect`: how the text's fields are separated and quoted.
std::unique_ptr<WritableFile> NewParquetTextFile(std::unique_ptr<WritableFile> file, Dialect dialect,
                                                 ParquetOptions options = ParquetOptions());

}  // namespace mergeflow
