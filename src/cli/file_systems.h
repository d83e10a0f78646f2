// Setting up the stores a command reads and writes.
#pragma once

#include "common/status.h"
#include "io/s3/s3_client.h"

namespace mergeflow {

// Registers the S3 file system (writing with `s3_writes`) beside the local
// one, then wraps them in fault injectors when MERGEFLOW_FAULTS asks
// (io/faulty_file_system.h). Call once, at the start of a command.
Status SetUpFileSystems(const S3WriteOptions& s3_writes = {});

}  // namespace mergeflow
