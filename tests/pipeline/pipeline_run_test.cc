// `mergeflow run` end to end: real child processes, real files, the run
// record read back as a user (or a scheduler) would read it.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/utc_time.h"
#include "e2e/cli_runner.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunMergeflow;
using testing::RunResult;
using testing::RunScript;
using testing::TempDir;
using testing::WriteFile;

// The run directories under DIR/.mergeflow/runs, oldest first (by the
// start their records give: two runs may start in the same second).
std::vector<std::string> RunDirs(const TempDir& dir) {
  std::vector<std::pair<std::string, std::string>> runs;
  const std::filesystem::path root = dir / ".mergeflow/runs";
  if (!std::filesystem::exists(root)) return {};
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const nlohmann::json record = nlohmann::json::parse(ReadFile(entry.path() / "run.json"));
    runs.emplace_back(record.at("started_at"), entry.path().string());
  }
  std::sort(runs.begin(), runs.end());
  std::vector<std::string> dirs;
  for (const auto& [start, path] : runs) dirs.push_back(path);
  return dirs;
}

nlohmann::json LastRunRecord(const TempDir& dir) {
  const std::vector<std::string> runs = RunDirs(dir);
  if (runs.empty()) return nullptr;
  return nlohmann::json::parse(ReadFile(runs.back() + "/run.json"));
}

nlohmann::json StepOf(const nlohmann::json& run, const std::string& name) {
  for (const nlohmann::json& step : run.at("steps")) {
    if (step.at("name") == name) return step;
  }
  return nullptr;
}

double SecondsBetween(const nlohmann::json& from, const nlohmann::json& to) {
  return (*ParseUtcMillis(to.get<std::string>()) - *ParseUtcMillis(from.get<std::string>())) / 1e3;
}

// A command step that fails with exit status `code` until it has run
// `failures` times (counting in file COUNTER), then succeeds.
std::string FlakyCommand(const std::string& counter, int failures, int code) {
  return "[\"sh\", \"-c\", \"n=$(cat " + counter + " 2>/dev/null || echo 0); echo $((n+1)) > " + counter +
         "; echo attempt ${attempt} try $((n+1)); test $n -ge " + std::to_string(failures) + " || exit " +
         std::to_string(code) + "\"]";
}

TEST(PipelineRunTest, ATransientFailureIsRetriedWithTheWaitsOfThePolicy) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "name: flaky\n"
                            "retry:\n"
                            "  - on: [node_lost]\n"  // does not match
                            "    max_attempts: 5\n"
                            "  - on: [transient]\n"  // the first that matches decides
                            "    max_attempts: 2\n"
                            "    interval: 1s\n"
                            "    backoff_rate: 2.0\n"
                            "    jitter: none\n"
                            "  - on: [all]\n"
                            "    max_attempts: 0\n"
                            "steps:\n"
                            "  - name: fetch\n"
                            "    command: " + FlakyCommand("count", 2, 75) + "\n");
  RunResult r = RunMergeflow(dir, "run p.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json run = LastRunRecord(dir);
  EXPECT_EQ(run.at("status"), "succeeded");
  const nlohmann::json step = StepOf(run, "fetch");
  ASSERT_EQ(step.at("attempts").size(), 3u) << step.dump(2);
  const nlohmann::json& a = step.at("attempts");
  EXPECT_EQ(a[0].at("error_class"), "transient");
  EXPECT_EQ(a[0].at("exit"), 75);
  EXPECT_EQ(a[1].at("error_class"), "transient");
  EXPECT_EQ(a[2].at("outcome"), "succeeded");
  // interval x backoff_rate^(n-1): 1 s, then 2 s.
  const double first = SecondsBetween(a[0].at("ended_at"), a[1].at("started_at"));
  const double second = SecondsBetween(a[1].at("ended_at"), a[2].at("started_at"));
  EXPECT_GE(first, 1.0);
  EXPECT_LT(first, 2.0);
  EXPECT_GE(second, 2.0);
  EXPECT_LT(second, 4.0);
  // ${attempt} is the attempt's number; each attempt has its own log.
  EXPECT_NE(ReadFile(RunDirs(dir).back() + "/fetch.3.log").find("attempt 3 try 3"), std::string::npos);
  EXPECT_NE(ReadFile(RunDirs(dir).back() + "/fetch.1.log").find("attempt 1 try 1"), std::string::npos);
}

