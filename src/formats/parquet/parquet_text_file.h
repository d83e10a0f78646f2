// A Parquet file made from delimited text: a WritableFile that takes what
// a text part would hold (the header line, then whole rows, in any number of
// appends) and writes, to the file it wraps, the same table as Parquet.
//
// A text column is a REQUIRED BYTE_ARRAY with the String logical type (an
// empty field is the empty string, never NULL); a number column an OPTIONAL
// DOUBLE or INT64 (an empty field is NULL). Rows are cut into row groups of
// about `row_group_bytes` of text and pages of about 1 MiB; a text column
// chunk is dictionary-encoded when that makes it smaller (else PLAIN), a
// number column chunk is PLAIN; pages are compressed with zstd (or snappy,
// or not at all); each column
// chunk carries its min, max and null count.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "formats/parquet/parquet_format.h"
#include "io/file_system.h"
#include "text/dialect.h"

namespace mergeflow {

struct ParquetOptions {
  uint64_t row_group_bytes = uint64_t{128} << 20;
  ParquetCodec codec = ParquetCodec::kZstd;
  int zstd_level = 3;
};

// `codec` and the defaults, but for MERGEFLOW_PARQUET_ROW_GROUP_BYTES when
// set (a number of bytes: small row groups for tests).
ParquetOptions ParquetOptionsFromEnvironment(ParquetCodec codec);

// `dialect`: how the text's fields are separated and quoted; `types`: one
// per column of the header, or empty for text columns only. A number field
// that does not parse as its type fails the file with BadInput.
std::unique_ptr<WritableFile> NewParquetTextFile(std::unique_ptr<WritableFile> file, Dialect dialect,
                                                 std::vector<ColumnType> types = {},
                                                 ParquetOptions options = ParquetOptions());

}  // namespace mergeflow
