// S3UploadFile: a WritableFile that streams into one S3 object with bounded
// memory: data is cut into parts uploaded in the background (a multipart
// upload) while the writer goes on; a small object is sent with one PUT.
#pragma once

#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/s3/s3_client.h"

namespace mergeflow {

class S3UploadFile : public WritableFile {
 public:
  // With publish_on_close, Close() makes the object visible. Without it the
  // object stays invisible after Close() until Publish(), and Discard()
  // drops it (an output committer's staged part).
  // A `run_id` is stored with the object (see S3Client::CreateMultipartUpload).
  S3UploadFile(S3Client* client, S3Location where, bool publish_on_close, std::string run_id = "");
  ~S3UploadFile() override;

  Status Append(std::string_view data) override;
  // OK: the object becomes durable as a whole when its upload completes.
  Status Sync() override { return Status::OK(); }
  Status Close() override;

  // Makes the object visible. REQUIRES: Close() returned OK.
  Status Publish();
  // Aborts the multipart upload (as the destructor does when the object was
  // never published), if one was started, so that S3 keeps none
  // of its parts. Safe to call more than once and from another thread
  // (an interrupt) while the writer is still appending.
  void Discard();

  const S3Location& where() const { return where_; }

 private:
  // Uploads buffer_ as the next part, in the background.
  Status FlushPart();
  Status WaitForPendingPart();
  size_t PartSize() const;

  S3Client* client_;
  S3Location where_;
  std::string run_id_;
  bool publish_on_close_;
  std::string buffer_;
  std::future<Result<std::string>> pending_;  // the part being uploaded
  std::vector<std::string> etags_;            // of the parts uploaded so far
  bool published_ = false;

  std::mutex mu_;          // guards upload_id_ and discarded_
  std::string upload_id_;  // empty until a first part is due
  bool discarded_ = false;
};

}  // namespace mergeflow
