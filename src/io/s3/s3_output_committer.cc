#include "io/s3/s3_output_committer.h"

#include <set>

#include "common/interrupt.h"
#include "common/notice.h"
#include "io/concurrent_requests.h"
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

S3OutputCommitter::S3OutputCommitter(S3Client* client, std::string target, S3Location prefix, std::string run_id)
    : client_(client), target_(std::move(target)), prefix_(std::move(prefix)), run_id_(std::move(run_id)) {}

namespace {

// Markers of runs writing s3://b/dir/name sit beside it, named
// s3://b/dir/.name.mergeflow-run-RUN_ID.owner-*.
std::string MarkerPrefix(const S3Location& where) { return "." + SplitParent(where.key).second + ".mergeflow-run-"; }
std::string MarkerDir(const S3Location& where) {
  const size_t slash = where.key.rfind('/');
  return S3Location{where.bucket, slash == std::string::npos ? "" : where.key.substr(0, slash)}.Uri();
}

}  // namespace

Result<size_t> S3OutputCommitter::ReclaimAbandonedUploads(S3Client* client, const std::string& target) {
  // Markers go through the registered file system (which may wrap S3's).
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(target));
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(target));
  while (where.key.ends_with('/')) where.key.pop_back();
  if (where.key.empty()) return Status::InvalidArgument("output " + target + " is a bucket root");
  const S3Location prefix{where.bucket, where.key + "/"};
  const std::string dir = MarkerDir(where);
  const std::string marker_prefix = MarkerPrefix(where);
  // One reading of the markers: stale ones go, and whether a live run remains.
  MF_ASSIGN_OR_RETURN(Reclaimed reclaimed,
                      ::mergeflow::ReclaimAbandoned(fs, dir, marker_prefix,
                                                    [](const std::string&, const RunMarker&) { return Status::OK(); }));
  size_t count = reclaimed.count;
  if (!reclaimed.live_remains) {
    // No run is writing this output: its open uploads were left by killed runs.
    MF_ASSIGN_OR_RETURN(std::vector<S3OpenUpload> uploads, client->ListMultipartUploads(prefix.bucket, prefix.key));
    MF_RETURN_IF_ERROR(RunConcurrently(uploads.size(), 16, [&](size_t i) {
      return client->AbortMultipartUpload({prefix.bucket, uploads[i].key}, uploads[i].upload_id);
    }));
    if (!uploads.empty()) {
      Notice("aborted " + std::to_string(uploads.size()) + " upload(s) under " + target + " left open by killed runs");
      ++count;
    }
  }
  return count;
}

Result<std::unique_ptr<OutputCommitter>> S3OutputCommitter::Start(S3Client* client, const std::string& target,
                                                                  const std::string& run_id) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(target));
  MF_ASSIGN_OR_RETURN(S3Location where, ParseS3Uri(target));
  while (where.key.ends_with('/')) where.key.pop_back();
  if (where.key.empty())
    return Status::InvalidArgument("output " + target + " is a bucket root; give a prefix such as s3://" +
                                   where.bucket + "/output");
  MF_ASSIGN_OR_RETURN(std::optional<S3Object> object, client->HeadObject(where));
  if (object) return Status::IOError("output " + target + " exists and is not a directory");
  S3Location prefix{where.bucket, where.key + "/"};
  MF_RETURN_IF_ERROR(ReclaimAbandonedUploads(client, target).status_or_ok());
  // The marker goes up before the first upload starts.
  MF_ASSIGN_OR_RETURN(std::unique_ptr<RunMarkerFile> marker,
                      RunMarkerFile::Create(fs, JoinPath(MarkerDir(where), MarkerPrefix(where) + run_id), run_id));
  std::unique_ptr<S3OutputCommitter> committer(new S3OutputCommitter(client, target, std::move(prefix), run_id));
  committer->marker_ = std::move(marker);
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
  auto file = std::make_shared<S3UploadFile>(client_, S3Location{prefix_.bucket, prefix_.key + name}, false, run_id_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_.push_back(file);
  }
  return std::unique_ptr<WritableFile>(std::make_unique<StagedUpload>(std::move(file)));
}

Status S3OutputCommitter::RetractOldOutput() {
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
