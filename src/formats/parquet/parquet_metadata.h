// What a Parquet file's footer (FileMetaData) and page headers say, decoded
// from Thrift's compact protocol: the parts mergeflow needs to read the
// file's flat columns back (schema, row groups, column chunks, pages).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mergeflow {

// How a column's physical values are to be read as text.
enum class ParquetLogical {
  kNone,       // as the physical type says: numbers in decimal, bytes as they are
  kDecimal,    // an unscaled integer and `scale`
  kDate,       // days since 1970-01-01
  kTimestamp,  // units (`time_unit_digits` decimals of a second) since 1970-01-01 00:00:00
  kTime,       // units (`time_unit_digits` decimals of a second) since midnight
  kUnsigned,   // an unsigned integer
  kUuid,       // 16 bytes, written 8-4-4-4-12 in hex
};

struct ParquetColumn {
  std::string name;
  int32_t physical = 0;  // parquet::Type
  int32_t type_length = 0;
  bool optional = true;
  ParquetLogical logical = ParquetLogical::kNone;
  int32_t scale = 0;             // kDecimal
  int32_t time_unit_digits = 0;  // kTimestamp, kTime: 3 (millis), 6 (micros) or 9 (nanos)
};

struct ParquetChunkMeta {
  int32_t codec = 0;  // parquet CompressionCodec
  int64_t values = 0;
  int64_t start = 0;  // the chunk's first page (its dictionary page when it has one)
  int64_t compressed_size = 0;
  int64_t uncompressed_size = 0;
};

struct ParquetRowGroup {
  std::vector<ParquetChunkMeta> chunks;  // one per column
  int64_t rows = 0;
};

struct ParquetFileMeta {
  std::vector<ParquetColumn> columns;
  std::vector<ParquetRowGroup> row_groups;
};

// The FileMetaData in `footer`. BadInput (the message without the file's
// name) when it is corrupt, or when the schema is not a flat list of
// columns (nested and repeated columns are not read).
Result<ParquetFileMeta> ReadParquetMetadata(std::string_view footer);

struct ParquetPageHeader {
  int32_t type = 0;  // parquet PageType
  int32_t uncompressed_size = 0;
  int32_t compressed_size = 0;
  int32_t values = 0;
  int32_t encoding = 0;
  // Data pages v2: levels are stored uncompressed before the values.
  bool v2 = false;
  int32_t definition_bytes = 0;
  int32_t repetition_bytes = 0;
  bool values_compressed = true;
  size_t header_size = 0;  // bytes of the header itself
};

// The PageHeader at the start of `bytes`.
Result<ParquetPageHeader> ReadParquetPageHeader(std::string_view bytes);

}  // namespace mergeflow
