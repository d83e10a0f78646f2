// ChecksummedFile: a WritableFile that counts and hashes the bytes it passes
// on, filling in a PartInfo's size and checksum (as manifests list a part).
#pragma once

#include <xxhash.h>

#include <cstdio>
#include <memory>
#include <string>

#include "io/file_system.h"
#include "io/output_sink.h"

namespace mergeflow {

// Counts and hashes the bytes as stored (after any compression): on Close,
// info->bytes is their number and info->checksum "xxh3-64:<16 hex digits>".
class ChecksummedFile : public WritableFile {
 public:
  ChecksummedFile(std::unique_ptr<WritableFile> file, PartInfo* info)
      : file_(std::move(file)), info_(info), hash_(XXH3_createState()) {
    XXH3_64bits_reset(hash_);
  }
  ~ChecksummedFile() override { XXH3_freeState(hash_); }
  ChecksummedFile(const ChecksummedFile&) = delete;
  ChecksummedFile& operator=(const ChecksummedFile&) = delete;

  Status Append(std::string_view data) override {
    XXH3_64bits_update(hash_, data.data(), data.size());
    info_->bytes += data.size();
    return file_->Append(data);
  }
  Status Sync() override { return file_->Sync(); }
  Status Close() override {
    char digest[32];
    std::snprintf(digest, sizeof(digest), "%016llx", static_cast<unsigned long long>(XXH3_64bits_digest(hash_)));
    info_->checksum = std::string("xxh3-64:") + digest;
    return file_->Close();
  }

 private:
  std::unique_ptr<WritableFile> file_;
  PartInfo* info_;
  XXH3_state_t* hash_;
};

}  // namespace mergeflow
