// The byte-level encodings of Parquet pages: PLAIN byte arrays, dictionary
// indexes and definition levels in the RLE/bit-packed hybrid, and numbers
// from their text (what mergeflow writes); the hybrid decoded (what it
// reads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "formats/parquet/parquet_format.h"

namespace mergeflow {

// 4 bytes, little-endian.
void PutU32(std::string* out, uint32_t v);

// A PLAIN BYTE_ARRAY value: its length (PutU32), then its bytes.
void PutPlain(std::string* out, std::string_view value);

// Dictionary indexes[0, n) of `width` bits each: the bit width byte, then
// bit-packed runs of groups of 8, LSB first (the last group padded with
// zeros; the page's value count says where the values end).
void PutIndexes(std::string* out, const uint32_t* indexes, size_t n, int width);

// Definition levels defined[start, start + count) (1: a value, 0: NULL) of
// bit width 1 in RLE runs, after their length (PutU32), as data pages v1
// hold them.
void PutDefinitionLevels(std::string* out, const std::vector<bool>& defined, size_t start, size_t count);

// A number field's 8 little-endian bytes as `type` (kInt64 or kDouble) says;
// false when the whole field is not such a number.
bool ParseNumber(std::string_view text, ColumnType type, char bytes[8]);

// Decodes `count` values of `width` bits (0 to 32) from the RLE/bit-packed
// hybrid in `data` (no length prefix) into out[0, count). Returns the bytes
// consumed; BadInput when `data` ends before `count` values or a run is
// malformed. A bit-packed run's padding past `count` is allowed.
Result<size_t> DecodeHybrid(std::string_view data, int width, size_t count, uint32_t* out);

// Decodes DELTA_BINARY_PACKED integers from the start of `data` into `out`
// (as many as its header says, which must be at least `count`; arithmetic
// wraps as the encoding's does). Returns the bytes consumed; BadInput when
// `data` ends early or a header is malformed.
Result<size_t> DecodeDeltaBinaryPacked(std::string_view data, size_t count, std::vector<int64_t>* out);

}  // namespace mergeflow
