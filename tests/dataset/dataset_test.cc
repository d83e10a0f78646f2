// Datasets on the local file system, in process: the compare-and-swap under
// publishing, publishers racing at each step, a store that ignores
// conditional writes, corrupt states, time travel and gc's rules.
#include "dataset/dataset.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/sha256.h"
#include "common/utc_time.h"
#include "dataset/dataset_gc.h"
#include "dataset/dataset_inputs.h"
#include "io/file_system_wrapper.h"
#include "io/local_file_system.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Writes a complete version by hand: one part per entry of `parts` (its rows
// as text), or a part kept from `inherited_from` when the entry is empty.
void MakeVersion(const std::string& dataset, const std::string& version, const std::vector<std::string>& parts,
                 const std::string& inherited_from = "") {
  const std::string dir = VersionDir(dataset, version);
  std::filesystem::create_directories(dir);
  std::string list;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string name = "part-0000" + std::to_string(i) + ".tsv";
    std::string entry;
    if (parts[i].empty()) {
      const std::string kept = ReadFile(JoinPath(VersionDir(dataset, inherited_from), name));
      entry = "{\"name\": \"" + name + "\", \"rows\": 1, \"bytes\": " + std::to_string(kept.size()) +
              ", \"version\": \"" + inherited_from + "\"}";
    } else {
      WriteFile(JoinPath(dir, name), "k\tv\n" + parts[i]);
      entry = "{\"name\": \"" + name + "\", \"rows\": 1, \"bytes\": " + std::to_string(4 + parts[i].size()) + "}";
    }
    list += (i == 0 ? "" : ", ") + entry;
  }
  WriteFile(JoinPath(dir, "_SUCCESS"), "{\"parts\": [" + list + "]}\n");
}

// Runs `before` once, just before the first WriteIfUnchanged of a path
// ending in `suffix`: another publisher getting there first.
class RacingFileSystem : public FileSystemWrapper {
 public:
  RacingFileSystem(std::string suffix, std::function<void()> before)
      : FileSystemWrapper(std::make_shared<LocalFileSystem>()),
        suffix_(std::move(suffix)),
        before_(std::move(before)) {}
  Status WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string& token) override {
    if (before_ && path.ends_with(suffix_)) std::exchange(before_, nullptr)();
    return FileSystemWrapper::WriteIfUnchanged(path, contents, token);
  }

 private:
  std::string suffix_;
  std::function<void()> before_;
};

// A store that takes every write, conditional or not.
class UnconditionalFileSystem : public FileSystemWrapper {
 public:
  UnconditionalFileSystem() : FileSystemWrapper(std::make_shared<LocalFileSystem>()) {}
  Status WriteIfUnchanged(const std::string& path, std::string_view contents, const std::string&) override {
    return WriteWholeFile(target(), path, contents);
  }
};

constexpr char kV1[] = "20261201T100000Z-00000001";
constexpr char kV2[] = "20261201T110000Z-00000002";
constexpr char kV3[] = "20261201T120000Z-00000003";

class DatasetTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string root_ = dir_ / "ds";
  LocalFileSystem local_;
  Dataset dataset_ = Dataset::On(&local_, root_);

  std::string CurrentVersion() {
    auto state = dataset_.ReadPointer();
    EXPECT_TRUE(state.ok()) << state.status().message();
    return state.ok() && state.value() ? state.value()->pointer.version : "";
  }
};

TEST(LocalConditionalWriteTest, CreatesOnceAndSwapsOnlyFromWhatWasRead) {
  TempDir dir;
  LocalFileSystem fs;
  const std::string path = dir / "pointer";
  ASSERT_TRUE(fs.WriteIfUnchanged(path, "one", "").ok());
  EXPECT_EQ(fs.WriteIfUnchanged(path, "two", "").code(), Status::Code::kConflict);
  auto first = fs.ReadVersioned(path);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value().contents, "one");
  ASSERT_TRUE(fs.WriteIfUnchanged(path, "two", first.value().token).ok());
  // A writer holding the old token loses, and changes nothing.
  EXPECT_EQ(fs.WriteIfUnchanged(path, "three", first.value().token).code(), Status::Code::kConflict);
  EXPECT_EQ(ReadFile(path), "two");
  EXPECT_FALSE(fs.ReadVersioned(dir / "missing").value().exists);
  // No temporary file stays behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST_F(DatasetTest, PublishMovesThePointerAndAppendsHistory) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  MakeVersion(root_, kV2, {"b\t2\n", "c\t3\n"});
  ASSERT_TRUE(dataset_.Publish(kV1, "publish", "run-1").ok());
  auto second = dataset_.Publish(kV2, "publish", "run-2");
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second.value().seq, 2u);
  EXPECT_EQ(second.value().previous, kV1);
  EXPECT_EQ(second.value().rows, 2u);
  const auto pointer = dataset_.ReadPointer().value()->pointer;
  EXPECT_EQ(pointer.version, kV2);
  EXPECT_EQ(pointer.previous, kV1);
  EXPECT_EQ(pointer.manifest_sha256, Sha256Hex(ReadFile(VersionDir(root_, kV2) + "/_SUCCESS")));
  auto log = dataset_.Log();
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log.value().size(), 2u);
  EXPECT_EQ(log.value()[0].version, kV2);
  EXPECT_EQ(log.value()[1].version, kV1);
  // Reading the dataset reads the parts its current manifest lists.
  auto files = ResolveInputFiles(root_);
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files.value().size(), 2u);
  EXPECT_EQ(files.value()[1].path, VersionDir(root_, kV2) + "/part-00001.tsv");
  EXPECT_EQ(ResolveInputFiles(root_ + "@" + kV1).value().front().path, VersionDir(root_, kV1) + "/part-00000.tsv");
}

