// Status: the outcome of an operation that can fail, carried across module
// lines instead of exceptions. A default-constructed Status is OK.
#pragma once

#include <string>
#include <utility>

namespace mergeflow {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // the user's command line is wrong (exit status 2)
    kBadInput,         // the input data is malformed
    kIOError,          // a file or stream could not be read or written
    kNotFound,         // a named file, object or version does not exist
    kCancelled,        // the run was interrupted
    kUntrusted,        // a TLS peer's certificate could not be verified (never worth retrying)
    kConflict,         // another writer changed the thing first (a lost compare-and-swap)
    kInternal,         // a broken invariant inside mergeflow
  };

  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status BadInput(std::string msg) { return Status(Code::kBadInput, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Cancelled(std::string msg) { return Status(Code::kCancelled, std::move(msg)); }
  static Status Untrusted(std::string msg) { return Status(Code::kUntrusted, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The one-line human-readable message (empty for OK).
  const std::string& message() const { return message_; }
  // The same status with `prefix` before its message.
  Status WithPrefix(const std::string& prefix) const { return ok() ? *this : Status(code_, prefix + message_); }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Builds an IOError from errno, "<what>: <strerror(errno)>"; NotFound for
// ENOENT and ENOTDIR.
Status ErrnoStatus(const std::string& what, int err);

// The reason in a message "what: reason", for a message that names another
// thing; all of the message when it has no ": ".
std::string ReasonOf(const Status& status);

}  // namespace mergeflow

#define MF_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::mergeflow::Status mf_status_ = (expr); \
    if (!mf_status_.ok()) return mf_status_; \
  } while (0)
