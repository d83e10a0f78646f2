// S3FileSystem: the FileSystem for "s3://bucket/key" URIs, on AWS S3 or any
// S3-compatible store (see io/s3/aws_config.h for how it is configured).
//
// S3 has no directories: "s3://bucket/prefix" is a directory when objects
// exist under "prefix/". Reads are ranged GETs issued ahead of the reader
// in parallel; writes are multipart uploads (io/s3/s3_upload_file.h); an
// output is committed by completing its uploads (StartOutput).
#pragma once

#include <memory>
#include <mutex>

#include "io/file_system.h"
#include "io/s3/s3_client.h"

namespace mergeflow {

class S3FileSystem : public FileSystem {
 public:
  // Nothing is read from the AWS configuration until the first call.
  explicit S3FileSystem(S3WriteOptions write_options = {});

  Result<std::unique_ptr<RandomAccessFile>> OpenForRandomAccess(const std::string& path) override;
  Result<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path, uint64_t offset) override;
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override;
  Result<FileInfo> GetFileInfo(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDirectory(const std::string& path) override;
  // S3 needs no directories: OK without doing anything.
  Status CreateDirectory(const std::string& path) override;
  // S3 has no directories, and an object is durable once written: OK.
  Status SyncDirectory(const std::string& path) override;
  // Not possible on S3 (no rename); StartOutput commits differently.
  Status PublishDirectory(const std::string& staged, const std::string& target) override;
  Status RemoveAll(const std::string& path) override;
  Status RemoveFiles(const std::vector<std::string>& paths) override;
  // Wildcards may appear anywhere in the key; the bucket is literal.
  Result<std::vector<FileInfo>> Glob(const std::string& pattern) override;
  // The token is the object's ETag.
  Result<VersionedContents> ReadVersioned(const std::string& path) override;
  // Conditional PUTs (S3Client::PutObjectIf). Some stores compare If-Match
  // only with an unquoted ETag: when a PUT with the quoted one is refused
  // although the object still has that ETag, it is sent again unquoted.
  Status WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string& token) override;
  Result<std::unique_ptr<OutputCommitter>> StartOutput(const std::string& target, const std::string& run_id) override;
  // Aborts the uploads killed runs left open under `target` (see
  // io/s3/s3_output_committer.h).
  Result<size_t> ReclaimAbandonedOutput(const std::string& target) override;

  // The client, created from the AWS configuration on first use.
  Result<S3Client*> client();

 private:
  S3WriteOptions write_options_;
  std::once_flag once_;
  std::unique_ptr<S3Client> client_;
  Status client_status_;
};

// Deletes `keys` of `bucket`, several at a time; missing keys are fine.
Status DeleteObjects(S3Client* client, const std::string& bucket, const std::vector<std::string>& keys);

}  // namespace mergeflow
