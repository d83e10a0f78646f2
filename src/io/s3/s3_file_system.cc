#include "io/s3/s3_file_system.h"

#include <fnmatch.h>

#include <algorithm>
#include <deque>
#include <future>
#include <map>

#include "io/concurrent_requests.h"
#include "io/s3/s3_output_committer.h"
#include "io/s3/s3_upload_file.h"

namespace mergeflow {
namespace {

// Reads ahead in blocks fetched by parallel ranged GETs.
constexpr uint64_t kReadBlockBytes = uint64_t{8} << 20;
constexpr size_t kBlocksInFlight = 6;

// "dir" -> "dir/", "" and "dir/" unchanged: the prefix of a directory's objects.
std::string DirectoryPrefix(const std::string& key) { return key.empty() || key.ends_with('/') ? key : key + "/"; }

Status NotFound(const std::string& path) {
  return Status::NotFound("cannot open " + path + ": No such file or directory");
}

class S3ReadAheadStream : public InputStream {
 public:
  // Reads `where` from byte `offset` on.
  S3ReadAheadStream(S3Client* client, S3Location where, uint64_t offset)
      : client_(client), where_(std::move(where)), next_offset_(offset) {}
  ~S3ReadAheadStream() override {
    for (auto& block : pending_) block.wait();
  }

  Result<size_t> Read(char* dst, size_t n) override {
    size_t done = 0;
    while (done < n) {
      if (position_ == block_.size()) {
        MF_ASSIGN_OR_RETURN(bool more, NextBlock());
        if (!more) break;
        continue;
      }
      const size_t take = std::min(n - done, block_.size() - position_);
      std::copy_n(block_.data() + position_, take, dst + done);
      position_ += take;
      done += take;
    }
    return done;
  }

 private:
  struct Block {
    std::string data;
    uint64_t object_size = 0;
  };

  void Schedule() {
    const uint64_t offset = next_offset_;
    next_offset_ += kReadBlockBytes;
    pending_.push_back(std::async(std::launch::async, [this, offset]() -> Result<Block> {
      Block block;
      block.data.reserve(kReadBlockBytes);
      MF_RETURN_IF_ERROR(client_
                             ->GetRange(
                                 where_, offset, kReadBlockBytes,
                                 [&block](std::string_view data) { block.data.append(data); }, &block.object_size)
                             .status_or_ok());
      return block;
    }));
  }

  // Moves to the next block; false at the end of the object.
  Result<bool> NextBlock() {
    if (pending_.empty()) {
      if (size_known_ && next_offset_ >= object_size_) return false;
      Schedule();  // the first block: the object's size arrives with it
    }
    Result<Block> block = pending_.front().get();
    pending_.pop_front();
    if (!block.ok()) return block.status();
    object_size_ = block.value().object_size;
    size_known_ = true;
    block_ = std::move(block.value().data);
    position_ = 0;
    while (pending_.size() < kBlocksInFlight && next_offset_ < object_size_) Schedule();
    return !block_.empty();
  }

  S3Client* client_;
  S3Location where_;
  std::deque<std::future<Result<Block>>> pending_;
  uint64_t next_offset_;
  uint64_t object_size_ = 0;
  bool size_known_ = false;
  std::string block_;
  size_t position_ = 0;
};

class S3RandomAccessFile : public RandomAccessFile {
 public:
  S3RandomAccessFile(S3Client* client, S3Location where, uint64_t size)
      : client_(client), where_(std::move(where)), size_(size) {}
  uint64_t Size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) const override {
    size_t done = 0;
    MF_RETURN_IF_ERROR(client_
                           ->GetRange(
                               where_, offset, n,
                               [&](std::string_view data) {
                                 std::copy(data.begin(), data.end(), dst + done);
                                 done += data.size();
                               },
                               nullptr)
                           .status_or_ok());
    return done;
  }

 private:
  S3Client* client_;
  S3Location where_;
  uint64_t size_;
};

}  // namespace

S3FileSystem::S3FileSystem(S3WriteOptions write_options) : write_options_(std::move(write_options)) {}

Result<S3Client*> S3FileSystem::client() {
  std::call_once(once_, [this] {
    Result<S3Settings> settings = LoadS3Settings();
    if (!settings.ok()) {
      client_status_ = settings.status();
      return;
    }
    client_ = std::make_unique<S3Client>(std::move(settings).value(), write_options_);
  });
  if (!client_status_.ok()) return client_status_;
  return client_.get();
}

Result<std::unique_ptr<RandomAccessFile>> S3FileSystem::OpenForRandomAccess(const std::string& path) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  MF_ASSIGN_OR_RETURN(std::optional<S3Object> object, s3->HeadObject(where));
  if (!object) return NotFound(path);
  return std::unique_ptr<RandomAccessFile>(std::make_unique<S3RandomAccessFile>(s3, std::move(where), object->size));
}

Result<std::unique_ptr<InputStream>> S3FileSystem::OpenInputStream(const std::string& path, uint64_t offset) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  return std::unique_ptr<InputStream>(std::make_unique<S3ReadAheadStream>(s3, std::move(where), offset));
}

Result<std::unique_ptr<WritableFile>> S3FileSystem::OpenForWrite(const std::string& path) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  return std::unique_ptr<WritableFile>(std::make_unique<S3UploadFile>(s3, std::move(where), true));
}

