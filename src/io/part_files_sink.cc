#include "io/part_files_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "io/checksummed_file.h"
#include "io/compressing_file.h"

namespace mergeflow {

struct PartFilesSink::Lane {
  PartInfo info;
  std::unique_ptr<WritableFile> file;  // compressing (if asked) into checksummed into the committer's
};

PartFilesSink::PartFilesSink(OutputCommitter* committer, int lanes, std::string header, std::string extension,
                             Compression compression, PartNumbering numbering, std::string directory,
                             ParquetParts parquet)
    : committer_(committer),
      header_(std::move(header)),
      extension_(std::move(extension) + CompressionSuffix(compression)),
      compression_(compression),
      numbering_(numbering),
      directory_(std::move(directory)),
      parquet_(std::move(parquet)) {
  lanes_.resize(lanes);
}

PartFilesSink::~PartFilesSink() = default;

Status PartFilesSink::Open(int lane) {
  auto state = std::make_unique<Lane>();
  char name[64];
  std::snprintf(name, sizeof(name), "%s-%05d.%s", numbering_.prefix.c_str(),
                numbering_.first + lane * numbering_.stride, extension_.c_str());
  state->info.name = directory_.empty() ? std::string(name) : directory_ + "/" + name;
  MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, committer_->CreateFile(state->info.name));
  auto checksummed = std::make_unique<ChecksummedFile>(std::move(file), &state->info);
  state->file = extension_ == "parquet"
                    ? NewParquetTextFile(std::move(checksummed), Dialect{parquet_.separator, true}, parquet_.types,
                                         ParquetOptionsFromEnvironment(parquet_.codec))
                    : NewCompressingFile(std::move(checksummed), compression_);
  MF_RETURN_IF_ERROR(state->file->Append(header_));
  lanes_[lane] = std::move(state);
  return Status::OK();
}

Status PartFilesSink::Write(int lane, std::string_view text, uint64_t rows) {
  if (lanes_[lane] == nullptr) MF_RETURN_IF_ERROR(Open(lane));
  lanes_[lane]->info.rows += rows;
  return lanes_[lane]->file->Append(text);
}

Status PartFilesSink::FinishLane(int lane) {
  if (lane == 0 && numbering_.always_first && lanes_[0] == nullptr && !first_finished_) MF_RETURN_IF_ERROR(Open(0));
  if (lane == 0) first_finished_ = true;
  std::unique_ptr<Lane>& state = lanes_[lane];
  if (state == nullptr) return Status::OK();
  MF_RETURN_IF_ERROR(state->file->Close());
  finished_.push_back(state->info);
  state.reset();
  return Status::OK();
}

Status PartFilesSink::Finish() {
  for (size_t lane = 0; lane < lanes_.size(); ++lane) MF_RETURN_IF_ERROR(FinishLane(static_cast<int>(lane)));
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