TEST_F(DatasetTest, APublisherThatLosesTheHistoryRaceChangesNothing) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  MakeVersion(root_, kV2, {"b\t2\n"});
  RacingFileSystem racing("00000000000000000001.json",
                          [&] { ASSERT_TRUE(dataset_.Publish(kV2, "publish", "winner").ok()); });
  const Dataset loser = Dataset::On(&racing, root_);
  const Result<HistoryEntry> lost = loser.Publish(kV1, "publish", "loser");
  ASSERT_EQ(lost.status().code(), Status::Code::kConflict) << lost.status().message();
  EXPECT_NE(lost.status().message().find("another publisher"), std::string::npos);
  EXPECT_EQ(CurrentVersion(), kV2);
  EXPECT_EQ(dataset_.Log().value().size(), 1u);
}

TEST_F(DatasetTest, APublisherThatLosesThePointerRaceLeavesItsEntryOutOfTheLog) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  MakeVersion(root_, kV2, {"b\t2\n"});
  MakeVersion(root_, kV3, {"c\t3\n"});
  ASSERT_TRUE(dataset_.Publish(kV1, "publish", "first").ok());
  // The loser has written history entry 2 when the winner publishes (as
  // entry 3) and swaps the pointer first.
  RacingFileSystem racing("_LATEST.json", [&] { ASSERT_TRUE(dataset_.Publish(kV2, "publish", "winner").ok()); });
  const Dataset loser = Dataset::On(&racing, root_);
  ASSERT_EQ(loser.Publish(kV3, "publish", "loser").status().code(), Status::Code::kConflict);
  EXPECT_EQ(CurrentVersion(), kV2);
  auto log = dataset_.Log().value();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].seq, 3u);
  EXPECT_EQ(log[0].previous_seq, 1u);
  // The next publish goes on after the orphaned entry.
  auto next = dataset_.Publish(kV3, "publish", "next");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value().seq, 4u);
  EXPECT_EQ(dataset_.Log().value().size(), 3u);
}

TEST_F(DatasetTest, AVersionBuiltOnAnOlderPointerIsNotPublished) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  MakeVersion(root_, kV2, {"b\t2\n"});
  MakeVersion(root_, kV3, {"c\t3\n"});
  // Nothing published yet is a state too (an empty token).
  ASSERT_EQ(dataset_.Publish(kV1, "upsert", "r", std::string("stale")).status().code(), Status::Code::kConflict);
  ASSERT_TRUE(dataset_.Publish(kV1, "upsert", "r", std::string()).ok());
  const std::string seen = dataset_.ReadPointer().value()->token;
  ASSERT_TRUE(dataset_.Publish(kV2, "publish", "other").ok());
  // kV3 was computed from kV1, which is no longer current.
  EXPECT_EQ(dataset_.Publish(kV3, "upsert", "r", seen).status().code(), Status::Code::kConflict);
  EXPECT_EQ(CurrentVersion(), kV2);
  ASSERT_TRUE(dataset_.Publish(kV3, "upsert", "r", dataset_.ReadPointer().value()->token).ok());
  EXPECT_EQ(CurrentVersion(), kV3);
}

TEST_F(DatasetTest, AStoreThatIgnoresConditionalWritesIsRefused) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  UnconditionalFileSystem unconditional;
  const Result<HistoryEntry> refused = Dataset::On(&unconditional, root_).Publish(kV1, "publish", "run");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("ignores conditional writes"), std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(std::filesystem::exists(root_ + "/_LATEST.json"));
}

