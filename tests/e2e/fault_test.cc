// Faults injected into every kind of file operation of real runs
// (MERGEFLOW_FAULTS, see io/faulty_file_system.h), in the commit of a local
// output, in the spill of a grace join, and on S3: each run either succeeds
// with exactly the new output, or fails with one error line that names the
// injected fault and leaves the old output as it was; and the next run
// leaves nothing behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "e2e/cli_runner.h"
#include "e2e/s3_server.h"
#include "io/faulty_file_system.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunScript;
using testing::TempDir;

// The calls tried for each kind of operation: the first few, then spread out.
const std::vector<int> kNth = {1, 2, 3, 5, 9, 17, 40};

// Every kind of operation.
std::vector<std::string> AllOperations() {
  std::vector<std::string> ops;
  for (int op = 0; op < static_cast<int>(FsOp::kCount); ++op) ops.push_back(FsOpName(static_cast<FsOp>(op)));
  return ops;
}

// Calls `run` per operation kind of `ops` and call number of `nths` with
// faults "OP@FILTER:N"; the run leaves in `dir`: rc (exit status), err
// (standard error), same (0 when OUT holds the new output, 1 the old, 2
// neither), left (what a clean run after it left behind). Returns, per
// operation kind, how many runs met the fault.
std::map<std::string, int> FailEveryOperation(const std::function<int(const std::string& faults)>& run,
                                              const std::string& filter, const std::string& dir,
                                              const std::vector<std::string>& ops = AllOperations(),
                                              const std::vector<int>& nths = kNth) {
  std::map<std::string, int> failed;
  for (const std::string& name : ops) {
    for (int nth : nths) {
      const std::string faults = name + "@" + filter + ":" + std::to_string(nth);
      SCOPED_TRACE(faults);
      EXPECT_EQ(run(faults), 0);
      const std::string rc = ReadFile(dir + "/rc");
      const std::string err = ReadFile(dir + "/err");
      const std::string same = ReadFile(dir + "/same");
      if (rc == "0\n") {
        EXPECT_EQ(same, "0\n") << "a successful run must give the new output";
      } else {
        ++failed[name];
        EXPECT_EQ(rc, "1\n") << err;
        EXPECT_TRUE(err.starts_with("mergeflow: error: ")) << err;
        EXPECT_NE(err.find("injected fault (" + name + " #" + std::to_string(nth) + ")"), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
        EXPECT_EQ(same, "1\n") << "a failed run must leave the old output";
      }
      EXPECT_EQ(ReadFile(dir + "/left"), "") << "left behind after the next run";
    }
  }
  return failed;
}

// The operations a path of a run must meet (so the test cannot pass by
// never reaching them).
void ExpectFailuresOf(const std::map<std::string, int>& failed, const std::vector<std::string>& ops) {
  for (const std::string& op : ops) EXPECT_GT(failed.count(op) ? failed.at(op) : 0, 0) << op << " never failed a run";
}

constexpr char kOutputs[] =
    "rows() { for f in \"$1\"/part-*; do tail -n +2 \"$f\"; done | sort; }\n"
    "$MERGEFLOW join l.tsv r.tsv --how left -q -o new; rows new > new.rows\n"
    "$MERGEFLOW join l.tsv r.tsv --how inner -q -o old; rows old > old.rows\n";

// Data of ROWS rows a side, the old output (inner join) and the new
// output's rows (left join).
std::string DataAndOutputs(int rows) {
  const std::string n = std::to_string(rows), keys = std::to_string(rows * 2);
  return "$GEN --rows " + n + " --key-space " + keys +
         " --seed 1 -o l.tsv\n"
         "$GEN --rows " +
         n + " --key-space " + keys + " --seed 2 --columns 3 -o r.tsv\n" + kOutputs;
}

// After a faulty run of FLAGS: what OUT holds, then a clean run and what it left.
constexpr char kLocalCheck[] =
    "same=2; rows out > out.rows\n"
    "if [ -f out/_SUCCESS ] && cmp -s out.rows new.rows; then same=0; fi\n"
    "if [ -f out/_SUCCESS ] && cmp -s out.rows old.rows; then same=1; fi\n"
    "echo $same > same\n"
    "$MERGEFLOW join l.tsv r.tsv --how left -q -o out FLAGS 2> /dev/null\n"
    "{ ls -a | grep mergeflow-; ls -a tmp | grep mergeflow-; } > left || true\n"
    "rm -rf out; cp -a old out\n";

std::string LocalScript(const std::string& faults, const std::string& flags) {
  std::string check = kLocalCheck;
  check.replace(check.find("FLAGS"), 5, flags);
  return std::string("set -e\nGEN='") + MERGEFLOW_GEN_BINARY +
         "'\nexport TMPDIR=$PWD/tmp\n"
         "rows() { for f in \"$1\"/part-*; do tail -n +2 \"$f\"; done | sort; }\n"
         "set +e\nMERGEFLOW_FAULTS=" +
         faults + " $MERGEFLOW join l.tsv r.tsv --how left -q -o out " + flags + " 2> err; echo $? > rc\n" + check;
}

TEST(FaultTest, EveryOperationOfALocalCommitFailsCleanly) {
  TempDir dir;
  ASSERT_EQ(RunScript(dir, std::string("set -e\nGEN='") + MERGEFLOW_GEN_BINARY + "'\nmkdir tmp\n" +
                               DataAndOutputs(20000) + "cp -a old out\n"),
            0);
  const std::string flags = "--threads 2";
  auto failed = FailEveryOperation([&](const std::string& f) { return RunScript(dir, LocalScript(f, flags)); }, "out",
                                   dir.path());
  ExpectFailuresOf(failed, {"open-write", "write", "sync", "close", "mkdir", "rename", "info", "list"});
}

TEST(FaultTest, EveryOperationOfASpillFailsCleanly) {
  TempDir dir;
  ASSERT_EQ(RunScript(dir, std::string("set -e\nGEN='") + MERGEFLOW_GEN_BINARY + "'\nmkdir tmp\n" +
                               DataAndOutputs(120000) + "cp -a old out\n"),
            0);
  // Small enough a limit that both sides are spilled (checked below).
  const std::string flags = "--threads 2 --memory-limit 10M --chunk-size 64K";
  ASSERT_EQ(RunScript(dir, "$MERGEFLOW join l.tsv r.tsv -q -o spilled " + flags +
                               " && grep -q '\"spill_partitions\": [1-9]' spilled/_SUCCESS && rm -r spilled"),
            0);
  auto failed = FailEveryOperation([&](const std::string& f) { return RunScript(dir, LocalScript(f, flags)); },
                                   "tmp/mergeflow-", dir.path());
  ExpectFailuresOf(failed, {"open-write", "write", "close", "open-read", "read", "mkdir", "info", "list"});
}

class S3FaultTest : public testing::S3ServerTest {};

TEST_F(S3FaultTest, EveryOperationOnS3FailsCleanly) {
  ASSERT_EQ(Script(std::string("mkdir tmp\n") + DataAndOutputs(20000) +
                   "$AWS s3 cp l.tsv s3://$B/in/l.tsv --quiet; $AWS s3 cp r.tsv s3://$B/in/r.tsv --quiet\n"
                   "$AWS s3 cp old s3://$B/out --recursive --quiet\n"),
            0);
  const std::string join = "$MERGEFLOW join s3://$B/in/l.tsv s3://$B/in/r.tsv --how left -q -o s3://$B/out";
  auto failed = FailEveryOperation(
      [&](const std::string& faults) {
        return Script("export TMPDIR=$PWD/tmp\nset +e\nMERGEFLOW_FAULTS=" + faults + " " + join +
                      " 2> err; echo $? > rc\n"
                      "rm -rf got; $AWS s3 cp s3://$B/out got --recursive --quiet; rows got > out.rows\n"
                      "same=2\n"
                      "if [ -f got/_SUCCESS ] && cmp -s out.rows new.rows; then same=0; fi\n"
                      "if [ -f got/_SUCCESS ] && cmp -s out.rows old.rows; then same=1; fi\n"
                      "echo $same > same\n" +
                      join +
                      " 2> /dev/null\n"
                      "{ $AWS s3 ls s3://$B/ | grep mergeflow-; open_uploads | grep -v '^0$'; } > left\n"
                      "$AWS s3 rm s3://$B/out --recursive --quiet; $AWS s3 cp old s3://$B/out --recursive --quiet\n");
      },
      "s3://", dir_.path(), {"open-read", "read", "swap", "list", "info", "remove"}, {1, 3});
  // The run marker is the one object written through the file system (by a
  // conditional write); parts go up as multipart uploads of the committer.
  ExpectFailuresOf(failed, {"open-read", "read", "swap", "list", "info"});
}

}  // namespace
}  // namespace mergeflow
