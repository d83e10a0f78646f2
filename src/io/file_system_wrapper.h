// FileSystemWrapper: a FileSystem that forwards every call to another one
// (LevelDB's EnvWrapper). Derive from it to change a few operations of any
// file system (local, S3, another wrapper) and keep the rest: the fault
// injecting file system of the tests is one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/output_committer.h"

namespace mergeflow {

class FileSystemWrapper : public FileSystem {
 public:
  // REQUIRES: target != nullptr. Shares ownership of `target`.
  explicit FileSystemWrapper(std::shared_ptr<FileSystem> target) : target_(std::move(target)) {}

  FileSystem* target() const { return target_.get(); }

  Result<std::unique_ptr<RandomAccessFile>> OpenForRandomAccess(const std::string& path) override {
    return target_->OpenForRandomAccess(path);
  }
  Result<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path, uint64_t offset) override {
    return target_->OpenInputStream(path, offset);
  }
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override {
    return target_->OpenForWrite(path);
  }
  Result<FileInfo> GetFileInfo(const std::string& path) override { return target_->GetFileInfo(path); }
  Result<std::vector<FileInfo>> ListDirectory(const std::string& path) override { return target_->ListDirectory(path); }
  Status CreateDirectory(const std::string& path) override { return target_->CreateDirectory(path); }
  Status SyncDirectory(const std::string& path) override { return target_->SyncDirectory(path); }
  Status PublishDirectory(const std::string& staged, const std::string& target) override {
    return target_->PublishDirectory(staged, target);
  }
  Status RemoveAll(const std::string& path) override { return target_->RemoveAll(path); }
  Status RemoveFiles(const std::vector<std::string>& paths) override { return target_->RemoveFiles(paths); }
  Result<std::vector<FileInfo>> Glob(const std::string& pattern) override { return target_->Glob(pattern); }
  Result<VersionedContents> ReadVersioned(const std::string& path) override { return target_->ReadVersioned(path); }
  Status WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string& token) override {
    return target_->WriteIfUnchanged(path, contents, token);
  }
  Result<std::shared_ptr<const MappedFile>> MapForRead(const std::string& path) override {
    return target_->MapForRead(path);
  }
  // Forwarded too: an output then commits the way the target commits
  // (staged by the target's own calls, or S3's multipart uploads). A wrapper
  // that must see the commit's file operations stages through itself with
  // FileSystem::StartOutput.
  Result<std::unique_ptr<OutputCommitter>> StartOutput(const std::string& target, const std::string& run_id) override {
    return target_->StartOutput(target, run_id);
  }
  Result<size_t> ReclaimAbandonedOutput(const std::string& target) override {
    return target_->ReclaimAbandonedOutput(target);
  }

 private:
  std::shared_ptr<FileSystem> target_;
};

}  // namespace mergeflow