TEST_F(DatasetTest, CorruptStatesAreOneLineErrors) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  MakeVersion(root_, kV2, {"b\t2\n"});
  ASSERT_TRUE(dataset_.Publish(kV1, "publish", "r1").ok());
  ASSERT_TRUE(dataset_.Publish(kV2, "publish", "r2").ok());
  WriteFile(HistoryPath(root_, 1), "{\"seq\": 1, \"action\": ");
  const Status corrupt = dataset_.Log().status();
  EXPECT_EQ(corrupt.code(), Status::Code::kBadInput);
  EXPECT_NE(corrupt.message().find("00000000000000000001.json: not a history entry"), std::string::npos)
      << corrupt.message();
  EXPECT_EQ(corrupt.message().find('\n'), std::string::npos);
  // A manifest changed after publishing, and a version that is gone.
  WriteFile(VersionDir(root_, kV2) + "/_SUCCESS", "{\"parts\": []}\n");
  EXPECT_NE(ResolveInputFiles(root_).status().message().find("not the one published"), std::string::npos);
  std::filesystem::remove_all(VersionDir(root_, kV2));
  EXPECT_NE(ResolveInputFiles(root_).status().message().find("which is missing"), std::string::npos);
  // Publishing a version whose part is gone is refused.
  std::filesystem::remove(VersionDir(root_, kV1) + "/part-00000.tsv");
  EXPECT_NE(dataset_.Publish(kV1, "rollback", "r3").status().message().find("which is gone"), std::string::npos);
}

TEST_F(DatasetTest, ReadsTheVersionCurrentAtATime) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  MakeVersion(root_, kV2, {"b\t2\n"});
  ASSERT_TRUE(dataset_.Publish(kV1, "publish", "r1").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(dataset_.Publish(kV2, "publish", "r2").ok());
  const auto log = dataset_.Log().value();
  const int64_t first = *ParseUtcMillis(log[1].time);
  const int64_t second = *ParseUtcMillis(log[0].time);
  ASSERT_LT(first, second);
  EXPECT_EQ(dataset_.ManifestAt(first).value().version, kV1);
  EXPECT_EQ(dataset_.ManifestAt(second - 1).value().version, kV1);
  EXPECT_EQ(dataset_.ManifestAt(second).value().version, kV2);
  EXPECT_FALSE(dataset_.ManifestAt(first - 1).ok());
  EXPECT_EQ(ResolveInputFiles(root_ + "@" + FormatUtcMillis(first)).value().front().path,
            VersionDir(root_, kV1) + "/part-00000.tsv");
}

TEST_F(DatasetTest, GcKeepsCurrentPinnedRecentYoungAndPartsOthersList) {
  const std::vector<std::string> versions = {"20261101T000000Z-0000000a", "20261102T000000Z-0000000b",
                                             "20261103T000000Z-0000000c", "20261104T000000Z-0000000d",
                                             "20261105T000000Z-0000000e"};
  MakeVersion(root_, versions[0], {"a\t1\n", "b\t2\n"});
  MakeVersion(root_, versions[1], {"c\t3\n"});
  MakeVersion(root_, versions[2], {"d\t4\n"});
  // The newest keeps its first part from the oldest, as an upsert does.
  MakeVersion(root_, versions[3], {"", "e\t5\n"}, versions[0]);
  MakeVersion(root_, versions[4], {"f\t6\n"});  // never published
  for (int i : {0, 1, 2, 3}) ASSERT_TRUE(dataset_.Publish(versions[i], "publish", "r").ok());
  ASSERT_TRUE(dataset_.Pin(versions[1]).ok());

  GcOptions options;
  options.keep = 2;
  auto plan = PlanGc(dataset_, options);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::map<std::string, std::string> why;
  for (const GcDecision& d : plan.value().versions) why[d.version] = d.collect ? "collect" : d.why;
  EXPECT_EQ(why[versions[0]], "collect");
  EXPECT_EQ(why[versions[1]], "pinned");
  EXPECT_EQ(why[versions[2]], "recently published");
  EXPECT_EQ(why[versions[3]], "current");
  EXPECT_EQ(why[versions[4]], "collect");
  // Planning removed nothing.
  EXPECT_TRUE(std::filesystem::exists(VersionDir(root_, versions[0]) + "/_SUCCESS"));

  // Young versions stay whatever else holds.
  options.older_than_seconds = (NowMillis() - *ParseUtcMillis("20261101T120000Z")) / 1000;
  const auto young = PlanGc(dataset_, options);
  ASSERT_TRUE(young.ok());
  for (const GcDecision& d : young.value().versions) EXPECT_EQ(d.collect, d.version == versions[0]) << d.version;

  options.older_than_seconds = 0;
  auto applied = ApplyGc(dataset_, options);
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_FALSE(std::filesystem::exists(VersionDir(root_, versions[4])));
  // The oldest is no longer a version, but its part the current one lists stays.
  EXPECT_FALSE(std::filesystem::exists(VersionDir(root_, versions[0]) + "/_SUCCESS"));
  EXPECT_TRUE(std::filesystem::exists(VersionDir(root_, versions[0]) + "/part-00000.tsv"));
  EXPECT_FALSE(std::filesystem::exists(VersionDir(root_, versions[0]) + "/part-00001.tsv"));
  auto current = ResolveInputFiles(root_);
  ASSERT_TRUE(current.ok()) << current.status().message();
  EXPECT_EQ(current.value()[0].path, VersionDir(root_, versions[0]) + "/part-00000.tsv");
  EXPECT_EQ(dataset_.CompleteVersions().value().size(), 3u);
  // Rolling back to a collected version is refused; the pointer stays.
  EXPECT_FALSE(dataset_.Publish(versions[0], "rollback", "r").ok());
  EXPECT_EQ(CurrentVersion(), versions[3]);
}

