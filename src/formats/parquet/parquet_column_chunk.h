// Decoding one column chunk of a Parquet file (its dictionary page and data
// pages, v1 and v2) into the text of its values.
//
// Read: every encoding of Parquet's current specification but the
// deprecated BIT_PACKED (PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY, RLE for
// booleans, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
// BYTE_STREAM_SPLIT), pages uncompressed or compressed with snappy, gzip,
// zstd, brotli or LZ4_RAW (not the deprecated Hadoop-framed LZ4);
// flat columns only (definition levels 0 or 1, no repetition). Anything
// else is refused with BadInput naming what it met.
#pragma once

#include <string_view>

#include "common/result.h"
#include "formats/parquet/parquet_metadata.h"
#include "io/table_sink.h"

namespace mergeflow {

// Appends to `out` the text of each of the chunk's values, in order, as
// parquet_value_text.h spells them; a NULL is the empty value. `bytes`:
// the chunk as stored (from chunk.start, chunk.compressed_size bytes).
// BadInput (without the file's name) when the pages are corrupt or use
// what is not read, or hold other than chunk.values values.
Status DecodeColumnChunk(const ParquetColumn& column, const ParquetChunkMeta& chunk, std::string_view bytes,
                         TextColumn* out);

}  // namespace mergeflow
