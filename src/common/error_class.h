// ErrorClass: what kind of failure ended a process, in the terms of a
// pipeline's retry rules (DESIGN.md section 7). A mergeflow process started
// by the pipeline runner hands its failure's class to the runner through a
// small JSON file (the error record), never through the text it prints.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mergeflow {

enum class ErrorClass {
  kTransient,    // I/O, network, S3 5xx or SlowDown, a lost race: worth another try
  kNodeLost,     // a process or rank was killed or lost
  kOutOfMemory,  // an allocation failed
  kTimeout,      // the step ran past its timeout and was stopped
  kBadInput,     // the data is malformed or missing: never retried
  kUsage,        // the command or spec is wrong: never retried
  kFailed,       // anything else (a command's own exit status, an internal error)
};

// The class's name in a pipeline spec and a run record: "transient",
// "node_lost", "out_of_memory", "timeout", "bad_input", "usage", "failed".
std::string_view ErrorClassName(ErrorClass c);
// The class named `name`, or nullopt.
std::optional<ErrorClass> ErrorClassNamed(std::string_view name);

// Whether a retry rule may ever apply (never for bad_input and usage).
bool IsRetryable(ErrorClass c);

// The class of a failed mergeflow status.
ErrorClass ClassOf(const Status& status);

// What a failed process says about its failure.
struct ErrorRecord {
  ErrorClass error_class = ErrorClass::kFailed;
  std::string message;  // the one-line error
};

// The variable naming the file a process writes its error record to. Under
// a launcher each rank writes FILE.RANK instead (ranks share the variable).
inline constexpr char kErrorRecordVariable[] = "MERGEFLOW_ERROR_FILE";

// Writes `record` as file `path`, whole (common/whole_file.h); best effort: a failing process has nothing better to do with an
// error here.
void WriteErrorRecord(const std::string& path, const ErrorRecord& record);

// Reads the error record at `path`; nullopt when there is none or it does
// not parse (a process killed while writing it).
std::optional<ErrorRecord> ReadErrorRecord(const std::string& path);

}  // namespace mergeflow
