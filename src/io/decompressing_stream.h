// Transparent decompression of input streams, chosen by magic bytes (not by
// file name): gzip (RFC 1952, several members allowed) and zstd (several
// frames allowed). Anything else passes through unchanged.
#pragma once

#include <memory>
#include <string>

#include "io/file_system.h"

namespace mergeflow {

enum class Compression { kNone, kGzip, kZstd };

// What the first bytes of a stream say it is compressed with.
Compression DetectCompression(const char* bytes, size_t n);

// Wraps `raw` (named `name` in errors) so that reads return the decompressed
// bytes. Reads the first bytes of `raw` to decide. A corrupt or truncated
// stream is an IOError naming `name`.
Result<std::unique_ptr<InputStream>> OpenDecompressed(std::unique_ptr<InputStream> raw, const std::string& name);

}  // namespace mergeflow
