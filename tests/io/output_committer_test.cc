#include "io/output_committer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/notice.h"
#include "common/run_owner.h"
#include "io/faulty_file_system.h"
#include "test_files.h"

namespace mergeflow {
namespace {


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
  {
    auto committer = OutputCommitter::Start("faulty://" + (dir / "out"), "run4").value();
    faulty->fail_after_bytes = 10;
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
  faulty->FailNth(FsOp::kRename, 1, Status::IOError("injected publish failure"));
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
      SCOPED_TRACE(std::string(FsOpName(kind)) + " call " + std::to_string(nth));
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
        // A marker whose removal failed stays until a later run finds its
        // process gone; nothing else may stay.
        std::vector<std::string> left = Entries(dir.path());
        if (kind == FsOp::kRemove)
          std::erase_if(left, [](const std::string& name) { return name.find(".owner-") != std::string::npos; });
        EXPECT_EQ(left, (std::vector<std::string>{"out"}));
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

namespace mergeflow {
namespace {

// Writes a marker of `owned` as a run with `owner` would have, last alive
// at `heartbeat`.
void WriteMarker(const std::string& owned, const RunOwner& owner, int64_t heartbeat, const std::string& tag) {
  RunMarker marker{owned, "killed-run", owner, heartbeat};
  WriteFile(owned + ".owner-" + tag, marker.ToJson());
}

// What killed runs left beside an output is removed by the next run for
// it, with one line each; what live runs (this process; another machine's
// run with a fresh heartbeat) use is left alone.
TEST(OutputCommitterTest, TheNextRunRemovesWhatKilledRunsLeft) {
  TempDir dir;
  std::vector<std::string> notices;
  SetNoticeSink([&](const std::string& line) { notices.push_back(line); });
  RunOwner gone = RunOwner::Current();
  gone.pid = 999999999;  // no such process
  RunOwner elsewhere = RunOwner::Current();
  elsewhere.host = "another-host";
  const std::string staging = dir / ".out.mergeflow-staging-";
  for (const char* run : {"killed", "rebooted", "silent", "live", "remote"}) {
    std::filesystem::create_directories(staging + run);
    WriteFile(staging + run + "/part-00000.tsv", "partial");
  }
  WriteMarker(staging + "killed", gone, UnixNow(), "1");
  RunOwner before_boot = RunOwner::Current();
  before_boot.boot_id = "an-earlier-boot";
  WriteMarker(staging + "rebooted", before_boot, UnixNow(), "2");
  WriteMarker(staging + "silent", elsewhere, UnixNow() - RunMarker::kLeaseSeconds - 10, "3");
  WriteMarker(staging + "live", RunOwner::Current(), UnixNow(), "4");
  WriteMarker(staging + "remote", elsewhere, UnixNow(), "5");
  // Two ranks marked one staging directory: one is gone, one lives on.
  std::filesystem::create_directories(staging + "shared");
  WriteMarker(staging + "shared", gone, UnixNow(), "6");
  WriteMarker(staging + "shared", RunOwner::Current(), UnixNow(), "7");
  {
    auto committer = OutputCommitter::Start(dir / "out", "next").value();
    ASSERT_TRUE(committer->Commit("{}").ok());
  }
  SetNoticeSink(nullptr);
  EXPECT_EQ(Entries(dir.path()),
            (std::vector<std::string>{".out.mergeflow-staging-live", ".out.mergeflow-staging-live.owner-4",
                                      ".out.mergeflow-staging-remote", ".out.mergeflow-staging-remote.owner-5",
                                      ".out.mergeflow-staging-shared", ".out.mergeflow-staging-shared.owner-6",
                                      ".out.mergeflow-staging-shared.owner-7", "out"}));
  ASSERT_EQ(notices.size(), 3u);
  EXPECT_EQ(notices[0], "removed " + staging + "killed, left by run killed-run (process 999999999 on " +
                            RunOwner::Current().host + ", which has ended)");
  EXPECT_EQ(notices[2], "removed " + staging + "silent, left by run killed-run (process " +
                            std::to_string(elsewhere.pid) + " on another-host, silent for over 5 minutes)");
}

}  // namespace
}  // namespace mergeflow
