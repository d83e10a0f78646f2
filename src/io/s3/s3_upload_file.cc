#include "io/s3/s3_upload_file.h"

namespace mergeflow {
namespace {

// Parts of 8 MiB, growing by 8 MiB every 1,000 parts, so that S3's limit of
// 10,000 parts still allows objects of about 430 GiB.
constexpr size_t kBasePartBytes = size_t{8} << 20;
constexpr size_t kPartsPerStep = 1000;

}  // namespace

S3UploadFile::S3UploadFile(S3Client* client, S3Location where, bool publish_on_close, std::string run_id)
    : client_(client), where_(std::move(where)), run_id_(std::move(run_id)), publish_on_close_(publish_on_close) {
  buffer_.reserve(kBasePartBytes);
}

S3UploadFile::~S3UploadFile() {
  if (pending_.valid()) pending_.wait();
  if (!published_) Discard();
}

size_t S3UploadFile::PartSize() const { return kBasePartBytes * (1 + etags_.size() / kPartsPerStep); }

Status S3UploadFile::Append(std::string_view data) {
  while (!data.empty()) {
    const size_t room = PartSize() - buffer_.size();
    const size_t take = std::min(room, data.size());
    buffer_.append(data.data(), take);
    data.remove_prefix(take);
    if (buffer_.size() == PartSize()) MF_RETURN_IF_ERROR(FlushPart());
  }
  return Status::OK();
}

Status S3UploadFile::WaitForPendingPart() {
  if (!pending_.valid()) return Status::OK();
  Result<std::string> etag = pending_.get();
  if (!etag.ok()) return etag.status();
  etags_.push_back(std::move(etag).value());
  return Status::OK();
}

Status S3UploadFile::FlushPart() {
  MF_RETURN_IF_ERROR(WaitForPendingPart());
  std::string upload_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (discarded_) return Status::Cancelled(where_.Uri() + ": upload discarded");
    upload_id = upload_id_;
  }
  if (upload_id.empty()) {
    MF_ASSIGN_OR_RETURN(upload_id, client_->CreateMultipartUpload(where_, run_id_));
    std::lock_guard<std::mutex> lock(mu_);
    upload_id_ = upload_id;
    if (discarded_) return Status::Cancelled(where_.Uri() + ": upload discarded");
  }
  const int part_number = static_cast<int>(etags_.size()) + 1;
  pending_ = std::async(std::launch::async, [this, upload_id, part_number, part = std::move(buffer_)] {
    return client_->UploadPart(where_, upload_id, part_number, part);
  });
  buffer_ = std::string();
  buffer_.reserve(PartSize());
  return Status::OK();
}

Status S3UploadFile::Close() {
  bool multipart;
  {
    std::lock_guard<std::mutex> lock(mu_);
    multipart = !upload_id_.empty();
  }
  if (multipart && !buffer_.empty()) MF_RETURN_IF_ERROR(FlushPart());
  MF_RETURN_IF_ERROR(WaitForPendingPart());
  if (!publish_on_close_) return Status::OK();
  return Publish();
}

Status S3UploadFile::Publish() {
  std::string upload_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (discarded_) return Status::Cancelled(where_.Uri() + ": upload discarded");
    upload_id = upload_id_;
  }
  // An object that never filled a part was kept whole in memory.
  Status status = upload_id.empty() ? client_->PutObject(where_, buffer_)
                                    : client_->CompleteMultipartUpload(where_, upload_id, etags_);
  if (status.ok()) published_ = true;
  return status;
}

void S3UploadFile::Discard() {
  std::string upload_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (discarded_) return;
    discarded_ = true;
    upload_id = upload_id_;
  }
  if (!upload_id.empty()) (void)client_->AbortMultipartUpload(where_, upload_id);
}

}  // namespace mergeflow