Result<FileInfo> S3FileSystem::GetFileInfo(const std::string& path) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  FileInfo info;
  info.path = path;
  if (where.key.empty()) {  // the bucket itself: listing it proves it is there
    MF_RETURN_IF_ERROR(s3->List(where.bucket, "", "/", 1).status_or_ok());
    info.exists = info.is_directory = true;
    return info;
  }
  if (!where.key.ends_with('/')) {
    MF_ASSIGN_OR_RETURN(std::optional<S3Object> object, s3->HeadObject(where));
    if (object) {
      info.exists = true;
      info.size = object->size;
      info.version = object->etag;
      return info;
    }
  }
  MF_ASSIGN_OR_RETURN(S3Listing listing, s3->List(where.bucket, DirectoryPrefix(where.key), "", 1));
  info.exists = info.is_directory = !listing.objects.empty();
  return info;
}

Result<VersionedContents> S3FileSystem::ReadVersioned(const std::string& path) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  MF_ASSIGN_OR_RETURN(std::optional<S3ObjectContents> object, s3->GetObject(where));
  VersionedContents result;
  if (!object.has_value()) return result;
  result.exists = true;
  result.contents = std::move(object->body);
  result.token = std::move(object->etag);
  return result;
}

Status S3FileSystem::WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string& token) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  Status put = s3->PutObjectIf(where, contents, token);
  const bool quoted = token.size() >= 2 && token.front() == '"' && token.back() == '"';
  if (put.code() != Status::Code::kConflict || !quoted) return put;
  MF_ASSIGN_OR_RETURN(std::optional<S3ObjectContents> now, s3->GetObject(where));
  if (!now.has_value() || now->etag != token) return put;
  return s3->PutObjectIf(where, contents, token.substr(1, token.size() - 2));
}

Result<std::vector<FileInfo>> S3FileSystem::ListDirectory(const std::string& path) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  const std::string prefix = DirectoryPrefix(where.key);
  MF_ASSIGN_OR_RETURN(S3Listing listing, s3->List(where.bucket, prefix, "/"));
  std::vector<FileInfo> entries;
  for (const S3Object& object : listing.objects) {
    if (object.key == prefix) continue;  // a "folder" marker object
    entries.push_back(FileInfo{S3Location{where.bucket, object.key}.Uri(), true, false, object.size, object.etag});
  }
  for (const std::string& sub : listing.prefixes)
    entries.push_back(FileInfo{S3Location{where.bucket, sub.substr(0, sub.size() - 1)}.Uri(), true, true, 0});
  std::sort(entries.begin(), entries.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return entries;
}

Status S3FileSystem::CreateDirectory(const std::string& path) {
  (void)path;
  return Status::OK();
}

Status S3FileSystem::SyncDirectory(const std::string& path) {
  (void)path;
  return Status::OK();
}

Status S3FileSystem::PublishDirectory(const std::string& staged, const std::string& target) {
  (void)staged;
  return Status::Internal("cannot rename into " + target + ": S3 has no rename");
}

Status S3FileSystem::RemoveAll(const std::string& path) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
  if (where.key.empty()) return Status::InvalidArgument("refusing to empty the whole bucket " + path);
  MF_ASSIGN_OR_RETURN(S3Listing listing, s3->List(where.bucket, DirectoryPrefix(where.key), ""));
  std::vector<std::string> keys;
  for (const S3Object& object : listing.objects) keys.push_back(object.key);
  if (!where.key.ends_with('/')) keys.push_back(where.key);  // DELETE of a missing key is OK
  return DeleteObjects(s3, where.bucket, keys);
}

Status S3FileSystem::RemoveFiles(const std::vector<std::string>& paths) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  std::map<std::string, std::vector<std::string>> keys_by_bucket;
  for (const std::string& path : paths) {
    MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(path));
    if (where.key.empty() || where.key.ends_with('/')) return Status::InvalidArgument(path + " is not a file");
    keys_by_bucket[where.bucket].push_back(where.key);
  }
  for (const auto& [bucket, keys] : keys_by_bucket) MF_RETURN_IF_ERROR(DeleteObjects(s3, bucket, keys));
  return Status::OK();
}

Result<std::vector<FileInfo>> S3FileSystem::Glob(const std::string& pattern) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(pattern));
  const std::string literal = where.key.substr(0, where.key.find_first_of("*?["));
  MF_ASSIGN_OR_RETURN(S3Listing listing, s3->List(where.bucket, literal, ""));
  std::vector<FileInfo> files;
  for (const S3Object& object : listing.objects) {
    if (!object.key.ends_with('/') && fnmatch(where.key.c_str(), object.key.c_str(), FNM_PATHNAME) == 0)
      files.push_back(FileInfo{S3Location{where.bucket, object.key}.Uri(), true, false, object.size, object.etag});
  }
  return files;
}

Result<std::unique_ptr<OutputCommitter>> S3FileSystem::StartOutput(const std::string& target,
                                                                   const std::string& run_id) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  return S3OutputCommitter::Start(s3, target, run_id);
}

Result<size_t> S3FileSystem::ReclaimAbandonedOutput(const std::string& target) {
  MF_ASSIGN_OR_RETURN(S3Client * s3, client());
  return S3OutputCommitter::ReclaimAbandonedUploads(s3, target);
}

Status DeleteObjects(S3Client* client, const std::string& bucket, const std::vector<std::string>& keys) {
  // Plain DELETEs, several at a time (the batch call needs a Content-MD5).
  return RunConcurrently(keys.size(), 16, [&](size_t i) { return client->DeleteObject({bucket, keys[i]}); });
}

}  // namespace mergeflow
