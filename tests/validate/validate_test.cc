// `mergeflow validate`: each rule, what it says when broken, and a unique
// key checked in pieces on disk when its hashes outgrow the memory limit.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e/cli_runner.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::RunMergeflow;
using testing::RunResult;
using testing::TempDir;
using testing::WriteFile;

TEST(ValidateTest, EachRuleSaysWhatItFound) {
  TempDir dir;
  WriteFile(dir / "v.tsv", "id\tc\n1\ta\n2\t\n1\tb\n");
  WriteFile(dir / "other.tsv", "id\n1\n2\n");
  const std::pair<const char*, const char*> cases[] = {
      {"--min-rows 5", "min_rows: v.tsv has 3 rows, fewer than 5"},
      {"--max_rows 1", "max_rows: v.tsv has 3 rows, more than 1"},
      {"--columns id,x,y", "columns: v.tsv has no column x, y (it has id, c)"},
      {"--not-empty id,c", "v.tsv:3: not_empty: column c is empty"},
      {"--unique id", "unique [id]: v.tsv:4 repeats the key of v.tsv:2"},
      {"--expect-rows-equal other.tsv", "expect_rows_equal: v.tsv has 3 rows, other.tsv has 2"},
  };
  for (const auto& [rule, message] : cases) {
    RunResult r = RunMergeflow(dir, "validate v.tsv " + std::string(rule));
    EXPECT_EQ(r.exit_code, 1) << rule;
    EXPECT_EQ(r.err, "mergeflow: error: " + std::string(message) + "\n") << rule;
  }
  RunResult r = RunMergeflow(dir, "validate v.tsv --unique nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "mergeflow: error: unique: no column 'nope' in v.tsv\n");
  r = RunMergeflow(dir, "validate v.tsv --min-rows 3 --max-rows 3 --columns id,c --not-empty id --unique id,c");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "v.tsv: valid, 3 rows, 2 columns\n");
  r = RunMergeflow(dir, "validate v.tsv --expect_rows_equal v.tsv");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ValidateTest, AKeyOutgrowingMemoryIsCheckedInPiecesOnDisk) {
  TempDir dir;
  std::string rows = "k\tn\n";
  for (int i = 0; i < 30000; ++i) rows += std::to_string(i * 7919 % 100003) + "\t" + std::to_string(i) + "\n";
  WriteFile(dir / "a.tsv", rows);
  std::filesystem::create_directory(dir / "tmp");
  // 1 byte of memory: the floor of 1024 hashes, so about 30 spills.
  RunResult r = RunMergeflow(dir, "validate a.tsv --unique k --memory-limit 1 --temp-dir tmp");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp"));
  // A repeat far from its first, in another part file of a directory.
  std::filesystem::create_directory(dir / "parts");
  std::filesystem::copy_file(dir / "a.tsv", dir / "parts/part-0.tsv");
  WriteFile(dir / "parts/part-1.tsv", "k\tn\n100002\tx\n" + std::to_string(29999 * 7919 % 100003) + "\ty\n");
  r = RunMergeflow(dir, "validate parts --unique k --memory-limit 1 --temp-dir tmp");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mergeflow: error: unique [k]: parts/part-1.tsv:3 repeats the key of parts/part-0.tsv:30001\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp"));
}

}  // namespace
}  // namespace mergeflow
