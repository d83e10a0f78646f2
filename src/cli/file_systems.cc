#include "cli/file_systems.h"

#include <memory>

#include "io/faulty_file_system.h"
#include "io/s3/s3_file_system.h"

namespace mergeflow {

Status SetUpFileSystems(const S3WriteOptions& s3_writes) {
  RegisterFileSystem("s3", std::make_shared<S3FileSystem>(s3_writes));
  return InstallFaultsFromEnvironment();
}

}  // namespace mergeflow
