#include "io/part_files_sink.h"

#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>

namespace mergeflow {

struct PartFilesSink::Lane {
  std::unique_ptr<WritableFile> file;
  XXH3_state_t* hash = nullptr;
  PartInfo info;

  ~Lane() {
    if (hash != nullptr) XXH3_freeState(hash);
  }
  Status Append(std::string_view text) {
    XXH3_64bits_update(hash, text.data(), text.size());
    info.bytes += text.size();
    return file->Append(text);
  }
};

PartFilesSink::PartFilesSink(OutputCommitter* committer, int lanes, std::string header, std::string extension)
    : committer_(committer), header_(std::move(header)), extension_(std::move(extension)) {
  lanes_.resize(lanes);
}

PartFilesSink::~PartFilesSink() = default;

Status PartFilesSink::Open(int lane) {
  auto state = std::make_unique<Lane>();
  char name[64];
  std::snprintf(name, sizeof(name), "part-%05d.%s", lane, extension_.c_str());
  state->info.name = name;
  MF_ASSIGN_OR_RETURN(state->file, committer_->CreateFile(name));
  state->hash = XXH3_createState();
  XXH3_64bits_reset(state->hash);
  MF_RETURN_IF_ERROR(state->Append(header_));
  lanes_[lane] = std::move(state);
  return Status::OK();
}

Status PartFilesSink::Write(int lane, std::string_view text, uint64_t rows) {
  if (lanes_[lane] == nullptr) MF_RETURN_IF_ERROR(Open(lane));
  lanes_[lane]->info.rows += rows;
  return lanes_[lane]->Append(text);
}

Status PartFilesSink::Finish() {
  if (!lanes_.empty() && lanes_[0] == nullptr) MF_RETURN_IF_ERROR(Open(0));
  for (auto& lane : lanes_) {
    if (lane == nullptr) continue;
    MF_RETURN_IF_ERROR(lane->file->Close());
    char digest[32];
    std::snprintf(digest, sizeof(digest), "%016llx", static_cast<unsigned long long>(XXH3_64bits_digest(lane->hash)));
    lane->info.checksum = std::string("xxh3-64:") + digest;
    finished_.push_back(lane->info);
    lane.reset();
  }
  return Status::OK();
}

std::vector<PartInfo> PartFilesSink::parts() const { return finished_; }

StdoutSink::StdoutSink(std::string header) : header_(std::move(header)) {}

Status StdoutSink::WriteAll(std::string_view text) {
  while (!text.empty()) {
    ssize_t put = write(STDOUT_FILENO, text.data(), text.size());
    if (put < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write to standard output", errno);
    }
    text.remove_prefix(static_cast<size_t>(put));
  }
  return Status::OK();
}

Status StdoutSink::Write(int, std::string_view text, uint64_t) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!header_written_) {
    header_written_ = true;
    MF_RETURN_IF_ERROR(WriteAll(header_));
  }
  return WriteAll(text);
}

Status StdoutSink::Finish() { return Write(0, {}, 0); }

}  // namespace mergeflow
