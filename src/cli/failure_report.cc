#include "cli/failure_report.h"

#include <cstdio>
#include <cstdlib>

#include "cluster/launcher.h"

namespace mergeflow {

int ReportFailure(const ErrorRecord& record, bool print) {
  if (print) std::fprintf(stderr, "mergeflow: error: %s\n", record.message.c_str());
  if (const char* file = std::getenv(kErrorRecordVariable); file != nullptr && *file != '\0') {
    std::string path = file;
    if (const Launch launch = DetectLaunch(); launch.processes > 1) path += "." + std::to_string(launch.rank);
    WriteErrorRecord(path, record);
  }
  return record.error_class == ErrorClass::kUsage ? 2 : 1;
}

int ReportFailure(const Status& status, bool print) {
  const int code = ReportFailure(ErrorRecord{ClassOf(status), status.message()}, print);
  return status.code() == Status::Code::kInvalidArgument ? 2 : code == 2 ? 1 : code;
}

}  // namespace mergeflow
