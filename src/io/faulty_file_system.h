// FaultyFileSystem: wraps any FileSystem (FileSystemWrapper, after LevelDB's
// EnvWrapper and Velox's FaultyFileSystem) and fails chosen operations, so
// that tests can check what a failure at any step leaves behind. Registered
// for a scheme of its own ("faulty://PATH"), it strips that scheme and passes
// PATH on. The mergeflow binary wraps its file systems in one when the
// environment asks for faults (InstallFaultsFromEnvironment), so that the
// end-to-end tests can fail any operation of a real run.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "io/file_system_wrapper.h"
#include "io/local_file_system.h"

namespace mergeflow {

// The kinds of operation a fault can be injected into.
enum class FsOp {
  kOpenRead,
  kOpenWrite,
  kRead,
  kWrite,
  kSync,
  kClose,
  kInfo,
  kList,
  kMkdir,
  kRename,
  kRemove,
  kSwap,
  kCount
};

inline const char* FsOpName(FsOp op) {
  static const char* kNames[] = {"open-read", "open-write", "read",  "write",  "sync",   "close",
                                 "info",      "list",       "mkdir", "rename", "remove", "swap"};
  return kNames[static_cast<int>(op)];
}

class FaultyFileSystem : public FileSystemWrapper {
 public:
  // Serves "SCHEME://PATH" as PATH of `target`; with an empty scheme, paths
  // go to `target` as they are.
  // With `stage_outputs`, outputs are staged through this file system (the
  // default commit of stores with rename), so the commit's own operations
  // meet the faults; without, outputs commit as `target` commits them (S3).
  explicit FaultyFileSystem(std::shared_ptr<FileSystem> target = std::make_shared<LocalFileSystem>(),
                            std::string scheme = "faulty", bool stage_outputs = true)
      : FileSystemWrapper(std::move(target)),
        prefix_(scheme.empty() ? "" : scheme + "://"),
        stage_outputs_(stage_outputs) {}

  // The `nth` call (1-based, counted from now) of `op` on a path containing
  // `path_contains` fails with `failure`; the calls after it succeed again.
  // Replaces the fault set before for `op`.
  void FailNth(FsOp op, int nth, Status failure, std::string path_contains = "") {
    std::lock_guard<std::mutex> lock(mu_);
    Fault& f = faults_[static_cast<int>(op)];
    f.path_contains = std::move(path_contains);
    f.matching_calls = 0;
    f.fail_at = nth;
    f.failure = std::move(failure);
  }
  // How many calls of `op` were made so far.
  int Calls(FsOp op) const { return calls_[static_cast<int>(op)].load(); }