TEST(PipelineRunTest, RetriesRunOutAndTheRunFailsNamingTheStep) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "name: flaky\n"
                            "retry: [{on: [all], max_attempts: 1, interval: 0s}]\n"
                            "steps:\n"
                            "  - name: fetch\n"
                            "    command: " + FlakyCommand("count", 5, 3) + "\n"
                            "  - name: after\n"
                            "    needs: [fetch]\n"
                            "    command: [touch, after-ran]\n");
  RunResult r = RunMergeflow(dir, "run p.yaml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("failed at step fetch: exit status 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("after 2 attempts"), std::string::npos) << r.err;
  const nlohmann::json run = LastRunRecord(dir);
  EXPECT_EQ(run.at("status"), "failed");
  EXPECT_EQ(StepOf(run, "fetch").at("status"), "failed");
  EXPECT_EQ(StepOf(run, "fetch").at("attempts").size(), 2u);
  EXPECT_EQ(StepOf(run, "fetch").at("attempts")[0].at("error_class"), "failed");
  EXPECT_EQ(StepOf(run, "after").at("status"), "not_run");
  EXPECT_FALSE(std::filesystem::exists(dir / "after-ran"));
}

TEST(PipelineRunTest, ABadInputFailureIsNeverRetried) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n2\n");  // line 3 has one field
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n");
  WriteFile(dir / "p.yaml", "name: bad\n"
                            "retry: [{on: [all], max_attempts: 3, interval: 0s}]\n"
                            "steps:\n"
                            "  - name: merge\n"
                            "    join: {left: l.tsv, right: r.tsv, on: id, output: out}\n"
                            "  - name: missing\n"
                            "    join: {left: nothing.tsv, right: r.tsv, on: id, output: out2}\n");
  RunResult r = RunMergeflow(dir, "run p.yaml");
  EXPECT_EQ(r.exit_code, 1);
  const nlohmann::json run = LastRunRecord(dir);
  const nlohmann::json merge = StepOf(run, "merge");
  ASSERT_EQ(merge.at("attempts").size(), 1u) << merge.dump(2);
  // The class comes from the step's error record, not from its text.
  EXPECT_EQ(merge.at("attempts")[0].at("error_class"), "bad_input");
  EXPECT_NE(merge.at("attempts")[0].at("error").get<std::string>().find("l.tsv:3"), std::string::npos);
  EXPECT_NE(r.err.find("failed at step merge"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));

  // A missing input is bad input too, not a transient failure.
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n");
  r = RunMergeflow(dir, "run p.yaml");
  EXPECT_EQ(r.exit_code, 1);
  // Found before any attempt: the step fails without one.
  const nlohmann::json missing = StepOf(LastRunRecord(dir), "missing");
  EXPECT_EQ(missing.at("status"), "failed") << missing.dump(2);
  EXPECT_EQ(missing.at("attempts").size(), 0u);
  EXPECT_NE(r.err.find("failed at step missing: cannot open nothing.tsv"), std::string::npos) << r.err;
}

