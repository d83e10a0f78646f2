// LocalFileSystem's compare-and-swap of small files (ReadVersioned and
// WriteIfUnchanged). While an exclusive flock of the parent directory is
// held, the current contents are compared, the new ones written and synced
// under a hidden temporary name, and put in place: link() when the file
// must not exist yet (it fails if it does), rename() over the old file.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>

#include "io/local_file_system.h"

namespace mergeflow {
namespace {

std::string ContentToken(std::string_view contents) {
  const XXH128_hash_t hash = XXH3_128bits(contents.data(), contents.size());
  char text[40];
  std::snprintf(text, sizeof(text), "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return text;
}

// An exclusive flock of a directory, released (with the descriptor) when it
// goes out of scope or the process dies.
class DirectoryLock {
 public:
  static Result<std::unique_ptr<DirectoryLock>> Acquire(const std::string& dir) {
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open " + dir, errno);
    while (flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int err = errno;
        close(fd);
        return ErrnoStatus("cannot lock " + dir, err);
      }
    }
    return std::unique_ptr<DirectoryLock>(new DirectoryLock(fd));
  }
  ~DirectoryLock() { close(fd_); }
  int fd() const { return fd_; }

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

Result<VersionedContents> LocalFileSystem::ReadVersioned(const std::string& path) {
  VersionedContents result;
  MF_ASSIGN_OR_RETURN(FileInfo info, GetFileInfo(path));
  if (!info.exists) return result;
  if (info.is_directory) return Status::IOError("cannot read " + path + ": Is a directory");
  MF_ASSIGN_OR_RETURN(result.contents, ReadWholeFile(this, path));
  result.exists = true;
  result.token = ContentToken(result.contents);
  return result;
}

Status LocalFileSystem::WriteIfUnchanged(const std::string& uri, std::string_view contents, const std::string& token) {
  const std::string path = LocalPath(uri);
  const std::string dir = SplitParent(path).first;
  MF_ASSIGN_OR_RETURN(std::unique_ptr<DirectoryLock> lock, DirectoryLock::Acquire(dir));
  // One name for every writer of the directory, used only under the lock: a
  // writer killed midway leaves at most this file, which the next one reuses.
  const std::string temporary = JoinPath(dir, ".mergeflow-write-in-progress");
  if (token.empty()) {
    MF_ASSIGN_OR_RETURN(FileInfo existing, GetFileInfo(path));
    if (existing.exists) return Status::Conflict(uri + " already exists");
  } else {
    MF_ASSIGN_OR_RETURN(VersionedContents now, ReadVersioned(path));
    if (!now.exists) return Status::Conflict(uri + " was removed by another writer");
    if (now.token != token) return Status::Conflict(uri + " was changed by another writer");
  }
  MF_RETURN_IF_ERROR(WriteWholeFile(this, temporary, contents));
  if (token.empty()) {
    // link() fails if the name exists, also for a writer that took no lock.
    const int linked = link(temporary.c_str(), path.c_str());
    const int err = errno;
    unlink(temporary.c_str());
    if (linked != 0)
      return err == EEXIST ? Status::Conflict(uri + " already exists") : ErrnoStatus("cannot create " + uri, err);
  } else if (rename(temporary.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(temporary.c_str());
    return ErrnoStatus("cannot replace " + uri, err);
  }
  while (fsync(lock->fd()) != 0) {
    if (errno != EINTR) return ErrnoStatus("cannot sync " + dir, errno);
  }
  return Status::OK();
}

}  // namespace mergeflow
