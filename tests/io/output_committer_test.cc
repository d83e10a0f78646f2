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
  faulty->FailNth(testing::FsOp::kRename, 1, Status::IOError("injected publish failure"));
  {
    auto committer = OutputCommitter::Start("faulty://" + (dir / "out"), "run5").value();
    ASSERT_TRUE(WritePart(committer.get(), "part-00000.tsv", "new\n").ok());
    EXPECT_FALSE(committer->Commit("{}").ok());
  }
  EXPECT_EQ(ReadFile(dir / "out/part-00000.tsv"), "old\n");
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"out"}));
}

// Writes an output of two parts through `committer` and commits it.
Status WriteTwoPartOutput(OutputCommitter* committer) {
  MF_RETURN_IF_ERROR(WritePart(committer, "part-00000.tsv", "new 0\n"));
  MF_RETURN_IF_ERROR(WritePart(committer, "part-00001.tsv", "new 1\n"));
  return committer->Commit("{}");
}

// Every operation the local commit makes, failed in turn (each call of each
// kind): the run fails with one line and the old output stays as it was,
// with nothing else left beside it; or, when the failure falls on a step
// after the publish that only tidies up, the new output is complete.
TEST(OutputCommitterTest, AFaultAtAnyStepLeavesTheOldOrTheNewOutputWhole) {
  using testing::FsOp;
  auto faulty = std::make_shared<FaultyFileSystem>();
  RegisterFileSystem("faulty", faulty);
  int faults = 0;
  for (int op = 0; op < static_cast<int>(FsOp::kCount); ++op) {
    const FsOp kind = static_cast<FsOp>(op);
    // How often a clean commit calls this kind of operation.
    int calls = 0;
    {
      TempDir dir;
      const int before = faulty->Calls(kind);
      auto committer = OutputCommitter::Start("faulty://" + (dir / "out"), "clean").value();
      ASSERT_TRUE(WriteTwoPartOutput(committer.get()).ok());
      calls = faulty->Calls(kind) - before;
    }
    for (int nth = 1; nth <= calls; ++nth) {
      SCOPED_TRACE(std::string(testing::FsOpName(kind)) + " call " + std::to_string(nth));
      ++faults;
      TempDir dir;
      std::filesystem::create_directories(dir / "out");
      WriteFile(dir / "out/part-00000.tsv", "old\n");
      WriteFile(dir / "out/_SUCCESS", "old");
      faulty->FailNth(kind, nth, Status::IOError("injected fault"));
      Status status;
      {
        auto committer = OutputCommitter::Start("faulty://" + (dir / "out"), "faulty");
        status = committer.ok() ? WriteTwoPartOutput(committer.value().get()) : committer.status();
      }
      faulty->FailNth(kind, 1 << 30, Status::OK());
      if (status.ok() || status.message().find("is complete but may not survive a crash") != std::string::npos) {
        EXPECT_EQ(Entries(dir / "out"), (std::vector<std::string>{"_SUCCESS", "part-00000.tsv", "part-00001.tsv"}));
        EXPECT_EQ(ReadFile(dir / "out/part-00001.tsv"), "new 1\n");
      } else {
        EXPECT_NE(status.message().find("injected fault"), std::string::npos) << status.message();
        EXPECT_EQ(status.message().find('\n'), std::string::npos);
        EXPECT_EQ(Entries(dir / "out"), (std::vector<std::string>{"_SUCCESS", "part-00000.tsv"}));
        EXPECT_EQ(ReadFile(dir / "out/part-00000.tsv"), "old\n");
        EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"out"}));
      }
    }
  }
  EXPECT_GE(faults, 10);
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
