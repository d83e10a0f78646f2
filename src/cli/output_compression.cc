#include "cli/output_compression.h"

namespace mergeflow {

Result<OutputCompression> ChooseOutputCompression(const std::string& flag, const std::string& format,
                                                  bool has_output) {
  OutputCompression chosen;
  if (format == "parquet" && !has_output) return Status::InvalidArgument("--format parquet needs -o/--output");
  if (flag.empty()) return chosen;
  if (!has_output && flag != "none")
    return Status::InvalidArgument("--compress needs -o/--output (pipe standard output to gzip or zstd instead)");
  if (format == "parquet") {
    if (flag == "gzip")
      return Status::InvalidArgument("Parquet parts compress their pages: --compress zstd (the default), snappy or none");
    chosen.parquet = flag == "snappy" ? ParquetCodec::kSnappy : flag == "none" ? ParquetCodec::kNone : ParquetCodec::kZstd;
    return chosen;
  }
  if (flag == "snappy") return Status::InvalidArgument("--compress snappy is for --format parquet");
  chosen.text = flag == "gzip" ? Compression::kGzip : flag == "zstd" ? Compression::kZstd : Compression::kNone;
  return chosen;
}

}  // namespace mergeflow
