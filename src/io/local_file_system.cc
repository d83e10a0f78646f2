#include "io/local_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace mergeflow {
namespace {

class LocalRandomAccessFile : public RandomAccessFile {
 public:
  LocalRandomAccessFile(int fd, uint64_t size, std::string name) : fd_(fd), size_(size), name_(std::move(name)) {}
  ~LocalRandomAccessFile() override { close(fd_); }

  uint64_t Size() const override { return size_; }

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t got = pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("cannot read " + name_, errno);
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

 private:
  int fd_;
  uint64_t size_;
  std::string name_;
};

class FdInputStream : public InputStream {
 public:
  FdInputStream(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~FdInputStream() override {
    if (fd_ != STDIN_FILENO) close(fd_);
  }

  Result<size_t> Read(char* dst, size_t n) override {
    size_t done = 0;
    while (done < n) {
      ssize_t got = read(fd_, dst + done, n - done);
      if (got < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("cannot read " + name_, errno);
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

 private:
  int fd_;
  std::string name_;
};

class LocalWritableFile : public WritableFile {
 public:
  LocalWritableFile(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~LocalWritableFile() override {
    if (fd_ >= 0) close(fd_);
  }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t put = write(fd_, data.data(), data.size());
      if (put < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("cannot write " + name_, errno);
      }
      data.remove_prefix(static_cast<size_t>(put));
    }
    return Status::OK();
  }

  Status Sync() override {
    while (fsync(fd_) != 0) {
      if (errno != EINTR) return ErrnoStatus("cannot sync " + name_, errno);
    }
    return Status::OK();
  }

  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (close(fd) != 0) return ErrnoStatus("cannot write " + name_, errno);
    return Status::OK();
  }

 private:
  int fd_;
  std::string name_;
};

class LocalMappedFile : public MappedFile {
 public:
  LocalMappedFile(const char* data, uint64_t size) : data_(data), size_(size) {}
  ~LocalMappedFile() override { munmap(const_cast<char*>(data_), size_); }
  const char* data() const override { return data_; }
  uint64_t size() const override { return size_; }
  void Release(uint64_t offset, uint64_t n) const override {
    // Only whole pages inside the range: a neighbouring range may be in use.
    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    const uint64_t begin = (offset + page - 1) / page * page;
    const uint64_t end = (offset + n) / page * page;
    if (end > begin) madvise(const_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
  }

 private:
  const char* data_;
  uint64_t size_;
};

}  // namespace

std::string LocalPath(const std::string& uri) { return uri.starts_with("file://") ? uri.substr(7) : uri; }

std::unique_ptr<InputStream> NewFdInputStream(int fd, std::string name) {
  return std::make_unique<FdInputStream>(fd, std::move(name));
}

Result<std::unique_ptr<RandomAccessFile>> LocalFileSystem::OpenForRandomAccess(const std::string& uri) {
  std::string path = LocalPath(uri);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open " + uri, errno);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ErrnoStatus("cannot stat " + uri, err);
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return Status::IOError("cannot read " + uri + ": is a directory");
  }
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<LocalRandomAccessFile>(fd, static_cast<uint64_t>(st.st_size), uri));
}

Result<std::unique_ptr<InputStream>> LocalFileSystem::OpenInputStream(const std::string& uri, uint64_t offset) {
  if (uri == "-") {
    if (offset != 0) return Status::InvalidArgument("standard input can only be read from its start");
    return NewFdInputStream(STDIN_FILENO, "standard input");
  }
  std::string path = LocalPath(uri);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open " + uri, errno);
  if (offset != 0 && lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus("cannot seek in " + uri, err);
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return NewFdInputStream(fd, uri);
}

Result<std::shared_ptr<const MappedFile>> LocalFileSystem::MapForRead(const std::string& uri) {
  if (uri == "-") return std::shared_ptr<const MappedFile>();
  std::string path = LocalPath(uri);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open " + uri, errno);
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    close(fd);
    return std::shared_ptr<const MappedFile>();
  }
  void* data = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (data == MAP_FAILED) return ErrnoStatus("cannot map " + uri, err);
  return std::shared_ptr<const MappedFile>(
      std::make_shared<LocalMappedFile>(static_cast<const char*>(data), static_cast<uint64_t>(st.st_size)));
}

Result<std::unique_ptr<WritableFile>> LocalFileSystem::OpenForWrite(const std::string& uri) {
  std::string path = LocalPath(uri);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create " + uri, errno);
  return std::unique_ptr<WritableFile>(std::make_unique<LocalWritableFile>(fd, uri));
}

Result<FileInfo> LocalFileSystem::GetFileInfo(const std::string& uri) {
  FileInfo info;
  info.path = uri;
  struct stat st {};
  if (stat(LocalPath(uri).c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return info;
    return ErrnoStatus("cannot stat " + uri, errno);
  }
  info.exists = true;
  info.is_directory = S_ISDIR(st.st_mode);
  info.size = static_cast<uint64_t>(st.st_size);
  if (!info.is_directory)
    info.version = std::to_string(info.size) + ":" +
                   std::to_string(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
  return info;
}

Result<std::vector<FileInfo>> LocalFileSystem::ListDirectory(const std::string& uri) {
  std::string path = LocalPath(uri);
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return ErrnoStatus("cannot list " + uri, errno);
  std::vector<FileInfo> entries;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    auto info = GetFileInfo(JoinPath(uri, name));
    if (!info.ok()) {
      closedir(dir);
      return info.status();
    }
    if (info.value().exists) entries.push_back(std::move(info).value());
  }
  closedir(dir);
  std::sort(entries.begin(), entries.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return entries;
}

Status LocalFileSystem::CreateDirectory(const std::string& uri) {
  if (mkdir(LocalPath(uri).c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("cannot create " + uri, errno);
  return Status::OK();
}

Status LocalFileSystem::SyncDirectory(const std::string& uri) {
  const int fd = open(LocalPath(uri).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot sync " + uri, errno);
  int result;
  while ((result = fsync(fd)) != 0 && errno == EINTR) {
  }
  const int err = errno;
  close(fd);
  if (result != 0) return ErrnoStatus("cannot sync " + uri, err);
  return Status::OK();
}

Status LocalFileSystem::PublishDirectory(const std::string& staged, const std::string& target) {
  std::string from = LocalPath(staged);
  std::string to = LocalPath(target);
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) == 0) return Status::OK();
  if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
    return ErrnoStatus("cannot replace " + target, errno);
  // Nothing at `target` yet (ENOENT), or a file system without exchange.
  if (errno != ENOENT) {
    auto info = GetFileInfo(target);
    if (!info.ok()) return info.status();
    if (info.value().exists) {
      std::string old = from + ".replaced";
      if (rename(to.c_str(), old.c_str()) != 0) return ErrnoStatus("cannot replace " + target, errno);
      if (rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("cannot replace " + target, errno);
      if (rename(old.c_str(), from.c_str()) != 0) return ErrnoStatus("cannot clean up " + old, errno);
      return Status::OK();
    }
  }
  if (rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("cannot create " + target, errno);
  return Status::OK();
}

Status LocalFileSystem::RemoveAll(const std::string& uri) {
  // Another process removing the same tree at once (two ranks reclaiming
  // what a killed run left) makes entries vanish midway: that is no
  // failure. Entries added midway (by threads still writing when an
  // interrupt removes their directory) are removed by trying again.
  for (int attempt = 0;; ++attempt) {
    std::error_code ec;
    std::filesystem::remove_all(LocalPath(uri), ec);
    if (!ec) return Status::OK();
    const bool raced = ec == std::errc::no_such_file_or_directory || ec == std::errc::directory_not_empty;
    if (!raced || attempt == 3) return Status::IOError("cannot remove " + uri + ": " + ec.message());
  }
}

Result<std::vector<FileInfo>> LocalFileSystem::Glob(const std::string& pattern) {
  glob_t matches{};
  int rc = glob(LocalPath(pattern).c_str(), 0, nullptr, &matches);
  std::vector<std::string> paths;
  if (rc == 0) {
    for (size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
  }
  globfree(&matches);
  if (rc != 0 && rc != GLOB_NOMATCH) return Status::IOError("cannot expand " + pattern);
  std::vector<FileInfo> files;
  for (const std::string& path : paths) {
    MF_ASSIGN_OR_RETURN(FileInfo info, GetFileInfo(path));
    if (info.exists && !info.is_directory) files.push_back(std::move(info));
  }
  return files;
}

}  // namespace mergeflow
