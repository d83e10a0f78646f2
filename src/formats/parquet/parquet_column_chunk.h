// Decoding one column chunk of a Parquet file (its dictionary page and data
// pages, v1 and v2) into the text of its values.
//
// Read: the PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY encodings (RLE for
// booleans), pages uncompressed or compressed with snappy, gzip or zstd;
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
