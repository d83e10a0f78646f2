// The local file system's FileInfo: what a pipeline compares to tell
// whether an input changed.
#include "io/local_file_system.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "test_files.h"

namespace mergeflow {
namespace {

using testing::TempDir;

TEST(LocalFileSystemTest, AFileVersionChangesWithItsContents) {
  TempDir dir;
  LocalFileSystem fs;
  const std::string path = dir / "x.tsv";
  std::ofstream(path) << "id\tv\n1\ta\n";
  const FileInfo first = fs.GetFileInfo(path).value();
  EXPECT_EQ(first.version.substr(0, first.version.find(':')), "9");
  EXPECT_EQ(fs.GetFileInfo(path).value().version, first.version);
  // The same size, other bytes, a moment later (timestamps tick in
  // milliseconds).
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  std::ofstream(path) << "id\tv\n1\tb\n";
  const FileInfo second = fs.GetFileInfo(path).value();
  EXPECT_EQ(second.size, first.size);
  EXPECT_NE(second.version, first.version);
  std::ofstream(path) << "id\tv\n1\tbb\n";
  EXPECT_NE(fs.GetFileInfo(path).value().version, second.version);
  EXPECT_EQ(fs.GetFileInfo(dir.path()).value().version, "");
  const std::vector<FileInfo> listed = fs.ListDirectory(dir.path()).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].version, fs.GetFileInfo(path).value().version);
}

}  // namespace
}  // namespace mergeflow
