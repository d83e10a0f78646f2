#include "common/first_error.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace mergeflow {
namespace {

// Workers fail while another thread reads the first failure, as the MPI
// exchange does: the reader sees OK or the first message, whole (the
// ThreadSanitizer build checks that no read races a write).
TEST(FirstErrorTest, ReadWhileOthersFail) {
  for (int round = 0; round < 20; ++round) {
    FirstError error;
    std::vector<std::thread> failing;
    for (int t = 0; t < 4; ++t) {
      failing.emplace_back([&error, t] {
        for (int i = 0; i < 50; ++i)
          error.Set(Status::IOError("worker " + std::to_string(t) + " failed, round " + std::to_string(i)));
      });
    }
    std::string seen;
    while (!error.set() || seen.empty()) {
      const Status status = error.status();
      if (!status.ok()) seen = status.message();
    }
    for (auto& t : failing) t.join();
    EXPECT_EQ(seen, error.status().message());
    EXPECT_TRUE(seen.ends_with("failed, round 0")) << seen;
  }
}

}  // namespace
}  // namespace mergeflow
