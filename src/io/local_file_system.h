// LocalFileSystem: POSIX files and directories ("path" or "file://path").
#pragma once

#include "io/file_system.h"

namespace mergeflow {

class LocalFileSystem : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRandomAccess(const std::string& path) override;
  // "-" opens standard input.
  Result<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path, uint64_t offset) override;
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override;
  Result<FileInfo> GetFileInfo(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& path) override;
  Status CreateDirectory(const std::string& path) override;
  Status SyncDirectory(const std::string& path) override;
  // Uses renameat2(RENAME_EXCHANGE) when `target` exists, so readers see
  // either the old or the new directory, never neither.
  Status PublishDirectory(const std::string& staged, const std::string& target) override;
  Status RemoveAll(const std::string& path) override;
  Result<std::vector<FileInfo>> Glob(const std::string& pattern) override;
  // The token is a 128-bit hash of the contents.
  Result<VersionedContents> ReadVersioned(const std::string& path) override;
  // Holds an exclusive flock of the parent directory while it compares and
  // swaps, so that writers on this machine (or a file system with working
  // flock) take turns; the lock goes with a killed process.
  Status WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string& token) override;
  // Maps regular, non-empty files; nullptr for "-", pipes and empty files.
  Result<std::shared_ptr<const MappedFile>> MapForRead(const std::string& path) override;
};

// The path of a local URI: "file://x" is "x"; a plain path is itself.
std::string LocalPath(const std::string& uri);

// Wraps a file descriptor this object now owns as an InputStream.
std::unique_ptr<InputStream> NewFdInputStream(int fd, std::string name);

}  // namespace mergeflow
