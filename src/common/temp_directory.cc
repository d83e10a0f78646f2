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
  // Made and registered for removal in one step that no interrupt can cut:
  // none is left behind, and a directory this object did not make (a name
  // already taken) is never removed.
  const std::string path = base + "/" + name;
  std::unique_ptr<TempDirectory> dir;
  int err = 0;
  RunUninterrupted([&] {
    if (mkdir(path.c_str(), 0700) != 0) {
      err = errno;
      return;
    }
    dir.reset(new TempDirectory(path));
  });
  if (dir == nullptr) return ErrnoStatus("cannot create a temporary directory in " + base, err);
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