TEST(PipelineRunTest, ATimeoutStopsTheStepAndEverythingItStarted) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "name: slow\n"
                            "retry: [{on: [transient], max_attempts: 3}]\n"
                            "steps:\n"
                            "  - name: hang\n"
                            "    timeout: 3s\n"
                            "    command: [sh, -c, 'sleep 300 & echo $! > child.pid; echo started; sleep 300']\n");
  const auto start = std::chrono::steady_clock::now();
  RunResult r = RunMergeflow(dir, "run p.yaml");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(seconds, 30);
  const nlohmann::json hang = StepOf(LastRunRecord(dir), "hang");
  ASSERT_EQ(hang.at("attempts").size(), 1u);  // timeout is not among the retried classes
  EXPECT_EQ(hang.at("attempts")[0].at("error_class"), "timeout");
  EXPECT_EQ(hang.at("attempts")[0].at("outcome").get<std::string>().rfind("timed out after", 0), 0u);
  // Gone, or a zombie that nobody reaped yet.
  std::string child = ReadFile(dir / "child.pid");
  ASSERT_FALSE(child.empty()) << "the step did not start its background process in time";
  child.pop_back();  // the newline
  const std::string stat = ReadFile("/proc/" + child + "/stat");
  EXPECT_TRUE(stat.empty() || stat.find(") Z ") != std::string::npos) << "the step's background process outlived it: " << stat;
}

TEST(PipelineRunTest, ARunSkipsWhatIsDoneAndRerunsWhatChanged) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n2\tb\n");
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n2\ty\n");
  WriteFile(dir / "m.tsv", "id\tz\n1\tp\n");
  WriteFile(dir / "p.yaml", "name: chain\n"
                            "params: {how: inner}\n"
                            "steps:\n"
                            "  - name: first\n"
                            "    join: {left: l.tsv, right: r.tsv, on: id, how: '${how}', output: a}\n"
                            "  - name: second\n"
                            "    needs: [first]\n"
                            "    join: {left: '${steps.first.output}', right: m.tsv, on: id, output: b}\n"
                            "  - name: other\n"
                            "    join: {left: m.tsv, right: r.tsv, on: id, output: c}\n");
  RunResult r = RunMergeflow(dir, "run p.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  RunResult b = RunMergeflow(dir, "join b m.tsv --on id --how left");  // reads all of b's parts
  EXPECT_EQ(b.out, "id\tv\tw\tz_x\tz_y\n1\ta\tx\tp\tp\n") << b.err;
  const std::string first_run = LastRunRecord(dir).at("run_id");

  r = RunMergeflow(dir, "run p.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json run = LastRunRecord(dir);
  for (const char* step : {"first", "second", "other"}) {
    EXPECT_EQ(StepOf(run, step).at("status"), "skipped") << step;
    EXPECT_EQ(StepOf(run, step).at("reason").get<std::string>().rfind("done in run " + first_run, 0), 0u) << step;
  }

  // An option of `first` changes: it and `second` run again, `other` not.
  r = RunMergeflow(dir, "plan p.yaml -p how=left");
  EXPECT_NE(r.out.find("option how changed: inner -> left"), std::string::npos) << r.out;
  r = RunMergeflow(dir, "run p.yaml -p how=left");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  run = LastRunRecord(dir);
  EXPECT_EQ(StepOf(run, "first").at("status"), "succeeded");
  EXPECT_EQ(StepOf(run, "second").at("status"), "succeeded");
  EXPECT_EQ(StepOf(run, "other").at("status"), "skipped");
  EXPECT_EQ(StepOf(run, "first").at("rows"), 2);

  // An input of `other` changes: only it runs.
  WriteFile(dir / "m.tsv", "id\tz\n1\tp\n2\tq\n");
  r = RunMergeflow(dir, "run p.yaml -p how=left");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  run = LastRunRecord(dir);
  EXPECT_EQ(StepOf(run, "first").at("status"), "skipped");
  EXPECT_EQ(StepOf(run, "second").at("status"), "succeeded");  // it reads m.tsv too
  EXPECT_EQ(StepOf(run, "other").at("status"), "succeeded");
  EXPECT_NE(StepOf(run, "other").at("reason").get<std::string>().find("input m.tsv changed"), std::string::npos)
      << StepOf(run, "other").dump(2);

  // --force reruns a step and what follows it.
  r = RunMergeflow(dir, "run p.yaml -p how=left --force first");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  run = LastRunRecord(dir);
  EXPECT_EQ(StepOf(run, "first").at("status"), "succeeded");
  EXPECT_EQ(StepOf(run, "second").at("status"), "succeeded");
  EXPECT_EQ(StepOf(run, "other").at("status"), "skipped");

  r = RunMergeflow(dir, "runs p.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(first_run), std::string::npos) << r.out;
  r = RunMergeflow(dir, "runs show " + first_run + " p.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("succeeded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("first.1.log"), std::string::npos) << r.out;
}

TEST(PipelineRunTest, ResumeGoesOnWithTheSameRunAndRefusesAChangedSpec) {
  TempDir dir;
  const std::string spec = "name: resumable\n"
                           "params: {marker: ready}\n"
                           "steps:\n"
                           "  - name: make\n"
                           "    command: [sh, -c, 'echo made > made.txt']\n"
                           "  - name: check\n"
                           "    needs: [make]\n"
                           "    command: [sh, -c, 'test -e ${marker} || exit 65']\n";
  WriteFile(dir / "p.yaml", spec);
  RunResult r = RunMergeflow(dir, "run p.yaml");
  EXPECT_EQ(r.exit_code, 1);
  const nlohmann::json failed = LastRunRecord(dir);
  EXPECT_EQ(StepOf(failed, "check").at("attempts")[0].at("error_class"), "bad_input");
  const std::string id = failed.at("run_id");

  WriteFile(dir / "ready", "");
  r = RunMergeflow(dir, "run p.yaml --resume " + id + " -p marker=other");
  EXPECT_EQ(r.exit_code, 2) << r.err;  // a resumed run keeps its params
  r = RunMergeflow(dir, "run p.yaml --resume " + id);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RunDirs(dir).size(), 1u);
  const nlohmann::json resumed = LastRunRecord(dir);
  EXPECT_EQ(resumed.at("run_id"), id);
  EXPECT_EQ(resumed.at("status"), "succeeded");
  const nlohmann::json check = StepOf(resumed, "check");
  ASSERT_EQ(check.at("attempts").size(), 2u);
  EXPECT_EQ(check.at("attempts")[1].at("attempt"), 2);
  EXPECT_TRUE(std::filesystem::exists(RunDirs(dir).back() + "/check.2.log"));

  WriteFile(dir / "p.yaml", spec + "# changed\n");
  r = RunMergeflow(dir, "run p.yaml --resume " + id);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("p.yaml changed since it started"), std::string::npos) << r.err;
  r = RunMergeflow(dir, "run p.yaml --resume no-such-run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no run no-such-run"), std::string::npos) << r.err;
}

