#include "common/thread_pool.h"

#include <sched.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mergeflow {

void RunOnWorkers(int workers, const std::function<void(int)>& body) {
  // An exception must not leave a std::thread (that would end the process):
  // the first one is kept and thrown again here once all workers are done.
  std::mutex mu;
  std::exception_ptr first;
  auto guarded = [&](int worker) {
    try {
      body(worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!first) first = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers > 1 ? workers - 1 : 0);
  for (int w = 1; w < workers; ++w) threads.emplace_back(guarded, w);
  guarded(0);
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

void ParallelFor(size_t n, int workers, const std::function<void(size_t, int)>& body) {
  if (n == 0) return;
  std::atomic<size_t> next{0};
  int used = static_cast<int>(std::min<size_t>(n, static_cast<size_t>(workers)));
  RunOnWorkers(used, [&](int worker) {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) body(i, worker);
  });
}

int DefaultThreadCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace mergeflow
