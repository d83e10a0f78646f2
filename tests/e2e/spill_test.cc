// End-to-end tests of joins larger than their memory limit: the spilled
// (grace) join must give exactly the rows of the in-memory join.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/cli_runner.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunMergeflow;
using testing::RunScript;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> SortedDataRows(const std::string& dir) {
  std::vector<std::string> rows;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name[0] == '_') continue;
    std::stringstream in(ReadFile(entry.path().string()));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) rows.push_back(line);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// CSV sides of `rows` rows each: keys drawn from a small space (so every
// key repeats), about 1 in 50 empty, values that need quoting.
void WriteSides(const TempDir& dir, int rows) {
  std::string left = "id,v,w\n", right = "id,x\n";
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  for (int i = 0; i < rows; ++i) {
    const uint64_t a = next() % 30000, b = next() % 35000;
    left += (a % 50 == 0 ? std::string() : "k" + std::to_string(a)) + ",\"v,\"\"" + std::to_string(i) + "\"," +
            std::to_string(next() % 1000) + "\n";
    right += (b % 50 == 0 ? std::string() : "k" + std::to_string(b)) + ",x" + std::to_string(i) + "\n";
  }
  WriteFile(dir / "l.csv", left);
  WriteFile(dir / "r.csv", right);
}

// Joins l.csv with r.csv in memory, then as `mergeflow join ARGS --how HOW
// -o spill` (args that make it spill), expects the same rows from both and
// returns the spilled run's manifest.
nlohmann::json ExpectSpilledRowsEqualInMemory(const TempDir& dir, const std::string& how, const std::string& args) {
  auto in_memory = RunMergeflow(dir, "join l.csv r.csv -q --how " + how + " -o mem");
  EXPECT_EQ(in_memory.exit_code, 0) << in_memory.err;
  auto spilled = RunMergeflow(dir, "join " + args + " -q --how " + how + " -o spill");
  EXPECT_EQ(spilled.exit_code, 0) << how << ": " << spilled.err;
  if (spilled.exit_code != 0) return nlohmann::json::object();
  const auto expected = SortedDataRows(dir / "mem");
  EXPECT_FALSE(expected.empty()) << how;
  EXPECT_EQ(SortedDataRows(dir / "spill"), expected) << how;
  auto manifest = nlohmann::json::parse(ReadFile(dir / "spill/_SUCCESS"));
  std::filesystem::remove_all(dir / "mem");
  std::filesystem::remove_all(dir / "spill");
  return manifest;
}

TEST(SpillTest, EveryJoinTypeGivesTheInMemoryRows) {
  TempDir dir;
  WriteSides(dir, 120000);
  std::filesystem::create_directories(dir / "tmp");
  for (const std::string how : {"inner", "left", "right", "outer", "semi", "anti"}) {
    auto manifest =
        ExpectSpilledRowsEqualInMemory(dir, how, "l.csv r.csv --memory-limit 8M --chunk-size 64K --temp-dir tmp");
    EXPECT_GE(manifest["memory"]["spill_partitions"].get<int>(), 2) << how;
    EXPECT_GT(manifest["memory"]["spilled_bytes"].get<uint64_t>(), 0u) << how;
    EXPECT_EQ(manifest["memory"]["limit_bytes"], 8 << 20);
    EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp")) << how << ": temporary files left behind";
  }
}