TEST(PipelineRunTest, OneRunAtATimeAndAStaleLockIsTakenOver) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "name: locked\n"
                            "steps:\n"
                            "  - name: wait\n"
                            "    command: [sh, -c, 'touch started; while ! test -e go; do sleep 0.1; done']\n");
  std::thread first([&] { EXPECT_EQ(RunMergeflow(dir, "run p.yaml").exit_code, 0); });
  while (!std::filesystem::exists(dir / "started")) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  RunResult second = RunMergeflow(dir, "run p.yaml");
  WriteFile(dir / "go", "");
  first.join();
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("pipeline locked is locked by run "), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find('\n'), second.err.size() - 1) << second.err;  // one line
  EXPECT_FALSE(std::filesystem::exists(dir / ".mergeflow/runs/locked.lock"));  // released

  // A lock whose holder stopped beating its heartbeat 10 minutes ago, on
  // another machine.
  WriteFile(dir / ".mergeflow/runs/locked.lock",
            nlohmann::json({{"owns", "pipeline locked"}, {"run_id", "old-run"}, {"host", "elsewhere"},
                            {"boot_id", "x"}, {"pid", 1}, {"start_ticks", 1},
                            {"heartbeat_unix", std::chrono::duration_cast<std::chrono::seconds>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                       .count() -
                                                   600}})
                .dump());
  RunResult taken = RunMergeflow(dir, "run p.yaml");
  EXPECT_EQ(taken.exit_code, 0) << taken.err;
  EXPECT_NE(taken.out.find("took over the lock of run old-run"), std::string::npos) << taken.out;
}

