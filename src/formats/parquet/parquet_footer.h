// The footer of a Parquet file (FileMetaData, in Thrift's compact
// protocol): the schema, and for each row group where each column chunk's
// pages are, how they are encoded and compressed, and their statistics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/parquet/parquet_format.h"

namespace mergeflow {

// What the footer says of one column chunk.
struct ChunkMeta {
  std::vector<int32_t> encodings;
  uint64_t values = 0;  // NULLs included
  uint64_t nulls = 0;
  uint64_t uncompressed = 0;  // page headers + page data before compression
  uint64_t compressed = 0;    // page headers + page data as stored
  uint64_t data_page_offset = 0;
  int64_t dictionary_page_offset = -1;  // -1: no dictionary page
  std::string min, max;  // as Parquet's statistics hold them (numbers: 8 little-endian bytes)
  bool has_min_max = false;
};

struct RowGroupMeta {
  std::vector<ChunkMeta> chunks;  // one per column
  uint64_t rows = 0;
  uint64_t bytes = 0;  // uncompressed
};

// The FileMetaData of a file of columns `names` of `types` (text columns
// REQUIRED Strings, numbers OPTIONAL) whose pages are compressed with
// `codec`, holding `row_groups`.
std::string ParquetFooter(const std::vector<std::string>& names, const std::vector<ColumnType>& types,
                          ParquetCodec codec, const std::vector<RowGroupMeta>& row_groups);

}  // namespace mergeflow
