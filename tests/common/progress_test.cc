#include "common/progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace mergeflow {
namespace {

TEST(ProgressTest, FormatsKnownAndUnknownTotals) {
  EXPECT_EQ(Progress::Format("build (right)", 120'000'000, 240'000'000, 4'900'000, 2.0, false),
            "build (right): 120.0 MB of 240.0 MB (50%), 4.9M rows (2.5M/s), 60.0 MB/s, about 2 s left");
  EXPECT_EQ(Progress::Format("probe (left)", 1500, 0, 12, 0, false), "probe (left): 1.5 kB, 12 rows");
  EXPECT_EQ(Progress::Format("build (left)", 60, 240, 3, 1.0, true),
            "[======                  ] build (left): 60 B of 240 B (25%), 3 rows (3/s), 60 B/s, about 3 s left");
}

TEST(ProgressTest, ReportsPeriodicallyThenAFinalLine) {
  std::mutex mu;
  std::vector<std::string> lines;
  Progress::Options options;
  options.interval = 0.02;
  options.write = [&](const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(text);
  };
  {
    Progress progress(options);
    progress.StartPhase("build (right)", 1000);
    progress.Add(250, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    progress.Add(750, 30);
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_TRUE(lines.front().starts_with("mergeflow: build (right): 250 B of 1.0 kB (25%), 10 rows")) << lines.front();
  EXPECT_TRUE(lines.back().starts_with("mergeflow: build (right): 1.0 kB of 1.0 kB (100%), 40 rows")) << lines.back();
}

TEST(ProgressTest, QuietOrShortPhasesPrintNothing) {
  std::vector<std::string> lines;
  Progress::Options options;
  options.interval = 10;
  options.write = [&](const std::string& text) { lines.push_back(text); };
  {
    Progress progress(options);
    progress.StartPhase("build (right)", 10);
    progress.Add(10, 1);
  }
  EXPECT_TRUE(lines.empty());
  options.enabled = false;
  options.interval = 0.001;
  {
    Progress progress(options);
    progress.StartPhase("build (right)", 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(lines.empty());
}

}  // namespace
}  // namespace mergeflow
