#include "io/output_committer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "io/faulty_file_system.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::FaultyFileSystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Status WritePart(OutputCommitter* committer, const std::string& name, const std::string& text) {
  MF_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, committer->CreateFile(name));
  MF_RETURN_IF_ERROR(file->Append(text));
  return file->Close();
}

TEST(OutputCommitterTest, NothingIsVisibleUntilCommit) {
  TempDir dir;
  auto committer = OutputCommitter::Start(dir / "out", "run1").value();
  ASSERT_TRUE(WritePart(committer.get(), "part-00000.tsv", "a\n").ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
  ASSERT_TRUE(committer->Commit("{}\n").ok());
  EXPECT_EQ(Entries(dir / "out"), (std::vector<std::string>{"_SUCCESS", "part-00000.tsv"}));
  EXPECT_EQ(ReadFile(dir / "out/part-00000.tsv"), "a\n");
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"out"}));  // no staging debris
}

TEST(OutputCommitterTest, OverwriteReplacesTheOldOutputWhole) {
  TempDir dir;
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/part-00007.tsv", "old\n");
  WriteFile(dir / "out/_SUCCESS", "old");
  auto committer = OutputCommitter::Start(dir / "out", "run2").value();
  ASSERT_TRUE(WritePart(committer.get(), "part-00000.tsv", "new\n").ok());
  EXPECT_EQ(ReadFile(dir / "out/part-00007.tsv"), "old\n");
  ASSERT_TRUE(committer->Commit("new").ok());
  EXPECT_EQ(Entries(dir / "out"), (std::vector<std::string>{"_SUCCESS", "part-00000.tsv"}));
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"out"}));
}

TEST(OutputCommitterTest, AbandonedRunLeavesTheOldOutputAndNoDebris) {
  TempDir dir;
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/part-00000.tsv", "old\n");
  {
    auto committer = OutputCommitter::Start(dir / "out", "run3").value();
    ASSERT_TRUE(WritePart(committer.get(), "part-00000.tsv", "half").ok());
  }
  EXPECT_EQ(ReadFile(dir / "out/part-00000.tsv"), "old\n");
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"out"}));
}

TEST(OutputCommitterTest, FullDiskFailsCleanly) {
  TempDir dir;
  auto faulty = std::make_shared<FaultyFileSystem>();
  RegisterFileSystem("faulty", faulty);
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/part-00000.tsv", "old\n");
  faulty->fail_after_bytes = 10;
  {
    auto committer = OutputCommitter::Start("faulty://" + (dir / "out"), "run4").value();
    Status written = WritePart(committer.get(), "part-00000.tsv", "more than ten bytes\n");
    ASSERT_FALSE(written.ok());
    EXPECT_NE(written.message().find("No space left on device"), std::string::npos);
  }
  EXPECT_EQ(ReadFile(dir / "out/part-00000.tsv"), "old\n");
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"out"}));
}

TEST(OutputCommitterTest, FailedPublishKeepsTheOldOutput) {
  TempDir dir;
  auto faulty = std::make_shared<FaultyFileSystem>();
  RegisterFileSystem("faulty", faulty);
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/part-00000.tsv", "old\n");
  faulty->fail_publish = true;
  {
    auto committer = OutputCommitter::Start("faulty://" + (dir / "out"), "run5").value();
    ASSERT_TRUE(WritePart(committer.get(), "part-00000.tsv", "new\n").ok());
    EXPECT_FALSE(committer->Commit("{}").ok());
  }
  EXPECT_EQ(ReadFile(dir / "out/part-00000.tsv"), "old\n");
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"out"}));
}

TEST(OutputCommitterTest, RefusesToReplaceAFile) {
  TempDir dir;
  WriteFile(dir / "out", "a file");
  auto committer = OutputCommitter::Start(dir / "out", "run6");
  ASSERT_FALSE(committer.ok());
  EXPECT_NE(committer.status().message().find("not a directory"), std::string::npos);
}

TEST(OutputCommitterTest, CreatesMissingParents) {
  TempDir dir;
  auto committer = OutputCommitter::Start(dir / "a/b/out", "run7").value();
  ASSERT_TRUE(committer->Commit("{}").ok());
  EXPECT_TRUE(std::filesystem::exists(dir / "a/b/out/_SUCCESS"));
}

}  // namespace
}  // namespace mergeflow
