#include "common/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>

namespace mergeflow {
namespace {

TEST(ThreadPoolTest, EveryWorkerRunsOnce) {
  std::atomic<int> mask{0};
  RunOnWorkers(5, [&](int worker) { mask.fetch_or(1 << worker); });
  EXPECT_EQ(mask.load(), 0b11111);
}

// An exception on any worker (out of memory in a large allocation, say)
// reaches the caller once every worker has stopped, instead of ending the
// process through std::terminate.
TEST(ThreadPoolTest, AWorkersExceptionReachesTheCaller) {
  for (int thrower = 0; thrower < 4; ++thrower) {
    std::atomic<int> finished{0};
    EXPECT_THROW(RunOnWorkers(4,
                              [&](int worker) {
                                if (worker == thrower) throw std::bad_alloc();
                                finished.fetch_add(1);
                              }),
                 std::bad_alloc);
    EXPECT_EQ(finished.load(), 3);
  }
  EXPECT_THROW(ParallelFor(100, 3,
                           [](size_t i, int) {
                             if (i == 57) throw std::runtime_error("row 57");
                           }),
               std::runtime_error);
}

}  // namespace
}  // namespace mergeflow
