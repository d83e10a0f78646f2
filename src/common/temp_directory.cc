#include "common/temp_directory.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "common/interrupt.h"

namespace mergeflow {

Result<std::unique_ptr<TempDirectory>> TempDirectory::Create(const std::string& parent, const std::string& name) {
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string base = !parent.empty() ? parent : tmpdir != nullptr ? tmpdir : "/tmp";
  // Registered before the directory exists, so no interrupt can leave it.
  std::unique_ptr<TempDirectory> dir(new TempDirectory(base + "/" + name));
  if (mkdir(dir->path_.c_str(), 0700) != 0) {
    return ErrnoStatus("cannot create a temporary directory in " + base, errno);
  }
  return dir;
}

TempDirectory::TempDirectory(std::string path) : path_(std::move(path)) {
  cleanup_ = RegisterCleanup([path = path_] { Remove(path); });
}

TempDirectory::~TempDirectory() {
  Remove(path_);
  UnregisterCleanup(cleanup_);
}

void TempDirectory::Remove(const std::string& path) {
  std::error_code ignored;
  const std::string doomed = path + ".removing";
  std::filesystem::rename(path, doomed, ignored);
  std::filesystem::remove_all(ignored ? path : doomed, ignored);
}

}  // namespace mergeflow
