#include "io/temp_directory.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_files.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(TempDirectoryTest, MadeFreshAndRemovedWithItsFiles) {
  TempDir parent;
  std::string path;
  {
    auto dir = TempDirectory::Create(parent.path(), "work");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    path = dir.value()->path();
    EXPECT_EQ(path, parent / "work");
    WriteFile(path + "/spilled", "rows");
    EXPECT_TRUE(std::filesystem::is_directory(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(parent.path()));
}

// A name that is taken is an error, and what is there is not this object's
// to remove.
TEST(TempDirectoryTest, NeverRemovesADirectoryItDidNotCreate) {
  TempDir parent;
  std::filesystem::create_directory(parent / "taken");
  WriteFile(parent / "taken/precious", "keep me");
  {
    auto dir = TempDirectory::Create(parent.path(), "taken");
    ASSERT_FALSE(dir.ok());
    EXPECT_EQ(dir.status().message(), "cannot create a temporary directory in " + parent.path() + ": File exists");
  }
  EXPECT_EQ(ReadFile(parent / "taken/precious"), "keep me");
}

}  // namespace
}  // namespace mergeflow
