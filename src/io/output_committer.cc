#include "io/output_committer.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "common/interrupt.h"
#include "io/run_marker_file.h"

namespace mergeflow {

std::string NewRunId() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", rd());
  return std::string(stamp) + "-" + suffix;
}

namespace {

// Names a staged file in an error as it will be named once published:
// "cannot write OUT/part-00000.tsv", not the hidden staging path.
Status InTargetTerms(Status status, const std::string& staging, const std::string& target) {
  if (status.ok()) return status;
  std::string message = status.message();
  const size_t at = message.find(staging);
  if (at != std::string::npos) message.replace(at, staging.size(), target);
  return Status::IOError(message);
}

class StagedFile : public WritableFile {
 public:
  StagedFile(std::unique_ptr<WritableFile> file, const std::string* staging, const std::string* target)
      : file_(std::move(file)), staging_(staging), target_(target) {}
  Status Append(std::string_view data) override { return InTargetTerms(file_->Append(data), *staging_, *target_); }
  Status Sync() override { return InTargetTerms(file_->Sync(), *staging_, *target_); }
  // A staged file is durable once closed, so that a published output never
  // holds a part that a crash of the machine could still empty.
  Status Close() override {
    MF_RETURN_IF_ERROR(Sync());
    return InTargetTerms(file_->Close(), *staging_, *target_);
  }

 private:
  std::unique_ptr<WritableFile> file_;
  const std::string* staging_;
  const std::string* target_;
};

}  // namespace

Result<std::unique_ptr<OutputCommitter>> OutputCommitter::Start(const std::string& target, const std::string& run_id) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(target));
  return fs->StartOutput(target, run_id);
}

Result<std::unique_ptr<OutputCommitter>> FileSystem::StartOutput(const std::string& target, const std::string& run_id) {
  return StagedDirectoryCommitter::Start(this, target, run_id);
}

Result<size_t> FileSystem::ReclaimAbandonedOutput(const std::string& target) {
  return StagedDirectoryCommitter::ReclaimAbandoned(this, target);
}

Result<size_t> OutputCommitter::ReclaimAbandoned(const std::string& target) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(target));
  return fs->ReclaimAbandonedOutput(target);
}

namespace {

std::string StagingPrefix(const std::string& target) { return "." + SplitParent(target).second + ".mergeflow-staging-"; }

}  // namespace

Result<size_t> StagedDirectoryCommitter::ReclaimAbandoned(FileSystem* fs, const std::string& target) {
  MF_ASSIGN_OR_RETURN(Reclaimed reclaimed,
                      ::mergeflow::ReclaimAbandoned(fs, SplitParent(target).first, StagingPrefix(target),
                                                    [fs](const std::string& owned, const RunMarker&) {
                                                      return fs->RemoveAll(owned);
                                                    }));
  return reclaimed.count;
}

StagedDirectoryCommitter::StagedDirectoryCommitter(FileSystem* fs, std::string target, std::string staging)
    : fs_(fs), target_(std::move(target)), staging_(std::move(staging)) {}

Result<std::unique_ptr<OutputCommitter>> StagedDirectoryCommitter::Start(FileSystem* fs, const std::string& target,
                                                                         const std::string& run_id) {
  MF_ASSIGN_OR_RETURN(FileInfo info, fs->GetFileInfo(target));
  if (info.exists && !info.is_directory)
    return Status::IOError("output " + target + " exists and is not a directory");
  auto [parent, name] = SplitParent(target);
  MF_RETURN_IF_ERROR(CreateDirectories(fs, parent).WithPrefix("cannot create output " + target + ": "));
  const auto failed = [&](const Status& status) {
    return Status::IOError("cannot create output " + target + ": " + ReasonOf(status));
  };
  // Staging directories of killed runs for this output go first.
  Result<size_t> reclaimed = fs->ReclaimAbandonedOutput(target);
  if (!reclaimed.ok()) return failed(reclaimed.status());

  const std::string staging = JoinPath(parent, StagingPrefix(target) + run_id);
  // The staging directory, marked, and removed if the run is interrupted;
  // never a directory this run did not create.
  Result<MarkedDirectory> made =
      CreateMarkedDirectory(fs, staging, run_id, [fs, staging] { (void)fs->RemoveAll(staging); });
  if (!made.ok()) return failed(made.status());
  std::unique_ptr<StagedDirectoryCommitter> committer(new StagedDirectoryCommitter(fs, target, staging));
  committer->marker_ = std::move(made.value().marker);
  committer->cleanup_handle_ = made.value().cleanup_handle;
  return std::unique_ptr<OutputCommitter>(std::move(committer));
}

