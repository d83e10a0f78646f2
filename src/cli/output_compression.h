// The --compress of a command that writes parts: text parts are compressed
// whole (gzip, zstd; none by default), Parquet parts page by page (zstd by
// default, snappy, none).
#pragma once

#include <string>

#include "common/result.h"
#include "formats/parquet/parquet_text_file.h"
#include "io/decompressing_stream.h"

namespace mergeflow {

struct OutputCompression {
  Compression text = Compression::kNone;
  ParquetCodec parquet = ParquetCodec::kZstd;
};

// `flag`: --compress as given ("" when it was not); `format`: the output's
// format (tsv, csv, parquet, ...); `has_output`: -o was given. Returns
// InvalidArgument, in one line, for a choice that does not fit (Parquet or
// compression to standard output, gzip pages, snappy text).
Result<OutputCompression> ChooseOutputCompression(const std::string& flag, const std::string& format, bool has_output);

}  // namespace mergeflow