TEST_F(DatasetTest, GcStopsWhenThePointerMovesUnderIt) {
  MakeVersion(root_, kV1, {"a\t1\n"});
  MakeVersion(root_, kV2, {"b\t2\n"});
  MakeVersion(root_, kV3, {"c\t3\n"});
  ASSERT_TRUE(dataset_.Publish(kV1, "publish", "r").ok());
  ASSERT_TRUE(dataset_.Publish(kV2, "publish", "r").ok());
  GcOptions options;
  options.keep = 1;
  // kV1 and kV3 are collectable when the plan is made; a rollback to kV1
  // lands between the plan and the removal.
  class RollbackOnPointerRead : public FileSystemWrapper {
   public:
    RollbackOnPointerRead(Dataset* d) : FileSystemWrapper(std::make_shared<LocalFileSystem>()), d_(d) {}
    Result<VersionedContents> ReadVersioned(const std::string& path) override {
      if (path.ends_with("_LATEST.json") && ++reads_ == 3) {
        EXPECT_TRUE(d_->Publish(kV1, "rollback", "r").ok());
      }
      return FileSystemWrapper::ReadVersioned(path);
    }

   private:
    Dataset* d_;
    int reads_ = 0;
  } fs(&dataset_);
  const Result<GcPlan> applied = ApplyGc(Dataset::On(&fs, root_), options);
  EXPECT_EQ(applied.status().code(), Status::Code::kConflict) << applied.status().message();
  EXPECT_EQ(CurrentVersion(), kV1);
  EXPECT_TRUE(ResolveInputFiles(root_).ok());
}

TEST(DatasetLayoutTest, VersionIdsTimesAndSelectors) {
  EXPECT_TRUE(IsVersionId("20261201T103000Z-1a2b3c4d"));
  EXPECT_FALSE(IsVersionId("20261301T103000Z-1a2b3c4d"));
  EXPECT_FALSE(IsVersionId("20261201T103000Z-1A2B3C4D"));
  EXPECT_FALSE(IsVersionId("latest"));
  EXPECT_EQ(ParseUtcMillis("2026-12-01T10:00:00Z"), ParseUtcMillis("20261201T100000Z"));
  EXPECT_EQ(*ParseUtcMillis("2026-12-01T10:00:00.250Z") - *ParseUtcMillis("2026-12-01"), 36000250);
  EXPECT_FALSE(ParseUtcMillis("2026-02-30"));
  EXPECT_FALSE(ParseUtcMillis("2026-12-01T10:00"));
  auto by_version = ParseDatasetSelector("s3://b/ds@20261201T103000Z-1a2b3c4d");
  ASSERT_TRUE(by_version);
  EXPECT_EQ(by_version->dataset, "s3://b/ds");
  EXPECT_EQ(by_version->version, "20261201T103000Z-1a2b3c4d");
  auto by_time = ParseDatasetSelector("ds@2026-12-01T10:00:00Z");
  ASSERT_TRUE(by_time && by_time->at_millis);
  EXPECT_FALSE(ParseDatasetSelector("user@example.tsv"));
  EXPECT_EQ(ParseDurationSeconds("7d").value(), 7 * 86400);
  EXPECT_FALSE(ParseDurationSeconds("7").ok());
  EXPECT_FALSE(ParseDurationSeconds("-1h").ok());
}

}  // namespace
}  // namespace mergeflow
