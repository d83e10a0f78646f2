// Pipeline specs: a good one is read whole; each malformed one is refused
// with the file, line and column of what is wrong.
#include "pipeline/pipeline_spec.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_files.h"

namespace mergeflow {
namespace {

using testing::TempDir;

const StepOptionNames kKnown = {
    {"join", {"left", "right", "on", "how", "output", "memory-limit"}},
    {"upsert", {"dataset", "changes", "key", "order-by"}},
    {"validate", {"input", "min_rows", "unique", "columns"}},
    {"publish", {"dataset", "version"}},
};

Result<PipelineSpec> Load(const TempDir& dir, const std::string& yaml,
                          const std::map<std::string, std::string>& overrides = {}) {
  const std::string path = (dir / "p.yaml");
  std::ofstream(path) << yaml;
  return LoadPipelineSpec(path, overrides, kKnown);
}

TEST(PipelineSpecTest, ReadsEveryPartOfAGoodSpec) {
  TempDir dir;
  Result<PipelineSpec> spec = Load(dir, R"(name: nightly-genes
params: {day: "2026-12-01", raw: /data/raw}
log_uri: /logs/nightly
retry:
  - on: [transient, node_lost]
    max_attempts: 4
    interval: 10s
    backoff_rate: 1.5
    max_delay: 5m
    jitter: full
launcher: {mpirun: {np: 8, args: [--bind-to, none]}}
steps:
  - name: merge
    join: {left: "${raw}/x/", right: "${raw}/y/", on: ID, how: left, output: {dataset: /lake/m}}
    launcher: local
    timeout: 2h
  - name: check
    needs: [merge]
    validate: {input: "/lake/m@${steps.merge.version}", min_rows: 1, unique: [ID]}
    retry: [{on: [all], max_attempts: 0}]
  - name: notify
    needs: [check]
    command: ["sh", "-c", "echo ${run_id} $$HOME"]
)",
                                   {{"day", "2026-12-02"}});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const PipelineSpec& p = spec.value();
  EXPECT_EQ(p.name, "nightly-genes");
  EXPECT_EQ(p.params.at("day"), "2026-12-02");
  EXPECT_EQ(p.params.at("raw"), "/data/raw");
  EXPECT_EQ(p.log_uri, "/logs/nightly");
  ASSERT_EQ(p.retry.size(), 1u);
  EXPECT_EQ(p.retry[0].on, (std::vector<std::string>{"transient", "node_lost"}));
  EXPECT_EQ(p.retry[0].max_attempts, 4);
  EXPECT_EQ(p.retry[0].interval_seconds, 10);
  EXPECT_EQ(p.retry[0].backoff_rate, 1.5);
  EXPECT_EQ(p.retry[0].max_delay_seconds, 300);
  EXPECT_TRUE(p.retry[0].full_jitter);
  EXPECT_EQ(p.launcher.kind, Launcher::Kind::kMpirun);
  EXPECT_EQ(p.launcher.processes, 8);
  EXPECT_EQ(p.launcher.args, (std::vector<std::string>{"--bind-to", "none"}));
  ASSERT_EQ(p.steps.size(), 3u);
  const StepSpec& merge = p.steps[0];
  EXPECT_EQ(merge.type, "join");
  EXPECT_EQ(merge.launcher->kind, Launcher::Kind::kLocal);
  EXPECT_EQ(merge.timeout_seconds, 7200);
  EXPECT_EQ(merge.options.at("left").text, "${raw}/x/");
  EXPECT_EQ(merge.options.at("output").map.at("dataset"), "/lake/m");
  EXPECT_EQ(merge.at.line, 13);
  EXPECT_EQ(p.steps[1].options.at("unique").list, (std::vector<std::string>{"ID"}));
  EXPECT_EQ(p.steps[1].retry->at(0).max_attempts, 0);
  EXPECT_EQ(p.steps[2].options.at("command").list.size(), 3u);
  EXPECT_TRUE(p.Precedes("merge", "notify"));
  EXPECT_FALSE(p.Precedes("notify", "merge"));
}

struct Malformed {
  const char* what;
  const char* yaml;
  const char* error;  // after "p.yaml:"
};

TEST(PipelineSpecTest, EachMalformedSpecNamesFileLineAndColumn) {
  const std::vector<Malformed> cases = {
      {"YAML syntax", "name: p\nsteps: [\n", "3:1: end of sequence flow not found"},
      {"not a mapping", "- a\n- b\n", "1:1: a pipeline must be a mapping"},
      {"unknown top-level key", "name: p\nschedule: daily\nsteps: [{name: a, command: [x]}]\n",
       "2:1: unknown key 'schedule' in a pipeline"},
      {"bad pipeline name", "name: 'my pipeline'\nsteps: [{name: a, command: [x]}]\n",
       "1:7: a pipeline name is letters, digits, '_', '.' and '-'"},
      {"no steps", "name: p\n", "1:1: a pipeline needs steps"},
      {"unknown step type", "name: p\nsteps:\n  - name: a\n    sort: {input: x}\n", "4:5: unknown key 'sort' in a step"},
      {"two step types", "name: p\nsteps:\n  - name: a\n    command: [x]\n    publish: {dataset: d, version: v}\n",
       "5:5: a step has one type; this one is already a command"},
      {"step without a type", "name: p\nsteps:\n  - name: a\n    needs: []\n",
       "3:5: step 'a' has no type (join, aggregate, upsert, validate, publish or command)"},
      {"unknown option", "name: p\nsteps:\n  - name: a\n    join: {left: l, right: r, howw: left}\n",
       "4:31: unknown option 'howw' of a join step"},
      {"needs names no step", "name: p\nsteps:\n  - name: a\n    needs: [b]\n    command: [x]\n",
       "3:5: step 'a' needs 'b', which is no step"},
      {"a cycle",
       "name: p\nsteps:\n  - name: a\n    needs: [c]\n    command: [x]\n  - name: b\n    needs: [a]\n    command: [x]\n"
       "  - name: c\n    needs: [b]\n    command: [x]\n",
       "3:5: a cycle of needs: a -> c -> b -> a"},
      {"undefined reference", "name: p\nsteps:\n  - name: a\n    command: [echo, '${dya}']\n",
       "4:14: undefined ${dya} (params: none)"},
      {"reference to a step not needed",
       "name: p\nsteps:\n  - name: a\n    command: [x]\n  - name: b\n    command: [echo, '${steps.a.output}']\n",
       "6:14: ${steps.a.output}: step 'b' does not need 'a' (add it to needs)"},
      {"unclosed reference", "name: p\nsteps:\n  - name: a\n    command: [echo, '${day']\n",
       "4:14: '${' without its '}' in \"${day\""},
      {"bad duration", "name: p\nsteps:\n  - name: a\n    command: [x]\n    timeout: 2 hours\n",
       "5:14: timeout: not a duration: '2 hours' (a number and a unit: 90s, 30m, 12h, 7d)"},
      {"unknown error class", "name: p\nretry: [{on: [flaky]}]\nsteps: [{name: a, command: [x]}]\n",
       "2:14: unknown error class 'flaky' (transient, node_lost, out_of_memory, timeout or all; bad input and usage "
       "errors are never retried)"},
      {"backoff below 1", "name: p\nretry: [{on: [all], backoff_rate: 0.5}]\nsteps: [{name: a, command: [x]}]\n",
       "2:35: backoff_rate must be a number of at least 1, not '0.5'"},
      {"negative attempts", "name: p\nretry: [{on: [all], max_attempts: -1}]\nsteps: [{name: a, command: [x]}]\n",
       "2:35: max_attempts must be a whole number of at least 0, not '-1'"},
      {"retrier without on", "name: p\nretry: [{max_attempts: 2}]\nsteps: [{name: a, command: [x]}]\n",
       "2:9: a retrier needs 'on': the error classes it retries"},
      {"launcher without np", "name: p\nlauncher: {mpirun: {args: [-v]}}\nsteps: [{name: a, command: [x]}]\n",
       "2:20: mpirun needs np: how many processes"},
      {"duplicate step", "name: p\nsteps:\n  - name: a\n    command: [x]\n  - name: a\n    command: [y]\n",
       "5:5: a second step named 'a'"},
      {"duplicate key", "name: p\nname: q\nsteps: [{name: a, command: [x]}]\n", "2:1: 'name' given twice in a pipeline"},
      {"command not a list", "name: p\nsteps:\n  - name: a\n    command: echo hi\n",
       "4:14: command must be a list: the program and its arguments"},
  };
  TempDir dir;
  for (const Malformed& c : cases) {
    Result<PipelineSpec> spec = Load(dir, c.yaml);
    ASSERT_FALSE(spec.ok()) << c.what;
    EXPECT_EQ(spec.status().code(), Status::Code::kInvalidArgument) << c.what;
    EXPECT_EQ(spec.status().message(), (dir / "p.yaml") + ":" + c.error) << c.what;
  }
}

TEST(PipelineSpecTest, OverridesOnlyDeclaredParams) {
  TempDir dir;
  Result<PipelineSpec> spec = Load(dir, "name: p\nparams: {day: d1}\nsteps: [{name: a, command: [x]}]\n", {{"dy", "x"}});
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message(), "-p dy=...: " + (dir / "p.yaml") + " declares no param 'dy'");
}

}  // namespace
}  // namespace mergeflow
