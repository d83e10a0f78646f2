// How a mergeflow process reports the failure that ends it: one line on
// standard error for the user, and an error record (common/error_class.h)
// for the pipeline runner when it started this process.
#pragma once

#include <string>

#include "common/error_class.h"
#include "common/status.h"

namespace mergeflow {

// Prints "mergeflow: error: MESSAGE" (unless `print` is false: a line
// already printed) and writes the record for the runner, when there is one
// (under a launcher, each rank its own). Returns the exit status: 2 for
// usage errors, 1 for the rest.
int ReportFailure(const ErrorRecord& record, bool print = true);

// The same for a failed status (its class from ClassOf); exit status 2 only
// for InvalidArgument.
int ReportFailure(const Status& status, bool print = true);

}  // namespace mergeflow