  // Writes fail with "No space left on device" once this many bytes were
  // written through the file system in total (-1: never).
  std::atomic<int64_t> fail_after_bytes{-1};
  // Files can be memory-mapped (else they are read as streams, like S3 objects).
  std::atomic<bool> map_files{true};

  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenWrite, path));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, FileSystemWrapper::OpenForWrite(Strip(path)));
    return std::unique_ptr<WritableFile>(std::make_unique<FaultyFile>(this, std::move(file), path));
  }
  Result<std::unique_ptr<RandomAccessFile>> OpenForRandomAccess(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenRead, path));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, FileSystemWrapper::OpenForRandomAccess(Strip(path)));
    return std::unique_ptr<RandomAccessFile>(std::make_unique<FaultyRandomAccessFile>(this, std::move(file), path));
  }
  Result<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path, uint64_t offset) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenRead, path));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, FileSystemWrapper::OpenInputStream(Strip(path), offset));
    return std::unique_ptr<InputStream>(std::make_unique<FaultyInputStream>(this, std::move(stream), path));
  }
  Result<std::shared_ptr<const MappedFile>> MapForRead(const std::string& path) override {
    if (!map_files) return std::shared_ptr<const MappedFile>();
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenRead, path));
    return FileSystemWrapper::MapForRead(Strip(path));
  }
  Result<FileInfo> GetFileInfo(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kInfo, path));
    return FileSystemWrapper::GetFileInfo(Strip(path));
  }
  Result<std::vector<FileInfo>> ListDirectory(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kList, path));
    return FileSystemWrapper::ListDirectory(Strip(path));
  }
  Result<std::vector<FileInfo>> Glob(const std::string& pattern) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kList, pattern));
    return FileSystemWrapper::Glob(Strip(pattern));
  }
  Status CreateDirectory(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kMkdir, path));
    return FileSystemWrapper::CreateDirectory(Strip(path));
  }
  Status SyncDirectory(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kSync, path));
    return FileSystemWrapper::SyncDirectory(Strip(path));
  }
  Status PublishDirectory(const std::string& staged, const std::string& target) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kRename, staged));
    return FileSystemWrapper::PublishDirectory(Strip(staged), Strip(target));
  }
  Status RemoveAll(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kRemove, path));
    return FileSystemWrapper::RemoveAll(Strip(path));
  }
  // One at a time through RemoveAll above, so that a fault can hit any file.
  Status RemoveFiles(const std::vector<std::string>& paths) override { return FileSystem::RemoveFiles(paths); }
  Result<VersionedContents> ReadVersioned(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenRead, path));
    return FileSystemWrapper::ReadVersioned(Strip(path));
  }
  Status WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string& token) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kSwap, path));
    return FileSystemWrapper::WriteIfUnchanged(Strip(path), contents, token);
  }
  Result<std::unique_ptr<OutputCommitter>> StartOutput(const std::string& target, const std::string& run_id) override {
    return stage_outputs_ ? FileSystem::StartOutput(target, run_id) : FileSystemWrapper::StartOutput(target, run_id);
  }
  Result<size_t> ReclaimAbandonedOutput(const std::string& target) override {
    return stage_outputs_ ? FileSystem::ReclaimAbandonedOutput(target)
                          : FileSystemWrapper::ReclaimAbandonedOutput(target);
  }

 private:
  struct Fault {
    std::string path_contains;
    int matching_calls = 0;
    int fail_at = 0;  // which matching call fails; 0: none
    Status failure;
  };

  // Counts a call of `op` on `path`; its failure when this is the call
  // chosen to fail.
  Status Check(FsOp op, const std::string& path) {
    ++calls_[static_cast<int>(op)];
    std::lock_guard<std::mutex> lock(mu_);
    Fault& f = faults_[static_cast<int>(op)];
    if (f.fail_at == 0 || path.find(f.path_contains) == std::string::npos) return Status::OK();
    return ++f.matching_calls == f.fail_at ? f.failure : Status::OK();
  }

  std::string Strip(const std::string& path) const {
    return !prefix_.empty() && path.starts_with(prefix_) ? path.substr(prefix_.size()) : path;
  }

  class FaultyFile : public WritableFile {
   public:
    FaultyFile(FaultyFileSystem* fs, std::unique_ptr<WritableFile> file, std::string path)
        : fs_(fs), file_(std::move(file)), path_(std::move(path)) {}
    Status Append(std::string_view data) override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kWrite, path_));
      int64_t limit = fs_->fail_after_bytes.load();
      if (limit >= 0) {
        int64_t before = fs_->written_.fetch_add(static_cast<int64_t>(data.size()));
        if (before + static_cast<int64_t>(data.size()) > limit)
          return Status::IOError("cannot write: No space left on device");
      }
      return file_->Append(data);
    }
    Status Sync() override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kSync, path_));
      return file_->Sync();
    }
    Status Close() override {
      Status injected = fs_->Check(FsOp::kClose, path_);
      Status closed = file_->Close();
      return injected.ok() ? closed : injected;
    }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<WritableFile> file_;
    const std::string path_;
  };

  class FaultyRandomAccessFile : public RandomAccessFile {
   public:
    FaultyRandomAccessFile(FaultyFileSystem* fs, std::unique_ptr<RandomAccessFile> file, std::string path)
        : fs_(fs), file_(std::move(file)), path_(std::move(path)) {}
    uint64_t Size() const override { return file_->Size(); }
    Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) const override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kRead, path_));
      return file_->ReadAt(offset, n, dst);
    }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<RandomAccessFile> file_;
    const std::string path_;
  };

  class FaultyInputStream : public InputStream {
   public:
    FaultyInputStream(FaultyFileSystem* fs, std::unique_ptr<InputStream> stream, std::string path)
        : fs_(fs), stream_(std::move(stream)), path_(std::move(path)) {}
    Result<size_t> Read(char* dst, size_t n) override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kRead, path_));
      return stream_->Read(dst, n);
    }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<InputStream> stream_;
    const std::string path_;
  };

  const std::string prefix_;
  const bool stage_outputs_;
  std::array<std::atomic<int>, static_cast<int>(FsOp::kCount)> calls_{};
  std::mutex mu_;
  std::array<Fault, static_cast<int>(FsOp::kCount)> faults_;
  std::atomic<int64_t> written_{0};
};

// Wraps the local and S3 file systems in FaultyFileSystems as the variable
// MERGEFLOW_FAULTS says: a comma-separated list of OP[@TEXT]:N, each failing
// the Nth call of operation OP (an FsOpName) on a path containing TEXT (any
// path without @TEXT) with "...: injected fault (OP #N)". Does nothing when the
// variable is unset. REQUIRES: the file systems are registered; call at
// start-up. InvalidArgument for a malformed list.
Status InstallFaultsFromEnvironment();

}  // namespace mergeflow
