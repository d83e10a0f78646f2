// The plan of a pipeline: steps run when they never ran, when an input or
// an option changed, when a step before them runs or is forced; they are
// skipped once their output records their key. Steps run here as the
// runner runs them: the same binary with the step's command line and its
// record in the environment.
#include "pipeline/pipeline_plan.h"

#include <gtest/gtest.h>

#include <fstream>

#include "e2e/cli_runner.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunScript;
using testing::TempDir;

const StepOptionNames kKnownStepOptions = {{"join", {"left", "right", "on", "how", "output"}}, {"publish", {"dataset", "version"}}};

std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class PipelinePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "l.tsv") << "id\tv\n1\ta\n2\tb\n";
    std::ofstream(dir_ / "r.tsv") << "id\tw\n1\tx\n";
    std::ofstream(dir_ / "p.yaml") << "name: demo\nparams: {how: left, in: " << dir_.path() << "}\nsteps:\n"
                                   << "  - name: merge\n"
                                      "    join: {left: '${in}/l.tsv', right: '${in}/r.tsv', on: [id], how: '${how}',"
                                      " output: '${in}/out'}\n"
                                      "  - name: again\n"
                                      "    needs: [merge]\n"
                                      "    join: {left: '${steps.merge.output}', right: '${in}/r.tsv', on: [id],"
                                      " output: {dataset: '${in}/ds'}}\n"
                                      "  - name: publish\n"
                                      "    needs: [again]\n"
                                      "    publish: {dataset: '${in}/ds', version: '${steps.again.version}'}\n";
  }

  std::vector<StepDecision> Plan(const std::map<std::string, std::string>& params = {},
                                 const std::set<std::string>& forced = {}) {
    Result<PipelineSpec> spec = LoadPipelineSpec(dir_ / "p.yaml", params, kKnownStepOptions);
    EXPECT_TRUE(spec.ok()) << spec.status().message();
    spec_ = std::move(spec).value();
    Result<std::vector<StepDecision>> plan = PlanPipeline(spec_, forced, "run-1");
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    return plan.ok() ? std::move(plan).value() : std::vector<StepDecision>();
  }

  // Runs a decided step as the runner would.
  void Run(const StepDecision& d) {
    ASSERT_TRUE(d.invocation.has_value()) << d.spec->name;
    nlohmann::json record = d.invocation->key_parts.ToJson();
    record["key"] = d.key;
    std::ofstream(dir_ / "record.json") << record.dump();
    std::string command = "MERGEFLOW_STEP_RECORD=\"$(cat record.json)\" $MERGEFLOW";
    for (const std::string& arg : d.invocation->argv) command += " " + Quoted(arg);
    ASSERT_EQ(RunScript(dir_, command + " > step.out"), 0) << command;
  }

  TempDir dir_;
  PipelineSpec spec_;
};

TEST_F(PipelinePlanTest, RunsWhatIsNotDoneAndSaysWhy) {
  std::vector<StepDecision> plan = Plan();
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_TRUE(plan[0].run);
  EXPECT_EQ(plan[0].reason, "never ran");
  EXPECT_EQ(plan[1].reason, "after merge, which runs");
  EXPECT_EQ(plan[2].reason, "after again, which runs");

  Run(plan[0]);
  plan = Plan();
  EXPECT_FALSE(plan[0].run);
  EXPECT_TRUE(plan[0].reason.starts_with("done in run ")) << plan[0].reason;
  EXPECT_TRUE(plan[1].run);
  EXPECT_EQ(plan[1].reason, "never ran");
  EXPECT_EQ(plan[1].invocation->argv[1], dir_ / "out");  // ${steps.merge.output}

  Run(plan[1]);
  const std::string version = ReadFile(dir_ / "step.out").substr(0, ReadFile(dir_ / "step.out").find('\n'));
  plan = Plan();
  EXPECT_FALSE(plan[1].run) << plan[1].reason;
  ASSERT_TRUE(plan[2].run);
  EXPECT_EQ(plan[2].reason, "publishes version " + version);

  Run(plan[2]);
  plan = Plan();
  EXPECT_FALSE(plan[2].run);
  EXPECT_EQ(plan[2].reason, "version " + version + " is already current");

  // An option changed.
  plan = Plan({{"how", "inner"}});
  EXPECT_EQ(plan[0].reason, "option how changed: left -> inner");
  EXPECT_EQ(plan[1].reason, "after merge, which runs");

  // Forced: that step and those after it.
  plan = Plan({}, {"again"});
  EXPECT_FALSE(plan[0].run);
  EXPECT_EQ(plan[1].reason, "forced (--force again)");
  EXPECT_EQ(plan[2].reason, "forced (--force again)");

  // An input changed; a part of the output gone.
  std::ofstream(dir_ / "l.tsv") << "id\tv\n1\ta\n2\tb\n3\tc\n";
  plan = Plan();
  EXPECT_EQ(plan[0].reason, "input " + (dir_ / "l.tsv") + " changed: size 13 -> 17");
  std::ofstream(dir_ / "l.tsv") << "id\tv\n1\ta\n2\tb\n";
  Run(Plan({{"how", "left"}}, {"merge"})[0]);
  EXPECT_FALSE(Plan()[0].run);
  std::filesystem::remove(dir_ / "out/part-00000.tsv");
  EXPECT_EQ(Plan()[0].reason, "its output is incomplete: " + (dir_ / "out/part-00000.tsv") + " is missing");
}

}  // namespace
}  // namespace mergeflow
