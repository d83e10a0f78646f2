#include "pipeline/step_log.h"

#include <cerrno>

namespace mergeflow {
namespace {

// A line longer than this is written in pieces (each redacted on its own).
constexpr size_t kLongestHeldLine = size_t{1} << 20;

bool IsLocal(const std::string& uri) { return UriScheme(uri).empty(); }

}  // namespace

Result<std::unique_ptr<StepLog>> StepLog::Open(const std::string& uri, const std::string& spool,
                                               const SecretRedactor* redactor, double upload_seconds) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(uri));
  const std::string file = IsLocal(uri) ? uri : spool;
  std::FILE* out = std::fopen(file.c_str(), "w");
  if (out == nullptr) return ErrnoStatus("cannot write step log " + file, errno);
  std::unique_ptr<StepLog> log(new StepLog(uri, fs, file, out, redactor, upload_seconds));
  MF_RETURN_IF_ERROR(log->Upload());  // an empty log at once: the attempt has begun
  return log;
}

StepLog::StepLog(std::string uri, FileSystem* fs, std::string file, std::FILE* out, const SecretRedactor* redactor,
                 double upload_seconds)
    : uri_(std::move(uri)),
      fs_(fs),
      file_(std::move(file)),
      out_(out),
      redactor_(redactor),
      upload_seconds_(upload_seconds),
      last_upload_(std::chrono::steady_clock::now()) {}

StepLog::~StepLog() {
  if (out_ != nullptr) std::fclose(out_);
}

void StepLog::Emit(std::string_view text) {
  const std::string clean = redactor_->Redact(text);
  std::fwrite(clean.data(), 1, clean.size(), out_);
  const size_t end = clean.find_last_not_of("\r\n");
  if (end == std::string::npos) return;
  const size_t newline = clean.find_last_of('\n', end);
  const size_t start = newline == std::string::npos ? 0 : newline + 1;
  last_line_ = clean.substr(start, end + 1 - start);
}

void StepLog::Append(std::string_view bytes) {
  pending_.append(bytes);
  const size_t newline = pending_.rfind('\n');
  if (newline != std::string::npos) {
    Emit(std::string_view(pending_).substr(0, newline + 1));
    pending_.erase(0, newline + 1);
  }
  if (pending_.size() > kLongestHeldLine) {
    Emit(pending_);
    pending_.clear();
  }
  std::fflush(out_);
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_upload_).count() >= upload_seconds_) (void)Upload();
}

void StepLog::Note(const std::string& line) { Append(line + "\n"); }

Status StepLog::Upload() {
  last_upload_ = std::chrono::steady_clock::now();
  std::fflush(out_);
  if (IsLocal(uri_)) return Status::OK();
  MF_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(RegisteredFileSystem("").get(), file_));
  return WriteWholeFile(fs_, uri_, text);
}

Status StepLog::Close() {
  if (!pending_.empty()) Emit(pending_);
  pending_.clear();
  Status uploaded = Upload();
  if (std::fclose(out_) != 0 && uploaded.ok()) uploaded = ErrnoStatus("cannot write step log " + file_, errno);
  out_ = nullptr;
  return uploaded;
}

}  // namespace mergeflow
