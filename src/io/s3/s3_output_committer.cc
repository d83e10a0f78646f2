#include "io/s3/s3_output_committer.h"

#include <set>

#include "common/interrupt.h"
#include "io/s3/concurrent_requests.h"
#include "io/s3/s3_file_system.h"
#include "io/s3/s3_upload_file.h"

namespace mergeflow {
namespace {

// What CreateFile hands out: the committer keeps the upload itself, to
// publish or discard it after the writer has closed it.
class StagedUpload : public WritableFile {
 public:
  explicit StagedUpload(std::shared_ptr<S3UploadFile> file) : file_(std::move(file)) {}
  Status Append(std::string_view data) override { return file_->Append(data); }
  Status Sync() override { return file_->Sync(); }
  Status Close() override { return file_->Close(); }

 private:
  std::shared_ptr<S3UploadFile> file_;
};

}  // namespace

S3OutputCommitter::S3OutputCommitter(S3Client* client, std::string target, S3Location prefix)
    : client_(client), target_(std::move(target)), prefix_(std::move(prefix)) {}

Result<std::unique_ptr<OutputCommitter>> S3OutputCommitter::Start(S3Client* client, const std::string& target,
                                                                  const std::string& run_id) {
  (void)run_id;  // uploads are private to the run already
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(target));
  while (where.key.ends_with('/')) where.key.pop_back();
  if (where.key.empty())
    return Status::InvalidArgument("output " + target + " is a bucket root; give a prefix such as s3://" +
                                   where.bucket + "/output");
  MF_ASSIGN_OR_RETURN(std::optional<uint64_t> object, client->HeadObject(where));
  if (object) return Status::IOError("output " + target + " exists and is not a directory");
  S3Location prefix{where.bucket, where.key + "/"};
  std::unique_ptr<S3OutputCommitter> committer(new S3OutputCommitter(client, target, std::move(prefix)));
  S3OutputCommitter* self = committer.get();
  committer->cleanup_handle_ = RegisterCleanup([self] { self->DiscardAll(); });
  return std::unique_ptr<OutputCommitter>(std::move(committer));
}

S3OutputCommitter::~S3OutputCommitter() {
  UnregisterCleanup(cleanup_handle_);
  if (!committed_) DiscardAll();
}

void S3OutputCommitter::DiscardAll() {
  std::vector<std::shared_ptr<S3UploadFile>> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files = files_;
  }
  (void)RunConcurrently(files.size(), files.size(), [&](size_t i) {
    files[i]->Discard();
    return Status::OK();
  });
}

Result<std::unique_ptr<WritableFile>> S3OutputCommitter::CreateFile(const std::string& name) {
  auto file = std::make_shared<S3UploadFile>(client_, S3Location{prefix_.bucket, prefix_.key + name}, false);
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_.push_back(file);
  }
  return std::unique_ptr<WritableFile>(std::make_unique<StagedUpload>(std::move(file)));
}

Status S3OutputCommitter::BeginCommit() {
  Status removed;
  RunUninterrupted([&] { removed = client_->DeleteObject({prefix_.bucket, prefix_.key + "_SUCCESS"}); });
  return removed;
}

Status S3OutputCommitter::PublishFiles() {
  std::vector<std::shared_ptr<S3UploadFile>> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files = files_;
  }
  Status published;
  RunUninterrupted([&] {
    published = RunConcurrently(files.size(), files.size(), [&](size_t i) { return files[i]->Publish(); });
    if (published.ok()) committed_ = true;
  });
  return published;
}

std::vector<std::string> S3OutputCommitter::file_names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& file : files_) names.push_back(file->where().key.substr(prefix_.key.size()));
  return names;
}

Status S3OutputCommitter::FinishCommit(const std::string& success_contents,
                                       const std::vector<std::string>& all_files) {
  Status finished;
  RunUninterrupted([&] {
    finished = [&]() -> Status {
      MF_ASSIGN_OR_RETURN(S3Listing now, client_->List(prefix_.bucket, prefix_.key, ""));
      const std::set<std::string> keep(all_files.begin(), all_files.end());
      std::vector<std::string> stale;
      for (const S3Object& object : now.objects) {
        const std::string name = object.key.substr(prefix_.key.size());
        if (!keep.count(name) && name != "_SUCCESS") stale.push_back(object.key);
      }
      MF_RETURN_IF_ERROR(DeleteObjects(client_, prefix_.bucket, stale));
      return client_->PutObject({prefix_.bucket, prefix_.key + "_SUCCESS"}, success_contents);
    }();
  });
  return finished;
}

}  // namespace mergeflow
