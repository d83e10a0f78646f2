// FaultyFileSystem: wraps the local file system and fails on command, so
// tests can check what a failure at any step leaves behind (after Velox's
// FaultyFileSystem and LevelDB's EnvWrapper). Serves "faulty://PATH".
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "io/local_file_system.h"

namespace mergeflow::testing {

class FaultyFileSystem : public LocalFileSystem {
 public:
  // Appends fail with "No space left on device" once this many bytes were
  // written through the file system in total (-1: never).
  std::atomic<int64_t> fail_after_bytes{-1};
  // PublishDirectory fails.
  std::atomic<bool> fail_publish{false};
  // Files can be memory-mapped (else they are read as streams, like S3 objects).
  std::atomic<bool> map_files{true};

  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override {
    MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, LocalFileSystem::OpenForWrite(Strip(path)));
    return std::unique_ptr<WritableFile>(std::make_unique<FaultyFile>(this, std::move(file)));
  }
  Result<std::unique_ptr<RandomAccessFile>> OpenForRandomAccess(const std::string& path) override {
    return LocalFileSystem::OpenForRandomAccess(Strip(path));
  }
  Result<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path, uint64_t offset) override {
    return LocalFileSystem::OpenInputStream(Strip(path), offset);
  }
  Result<std::shared_ptr<const MappedFile>> MapForRead(const std::string& path) override {
    if (!map_files) return std::shared_ptr<const MappedFile>();
    return LocalFileSystem::MapForRead(Strip(path));
  }
  Result<FileInfo> GetFileInfo(const std::string& path) override { return LocalFileSystem::GetFileInfo(Strip(path)); }
  Result<std::vector<FileInfo>> ListDirectory(const std::string& path) override {
    return LocalFileSystem::ListDirectory(Strip(path));
  }
  Status CreateDirectory(const std::string& path) override { return LocalFileSystem::CreateDirectory(Strip(path)); }
  Status PublishDirectory(const std::string& staged, const std::string& target) override {
    if (fail_publish) return Status::IOError("injected publish failure");
    return LocalFileSystem::PublishDirectory(Strip(staged), Strip(target));
  }
  Status RemoveAll(const std::string& path) override { return LocalFileSystem::RemoveAll(Strip(path)); }

 private:
  static std::string Strip(const std::string& path) {
    return path.starts_with("faulty://") ? path.substr(9) : path;
  }

  class FaultyFile : public WritableFile {
   public:
    FaultyFile(FaultyFileSystem* fs, std::unique_ptr<WritableFile> file) : fs_(fs), file_(std::move(file)) {}
    Status Append(std::string_view data) override {
      int64_t limit = fs_->fail_after_bytes.load();
      if (limit >= 0) {
        int64_t before = fs_->written_.fetch_add(static_cast<int64_t>(data.size()));
        if (before + static_cast<int64_t>(data.size()) > limit)
          return Status::IOError("cannot write: No space left on device");
      }
      return file_->Append(data);
    }
    Status Close() override { return file_->Close(); }

   private:
    FaultyFileSystem* fs_;
    std::unique_ptr<WritableFile> file_;
  };

  std::atomic<int64_t> written_{0};
};

}  // namespace mergeflow::testing
