// Parallel loops over a fixed number of worker threads.
#pragma once

#include <cstddef>
#include <functional>

namespace mergeflow {

// Runs body(worker) on `workers` threads (the caller's thread is worker 0) and
// returns when every call has returned. Bodies pull their own work, usually
// from an atomic counter or a shared queue. An exception thrown by a body
// (std::bad_alloc, say) is thrown again by RunOnWorkers after all bodies
// have returned; with several, the first. REQUIRES: workers >= 1.
void RunOnWorkers(int workers, const std::function<void(int worker)>& body);

// Calls body(i, worker) for every i in [0, n), spreading the indexes over
// `workers` threads dynamically (one index at a time).
void ParallelFor(size_t n, int workers, const std::function<void(size_t i, int worker)>& body);

// The default degree of parallelism: the cores this process may run on.
int DefaultThreadCount();

}  // namespace mergeflow
