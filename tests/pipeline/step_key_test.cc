// Step keys change exactly when what a step depends on changes, and say
// what changed.
#include "pipeline/step_key.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "test_files.h"

namespace mergeflow {
namespace {

using testing::TempDir;

StepKeyParts Parts(const std::string& input, const std::string& how) {
  StepKeyParts parts;
  parts.type = "join";
  parts.options = {{"how", how}, {"on", nlohmann::json::array({"id"})}};
  parts.mergeflow_version = "0.1.0";
  parts.inputs[input] = FingerprintInput(input).value();
  return parts;
}

TEST(StepKeyTest, ChangesWithInputsAndOptionsAndSaysWhy) {
  TempDir dir;
  const std::string x = dir / "x.tsv";
  std::ofstream(x) << "id\tv\n1\ta\n";
  const StepKeyParts first = Parts(x, "inner");
  EXPECT_EQ(first.Key().size(), 64u);
  EXPECT_EQ(Parts(x, "inner").Key(), first.Key());
  EXPECT_EQ(WhyChanged(first, Parts(x, "inner")), "");
  const StepKeyParts left = Parts(x, "left");
  EXPECT_NE(left.Key(), first.Key());
  EXPECT_EQ(WhyChanged(first, left), "option how changed: inner -> left");

  std::ofstream(x) << "id\tv\n1\tab\n";
  const StepKeyParts grown = Parts(x, "inner");
  EXPECT_NE(grown.Key(), first.Key());
  EXPECT_EQ(WhyChanged(first, grown), "input " + x + " changed: size 9 -> 10");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  std::ofstream(x) << "id\tv\n1\tcd\n";
  EXPECT_EQ(WhyChanged(grown, Parts(x, "inner")), "input " + x + " changed: same size, newer or other contents");

  // The parts survive a round trip through the output's _SUCCESS.
  const StepKeyParts back = StepKeyParts::FromJson(nlohmann::json::parse(grown.ToJson().dump())).value();
  EXPECT_EQ(back.Key(), grown.Key());
  EXPECT_FALSE(StepKeyParts::FromJson(nlohmann::json{{"type", "join"}}).ok());
}

TEST(StepKeyTest, ADirectoryInputCountsItsFiles) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  std::ofstream(dir / "in/a.tsv") << "id\n1\n";
  const InputFingerprint one = FingerprintInput(dir / "in").value();
  EXPECT_EQ(one.files, 1u);
  std::ofstream(dir / "in/b.tsv") << "id\n2\n";
  StepKeyParts before, now;
  before.inputs[dir / "in"] = one;
  now.inputs[dir / "in"] = FingerprintInput(dir / "in").value();
  EXPECT_EQ(WhyChanged(before, now), "input " + (dir / "in") + " changed: size 5 -> 2 files, 10 bytes");
}

}  // namespace
}  // namespace mergeflow