TEST(SpillTest, EverySpillCompressionGivesTheInMemoryRowsAndLz4AndZstdStoreLess) {
  TempDir dir;
  WriteSides(dir, 120000);
  std::map<std::string, uint64_t> stored;
  for (const std::string codec : {"none", "lz4", "zstd"}) {
    auto manifest = ExpectSpilledRowsEqualInMemory(
        dir, "outer", "l.csv r.csv --memory-limit 8M --chunk-size 64K --spill-compression " + codec);
    stored[codec] = manifest["memory"]["spilled_bytes"].get<uint64_t>();
    EXPECT_GE(manifest["memory"]["spill_partitions"].get<int>(), 2) << codec;
  }
  EXPECT_LT(stored["lz4"], stored["none"] * 3 / 4);
  EXPECT_LT(stored["zstd"], stored["lz4"]);
  auto bad = RunMergeflow(dir, "join l.csv r.csv --spill-compression snappy");
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(SpillTest, AHeavyKeyIsJoinedInBlocks) {
  TempDir dir;
  // The right (smaller, so build) side holds 200k rows of one key: its spill
  // partition alone is a few times the memory limit.
  std::string left = "id,v\n", right = "id,w\n";
  for (int i = 0; i < 400000; ++i) left += "k" + std::to_string(i % 40000) + ",l" + std::to_string(i) + "\n";
  for (int i = 0; i < 3; ++i) left += "hot,lh" + std::to_string(i) + "\n";
  for (int i = 0; i < 300000; ++i) right += (i % 3 != 0 ? std::string("hot") : "k" + std::to_string(i)) + ",r\n";
  WriteFile(dir / "l.csv", left);
  WriteFile(dir / "r.csv", right);
  for (const std::string how : {"inner", "left", "right", "outer", "semi", "anti"}) {
    auto manifest = ExpectSpilledRowsEqualInMemory(dir, how, "l.csv r.csv --memory-limit 8M --chunk-size 64K");
    EXPECT_EQ(manifest["join"]["build_side"], "right");
    EXPECT_GE(manifest["memory"]["spill_partitions"].get<int>(), 2) << how;
    EXPECT_GE(manifest["memory"]["partitions_in_blocks"].get<int>(), 1) << how;
  }
}

TEST(SpillTest, NullKeysEqualAlsoSpills) {
  TempDir dir;
  WriteSides(dir, 120000);
  // Anti: with --null-keys-equal, left rows with an empty key are matched.
  auto in_memory = RunMergeflow(dir, "join l.csv r.csv -q --how anti --null-keys-equal -o mem");
  auto spilled = RunMergeflow(dir, "join l.csv r.csv -q --how anti --null-keys-equal -o spill --memory-limit 8M "
                                   "--chunk-size 64K");
  ASSERT_EQ(spilled.exit_code, 0) << spilled.err;
  EXPECT_EQ(SortedDataRows(dir / "spill"), SortedDataRows(dir / "mem"));
  auto nulls_unequal = RunMergeflow(dir, "join l.csv r.csv -q --how anti -o anti --memory-limit 8M --chunk-size 64K");
  EXPECT_GT(SortedDataRows(dir / "anti").size(), SortedDataRows(dir / "mem").size());
}

TEST(SpillTest, FullTemporaryDiskIsOneLineAndLeavesNothing) {
  TempDir dir;
  WriteSides(dir, 120000);
  std::filesystem::create_directories(dir / "tmp");
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/_SUCCESS", "old");
  // A file size limit makes the spill writes fail as a full disk would.
  const int code = RunScript(dir, R"(trap '' XFSZ; ulimit -f 20
    "$MERGEFLOW" join l.csv r.csv -q -o out --memory-limit 8M --chunk-size 64K --temp-dir tmp 2> err)");
  EXPECT_EQ(code, 1);
  const std::string err = ReadFile(dir / "err");
  EXPECT_TRUE(err.starts_with("mergeflow: error: cannot write temporary file ")) << err;
  EXPECT_NE(err.find(": File too large\n"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp"));
  EXPECT_EQ(ReadFile(dir / "out/_SUCCESS"), "old");
}

TEST(SpillTest, InterruptedSpillRemovesItsTemporaryFiles) {
  TempDir dir;
  std::filesystem::create_directories(dir / "tmp");
  const std::string gen = (std::filesystem::path(MERGEFLOW_BINARY).parent_path() / "mergeflow-gen").string();
  // Big enough that partitioning to disk takes a while; SIGTERM comes as
  // soon as the spill directory shows up.
  const int code = RunScript(dir, "GEN='" + gen + R"SH('
    "$GEN" --rows 3000000 --seed 1 -o l.tsv && "$GEN" --rows 3000000 --seed 2 -o r.tsv || exit 91
    "$MERGEFLOW" join l.tsv r.tsv -q -o out --memory-limit 64M --temp-dir tmp 2> err &
    pid=$!
    for i in $(seq 1 400); do [ -n "$(ls tmp)" ] && break; sleep 0.01; done
    [ -n "$(ls tmp)" ] || exit 90
    kill -TERM $pid
    wait $pid
  )SH");
  EXPECT_EQ(code, 143);
  EXPECT_EQ(ReadFile(dir / "err"), "mergeflow: error: interrupted; output left unchanged\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(SpillTest, PipedInputsSpillToo) {
  TempDir dir;
  WriteSides(dir, 120000);
  // Semi and anti joins build the right side: here it comes from a pipe, so
  // its size is unknown and it is spilled into a fixed number of partitions.
  for (const std::string how : {"semi", "anti", "inner"}) {
    auto manifest =
        ExpectSpilledRowsEqualInMemory(dir, how, "l.csv - --sep , --memory-limit 8M --chunk-size 64K < r.csv");
    if (how != "inner") {
      EXPECT_EQ(manifest["memory"]["spill_partitions"], 64) << how;
    }
  }
}

TEST(SpillTest, OrderLeftThatCannotFitSaysSo) {
  TempDir dir;
  WriteSides(dir, 120000);
  auto r = RunMergeflow(dir, "join l.csv r.csv -q --order left --memory-limit 8M --chunk-size 64K");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("mergeflow: error: --order left needs the right side in memory")) << r.err;
}

TEST(SpillTest, TooSmallALimitSaysWhatWouldDo) {
  TempDir dir;
  WriteSides(dir, 120000);
  auto r = RunMergeflow(dir, "join l.csv r.csv -q --memory-limit 1M");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("mergeflow: error: --memory-limit 1 MiB is too small; give at least ")) << r.err;
}

}  // namespace
}  // namespace mergeflow
