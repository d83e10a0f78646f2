// Compressed output: a WritableFile that compresses what is appended to it
// into another WritableFile, as one gzip member (isa-l's igzip, level 1:
// several times faster than zlib) or one zstd frame (level 3, zstd's own
// default).
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "io/decompressing_stream.h"
#include "io/file_system.h"

namespace mergeflow {

// Wraps `sink`: Append compresses, Close finishes the stream and closes
// `sink`. With Compression::kNone, returns `sink` itself.
std::unique_ptr<WritableFile> NewCompressingFile(std::unique_ptr<WritableFile> sink, Compression compression);

// The file name suffix of a compression: "", ".gz" or ".zst".
std::string CompressionSuffix(Compression compression);

}  // namespace mergeflow