StagedDirectoryCommitter::~StagedDirectoryCommitter() {
  // One step, as the interrupt cleanup would do the same removal.
  RunUninterrupted([&] {
    if (!committed_) RemoveStaging();
    UnregisterCleanup(cleanup_handle_);
  });
}

void StagedDirectoryCommitter::RemoveStaging() {
  if (!fs_->RemoveAll(staging_).ok() && marker_ != nullptr) marker_->Keep();
}

Result<std::unique_ptr<WritableFile>> StagedDirectoryCommitter::CreateFile(const std::string& name) {
  if (name != "_SUCCESS") {
    std::lock_guard<std::mutex> lock(names_mu_);
    names_.push_back(name);
  }
  const size_t slash = name.rfind('/');
  if (slash != std::string::npos) {
    Status made = CreateDirectories(fs_, JoinPath(staging_, name.substr(0, slash)));
    if (!made.ok()) return InTargetTerms(made, staging_, target_);
  }
  auto file = fs_->OpenForWrite(JoinPath(staging_, name));
  if (!file.ok()) return InTargetTerms(file.status(), staging_, target_);
  return std::unique_ptr<WritableFile>(std::make_unique<StagedFile>(std::move(file).value(), &staging_, &target_));
}

Status OutputCommitter::BeginCommit() {
  if (StopRequested()) return Interrupted();
  return RetractOldOutput();
}

Status OutputCommitter::Commit(const std::string& success_contents) {
  MF_RETURN_IF_ERROR(BeginCommit());
  MF_RETURN_IF_ERROR(PublishFiles());
  return FinishCommit(success_contents, file_names());
}

Status StagedDirectoryCommitter::PublishFiles() {
  committed_ = true;  // the leader's committer removes the staging directory if need be
  return Status::OK();
}

std::vector<std::string> StagedDirectoryCommitter::file_names() const {
  std::lock_guard<std::mutex> lock(names_mu_);
  return names_;
}

Status StagedDirectoryCommitter::FinishCommit(const std::string& success_contents, const std::vector<std::string>&) {
  committed_ = false;  // until published, the staging directory is this committer's to remove
  {
    MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> success, CreateFile("_SUCCESS"));
    MF_RETURN_IF_ERROR(success->Append(success_contents));
    MF_RETURN_IF_ERROR(success->Close());
  }
  // Durable before it is visible: the parts were synced as they closed; the
  // staging directory's entries now, and the parent's after the rename.
  MF_RETURN_IF_ERROR(InTargetTerms(fs_->SyncDirectory(staging_), staging_, target_));
  Status published;
  RunUninterrupted([&] {
    published = fs_->PublishDirectory(staging_, target_);
    if (published.ok()) committed_ = true;
  });
  MF_RETURN_IF_ERROR(published);
  const Status synced = fs_->SyncDirectory(SplitParent(target_).first);
  if (!synced.ok())
    return Status::IOError("output " + target_ + " is complete but may not survive a crash: " + ReasonOf(synced));
  // The staging path now holds the replaced output, if there was one.
  RemoveStaging();
  marker_.reset();
  return Status::OK();
}

}  // namespace mergeflow
