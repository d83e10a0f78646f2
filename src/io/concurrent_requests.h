// Runs independent requests to a store (S3 requests, file information)
// side by side. They wait on the network or the store, not on cores, so
// each runs on a thread of its own rather than on the workers' thread pool.
#pragma once

#include <cstddef>
#include <functional>

#include "common/status.h"

namespace mergeflow {

// Calls task(0) .. task(count - 1), at most `at_once` at a time, and returns
// once all have ended: OK, or the first failure in index order. Every task
// runs even when an earlier one failed within its batch; later batches are
// not started after a failure.
Status RunConcurrently(size_t count, size_t at_once, const std::function<Status(size_t)>& task);

}  // namespace mergeflow
