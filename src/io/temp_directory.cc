#include "io/temp_directory.h"

#include <cstdlib>

#include "common/interrupt.h"

namespace mergeflow {

namespace {

std::string BaseDirectory(const std::string& parent) {
  const char* tmpdir = std::getenv("TMPDIR");
  return !parent.empty() ? parent : tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

}  // namespace

Result<size_t> TempDirectory::ReclaimAbandoned(const std::string& parent) {
  const std::string base = BaseDirectory(parent);
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(base));
  MF_ASSIGN_OR_RETURN(Reclaimed reclaimed, ::mergeflow::ReclaimAbandoned(
                                               fs, base, kPrefix, [fs](const std::string& owned, const RunMarker&) {
                                                 return fs->RemoveAll(owned);
                                               }));
  return reclaimed.count;
}

Result<std::unique_ptr<TempDirectory>> TempDirectory::Create(const std::string& parent, const std::string& name) {
  const std::string base = BaseDirectory(parent);
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(base));
  const std::string path = JoinPath(base, name);
  const auto failed = [&](const Status& status) {
    return Status::IOError("cannot create a temporary directory in " + base + ": " + ReasonOf(status));
  };
  Result<size_t> reclaimed = ReclaimAbandoned(base);
  if (!reclaimed.ok()) return failed(reclaimed.status());

  MF_ASSIGN_OR_RETURN(FileInfo taken, fs->GetFileInfo(path));
  if (taken.exists) return Status::IOError("cannot create a temporary directory in " + base + ": File exists");
  Result<MarkedDirectory> made = CreateMarkedDirectory(fs, path, name, [fs, path] { Remove(fs, path); });
  if (!made.ok()) return failed(made.status());
  return std::unique_ptr<TempDirectory>(new TempDirectory(fs, path, std::move(made).value()));
}

TempDirectory::TempDirectory(FileSystem* fs, std::string path, MarkedDirectory made)
    : fs_(fs), path_(std::move(path)), marker_(std::move(made.marker)), cleanup_(made.cleanup_handle) {}

TempDirectory::~TempDirectory() {
  // One step with unregistering: an interrupt meanwhile would start the same
  // removal again beside this one and end the process midway.
  RunUninterrupted([&] {
    if (!Remove(fs_, path_)) marker_->Keep();
    UnregisterCleanup(cleanup_);
  });
}

bool TempDirectory::Remove(FileSystem* fs, const std::string& path) {
  const std::string doomed = path + ".removing";
  const bool moved = fs->PublishDirectory(path, doomed).ok();
  return fs->RemoveAll(moved ? doomed : path).ok();
}

}  // namespace mergeflow
