// The text of a Parquet value, as mergeflow's delimited rows hold it: what
// a Parquet column's PLAIN bytes say, spelled by its logical type.
//
//   strings, other byte arrays   the bytes as they are
//   integers                     decimal (unsigned types as unsigned)
//   FLOAT, DOUBLE                the shortest text that reads back the same
//   BOOLEAN                      true, false
//   DECIMAL(p, s)                the exact decimal: -12.50 for 1250 at scale 2
//   DATE                         2024-03-01
//   TIMESTAMP (and INT96)        2024-03-01 12:30:00, or 2024-03-01
//                                12:30:00.25 when not a whole second (the
//                                fraction's trailing zeros dropped)
//   TIME                         12:30:00, likewise
//
// (as DuckDB casts each type to VARCHAR, and as Python's fromisoformat reads).
// A date or timestamp outside the years 1 to 9999, or a time outside the
// day, is spelled as the number stored (INT96: nanoseconds since 1970).
//   UUID                         8-4-4-4-12 lower-case hex
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "formats/parquet/parquet_metadata.h"

namespace mergeflow {

// The bytes a PLAIN value of `column` takes, or 0 for a BYTE_ARRAY (whose
// length comes first) and for BOOLEAN (one bit).
size_t PlainValueBytes(const ParquetColumn& column);

// Appends to `out` the text of the PLAIN value of `column` at the start of
// `data` and returns the bytes it took. BadInput when `data` is too short
// or the value cannot be spelled (a decimal wider than 128 bits). Not for
// BOOLEAN.
Result<size_t> AppendPlainValueText(const ParquetColumn& column, std::string_view data, std::string* out);

}  // namespace mergeflow