TEST(PipelineRunTest, SecretsStayOutOfRecordsAndLogs) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "name: secretive\n"
                            "steps:\n"
                            "  - name: leak\n"
                            "    command: [sh, -c, 'echo key is $AWS_SECRET_ACCESS_KEY; exit 65']\n");
  ASSERT_EQ(RunScript(dir, "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG $MERGEFLOW run p.yaml > out.txt 2>&1; "
                           "test $? = 1"),
            0);
  const std::string record = ReadFile(RunDirs(dir).back() + "/run.json");
  const std::string log = ReadFile(RunDirs(dir).back() + "/leak.1.log");
  EXPECT_EQ(record.find("wJalrXUtnFEMI"), std::string::npos) << record;
  EXPECT_EQ(log.find("wJalrXUtnFEMI"), std::string::npos) << log;
  EXPECT_EQ(ReadFile(dir / "out.txt").find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_NE(log.find("key is [redacted]"), std::string::npos) << log;
}

TEST(PipelineRunTest, TheMetricsFileHasRunAndStepMetrics) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n2\tb\n");
  WriteFile(dir / "p.yaml", "name: measured\n"
                            "steps:\n"
                            "  - name: merge\n"
                            "    join: {left: l.tsv, right: l.tsv, on: id, output: out}\n");
  RunResult r = RunMergeflow(dir, "run p.yaml --metrics-file m.prom");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string metrics = ReadFile(dir / "m.prom");
  EXPECT_NE(metrics.find("mergeflow_pipeline_run_success{pipeline=\"measured\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mergeflow_pipeline_step_rows{pipeline=\"measured\",step=\"merge\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mergeflow_pipeline_step_attempts{pipeline=\"measured\",step=\"merge\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("# TYPE mergeflow_pipeline_run_seconds gauge"), std::string::npos);
}

TEST(PipelineRunTest, AVersionThatFailsValidationIsNeverPublished) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n1\tb\n");  // id 1 twice
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n");
  WriteFile(dir / "p.yaml", "name: bluegreen\n"
                            "retry: [{on: [all], max_attempts: 2, interval: 0s}]\n"
                            "steps:\n"
                            "  - name: merge\n"
                            "    join: {left: l.tsv, right: r.tsv, on: id, output: {dataset: ds}}\n"
                            "  - name: check\n"
                            "    needs: [merge]\n"
                            "    validate: {input: 'ds@${steps.merge.version}', min_rows: 1, unique: [id],"
                            " columns: [id, v, w]}\n"
                            "  - name: publish\n"
                            "    needs: [check]\n"
                            "    publish: {dataset: ds, version: '${steps.merge.version}'}\n");
  RunResult r = RunMergeflow(dir, "run p.yaml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("failed at step check: unique [id]"), std::string::npos) << r.err;
  nlohmann::json run = LastRunRecord(dir);
  EXPECT_EQ(StepOf(run, "check").at("attempts").size(), 1u);  // bad_input: not retried
  EXPECT_EQ(StepOf(run, "check").at("attempts")[0].at("error_class"), "bad_input");
  EXPECT_EQ(StepOf(run, "publish").at("status"), "not_run");
  EXPECT_FALSE(std::filesystem::exists(dir / "ds/_LATEST.json"));
  const std::string bad_version = StepOf(run, "merge").at("version");
  EXPECT_FALSE(bad_version.empty());

  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n2\tb\n");
  r = RunMergeflow(dir, "run p.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  run = LastRunRecord(dir);
  const std::string good_version = StepOf(run, "merge").at("version");
  EXPECT_NE(good_version, bad_version);
  EXPECT_EQ(StepOf(run, "publish").at("status"), "succeeded");
  const nlohmann::json pointer = nlohmann::json::parse(ReadFile(dir / "ds/_LATEST.json"));
  EXPECT_EQ(pointer.at("version"), good_version) << pointer.dump();
  EXPECT_EQ(RunMergeflow(dir, "join ds r.tsv --on id --how inner").out, "id\tv\tw_x\tw_y\n1\ta\tx\tx\n");

  // Run again: the merge is done and its version already current.
  r = RunMergeflow(dir, "run p.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  run = LastRunRecord(dir);
  EXPECT_EQ(StepOf(run, "merge").at("status"), "skipped");
  EXPECT_EQ(StepOf(run, "publish").at("status"), "skipped");
  EXPECT_EQ(StepOf(run, "publish").at("reason"), "version " + good_version + " is already current");
}

// A runner killed while a step waits to retry: --resume keeps the attempt
// number and the due time written in run.json.
TEST(PipelineRunTest, AResumedRunKeepsTheRetrySchedule) {
  TempDir dir;
  WriteFile(dir / "p.yaml", "name: patient\n"
                            "retry: [{on: [transient], max_attempts: 2, interval: 3s, jitter: none}]\n"
                            "steps:\n"
                            "  - name: fetch\n"
                            "    command: " + FlakyCommand("count", 1, 75) + "\n");
  ASSERT_EQ(RunScript(dir, "$MERGEFLOW run p.yaml > run.out 2>&1 &\n"
                           "runner=$!\n"
                           "for i in $(seq 600); do grep -qs '\"retrying\"' .mergeflow/runs/*/run.json && break; "
                           "sleep 0.05; done\n"
                           "kill -9 $runner; wait $runner || true\n"),
            0);
  const nlohmann::json waiting = LastRunRecord(dir);
  const nlohmann::json before = StepOf(waiting, "fetch");
  ASSERT_EQ(before.at("status"), "retrying") << before.dump(2);
  EXPECT_EQ(before.at("next_attempt"), 2);
  const std::string due = before.at("next_attempt_at");
  RunResult r = RunMergeflow(dir, "run p.yaml --resume " + waiting.at("run_id").get<std::string>());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("waits for attempt 2 until " + due), std::string::npos) << r.out;
  const nlohmann::json after = StepOf(LastRunRecord(dir), "fetch");
  ASSERT_EQ(after.at("attempts").size(), 2u) << after.dump(2);
  EXPECT_GE(*ParseUtcMillis(after.at("attempts")[1].at("started_at").get<std::string>()), *ParseUtcMillis(due));
  EXPECT_EQ(after.at("attempts")[1].at("outcome"), "succeeded");
}

// The pipelines in examples/pipelines run as their comments say, and a
// second run skips what the first did.
TEST(PipelineRunTest, TheExamplePipelinesRun) {
  TempDir dir;
  std::filesystem::copy(std::string(MERGEFLOW_SOURCE_DIR) + "/examples", dir / "examples",
                        std::filesystem::copy_options::recursive);
  for (const char* example : {"merge-and-publish", "cdc-upsert"}) {
    const std::string run = std::string("run examples/pipelines/") + example + ".yaml";
    RunResult r = RunMergeflow(dir, run);
    ASSERT_EQ(r.exit_code, 0) << example << r.out << r.err;
    r = RunMergeflow(dir, run);
    ASSERT_EQ(r.exit_code, 0) << example << r.out << r.err;
    EXPECT_NE(r.out.find("2 skipped"), std::string::npos) << example << r.out;  // all but the validation
  }
  RunResult r =
      RunMergeflow(dir, "join out/pipelines/lake/customers out/pipelines/lake/customers --on id --how semi | sort");
  EXPECT_EQ(r.out, "1\tAnn\tBergen\t2026-12-01T10:00:00Z\n3\tCai\tPune\t2026-11-30T09:00:00Z\n"
                   "4\tDee\tQuito\t2026-12-01T10:02:00Z\nid\tname\tcity\tupdated_at\n")
      << r.err;
  r = RunMergeflow(dir, "join out/pipelines/lake/merged out/pipelines/lake/merged --on ID --how semi --order left");
  EXPECT_EQ(r.out, RunMergeflow(dir, "join examples/x_list.txt examples/y_list.txt --how left --order left").out);
}

}  // namespace
}  // namespace mergeflow
