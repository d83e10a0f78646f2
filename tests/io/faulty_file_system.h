// FaultyFileSystem: wraps any FileSystem (FileSystemWrapper, after LevelDB's
// EnvWrapper and Velox's FaultyFileSystem) and fails chosen operations, so
// that tests can check what a failure at any step leaves behind. Registered
// for a scheme ("faulty://PATH"), it strips that scheme and passes PATH on.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "io/file_system_wrapper.h"
#include "io/local_file_system.h"

namespace mergeflow::testing {

// The kinds of operation a fault can be injected into.
enum class FsOp { kOpenRead, kOpenWrite, kRead, kWrite, kSync, kClose, kInfo, kList, kMkdir, kRename, kRemove, kCount };

inline const char* FsOpName(FsOp op) {
  static const char* kNames[] = {"open-read", "open-write", "read", "write", "sync", "close",
                                 "info",      "list",       "mkdir", "rename", "remove"};
  return kNames[static_cast<int>(op)];
}

class FaultyFileSystem : public FileSystemWrapper {
 public:
  explicit FaultyFileSystem(std::shared_ptr<FileSystem> target = std::make_shared<LocalFileSystem>(),
                            std::string scheme = "faulty")
      : FileSystemWrapper(std::move(target)), prefix_(scheme + "://") {}

  // The `nth` call (1-based, counted from now) of `op` fails with `failure`;
  // the calls after it succeed again.
  void FailNth(FsOp op, int nth, Status failure) {
    std::lock_guard<std::mutex> lock(mu_);
    Fault& f = faults_[static_cast<int>(op)];
    f.fail_at = calls_[static_cast<int>(op)].load() + nth;
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
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenWrite));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, FileSystemWrapper::OpenForWrite(Strip(path)));
    return std::unique_ptr<WritableFile>(std::make_unique<FaultyFile>(this, std::move(file)));
  }
  Result<std::unique_ptr<RandomAccessFile>> OpenForRandomAccess(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenRead));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, FileSystemWrapper::OpenForRandomAccess(Strip(path)));
    return std::unique_ptr<RandomAccessFile>(std::make_unique<FaultyRandomAccessFile>(this, std::move(file)));
  }
  Result<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path, uint64_t offset) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenRead));
    MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, FileSystemWrapper::OpenInputStream(Strip(path), offset));
    return std::unique_ptr<InputStream>(std::make_unique<FaultyInputStream>(this, std::move(stream)));
  }
  Result<std::shared_ptr<const MappedFile>> MapForRead(const std::string& path) override {
    if (!map_files) return std::shared_ptr<const MappedFile>();
    MF_RETURN_IF_ERROR(Check(FsOp::kOpenRead));
    return FileSystemWrapper::MapForRead(Strip(path));
  }
  Result<FileInfo> GetFileInfo(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kInfo));
    return FileSystemWrapper::GetFileInfo(Strip(path));
  }
  Result<std::vector<FileInfo>> ListDirectory(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kList));
    return FileSystemWrapper::ListDirectory(Strip(path));
  }
  Result<std::vector<FileInfo>> Glob(const std::string& pattern) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kList));
    return FileSystemWrapper::Glob(Strip(pattern));
  }
  Status CreateDirectory(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kMkdir));
    return FileSystemWrapper::CreateDirectory(Strip(path));
  }
  Status SyncDirectory(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kSync));
    return FileSystemWrapper::SyncDirectory(Strip(path));
  }
  Status PublishDirectory(const std::string& staged, const std::string& target) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kRename));
    return FileSystemWrapper::PublishDirectory(Strip(staged), Strip(target));
  }
  Status RemoveAll(const std::string& path) override {
    MF_RETURN_IF_ERROR(Check(FsOp::kRemove));
    return FileSystemWrapper::RemoveAll(Strip(path));
  }
  // Outputs are staged through this file system, so that the commit's own
  // operations meet the faults too.
  Result<std::unique_ptr<OutputCommitter>> StartOutput(const std::string& target, const std::string& run_id) override {
    return FileSystem::StartOutput(target, run_id);
  }
  Result<size_t> ReclaimAbandonedOutput(const std::string& target) override {
    return FileSystem::ReclaimAbandonedOutput(target);
  }

 private:
  struct Fault {
    int fail_at = 0;  // the call number that fails; 0: none
    Status failure;
  };

  // Counts a call of `op`; its failure when this is the call chosen to fail.
  Status Check(FsOp op) {
    const int call = ++calls_[static_cast<int>(op)];
    std::lock_guard<std::mutex> lock(mu_);
    const Fault& f = faults_[static_cast<int>(op)];
    return call == f.fail_at ? f.failure : Status::OK();
  }

  std::string Strip(const std::string& path) const {
    return path.starts_with(prefix_) ? path.substr(prefix_.size()) : path;
  }

  class FaultyFile : public WritableFile {
   public:
    FaultyFile(FaultyFileSystem* fs, std::unique_ptr<WritableFile> file) : fs_(fs), file_(std::move(file)) {}
    Status Append(std::string_view data) override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kWrite));
      int64_t limit = fs_->fail_after_bytes.load();
      if (limit >= 0) {
        int64_t before = fs_->written_.fetch_add(static_cast<int64_t>(data.size()));
        if (before + static_cast<int64_t>(data.size()) > limit)
          return Status::IOError("cannot write: No space left on device");
      }
      return file_->Append(data);
    }
    Status Sync() override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kSync));
      return file_->Sync();
    }
    Status Close() override {
      Status injected = fs_->Check(FsOp::kClose);
      Status closed = file_->Close();
      return injected.ok() ? closed : injected;
    }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<WritableFile> file_;
  };

  class FaultyRandomAccessFile : public RandomAccessFile {
   public:
    FaultyRandomAccessFile(FaultyFileSystem* fs, std::unique_ptr<RandomAccessFile> file)
        : fs_(fs), file_(std::move(file)) {}
    uint64_t Size() const override { return file_->Size(); }
    Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) const override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kRead));
      return file_->ReadAt(offset, n, dst);
    }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<RandomAccessFile> file_;
  };

  class FaultyInputStream : public InputStream {
   public:
    FaultyInputStream(FaultyFileSystem* fs, std::unique_ptr<InputStream> stream)
        : fs_(fs), stream_(std::move(stream)) {}
    Result<size_t> Read(char* dst, size_t n) override {
      MF_RETURN_IF_ERROR(fs_->Check(FsOp::kRead));
      return stream_->Read(dst, n);
    }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<InputStream> stream_;
  };

  const std::string prefix_;
  std::array<std::atomic<int>, static_cast<int>(FsOp::kCount)> calls_{};
  std::mutex mu_;
  std::array<Fault, static_cast<int>(FsOp::kCount)> faults_;
  std::atomic<int64_t> written_{0};
};

}  // namespace mergeflow::testing
