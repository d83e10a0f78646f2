#include "cli/pipeline_command.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "cli/file_systems.h"
#include "cli/aggregate_command.h"
#include "cli/join_command.h"
#include "cli/upsert_command.h"
#include "cli/validate_command.h"
#include "common/sha256.h"
#include "common/utc_time.h"
#include "io/output_committer.h"
#include "pipeline/pipeline_plan.h"
#include "pipeline/pipeline_runner.h"

namespace mergeflow {
namespace {

// The option names of command `command`: arguments by their name in lower
// case, options by their long names.
std::set<std::string> OptionNames(const CLI::App* command, const std::set<std::string>& runner_sets) {
  std::set<std::string> names;
  for (const CLI::Option* option : command->get_options()) {
    std::vector<std::string> own = option->get_lnames();
    if (option->get_positional()) {
      std::string name = option->get_name();
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      own = {name};
    }
    for (const std::string& name : own) {
      if (name != "help" && !runner_sets.count(name)) names.insert(name);
    }
  }
  return names;
}

Result<std::map<std::string, std::string>> ParseParams(const std::vector<std::string>& given) {
  std::map<std::string, std::string> params;
  for (const std::string& p : given) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return Status::InvalidArgument("-p " + p + ": give NAME=VALUE");
    params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return params;
}

// Reads and checks the pipeline file with -p `given`, and the --force steps.
Result<PipelineSpec> LoadSpec(const std::string& file, const std::map<std::string, std::string>& params,
                              const std::vector<std::string>& force) {
  MF_ASSIGN_OR_RETURN(PipelineSpec spec, LoadPipelineSpec(file, params, PipelineStepOptions()));
  for (const std::string& step : force) {
    if (spec.Step(step) == nullptr) return Status::InvalidArgument("--force " + step + ": " + file + " has no such step");
  }
  return spec;
}

Result<std::string> FileSha256(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::IOError("cannot read " + file);
  return Sha256Hex(text.str());
}

// This running mergeflow, which the runner starts for each step.
Result<std::string> ThisBinary() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return Status::IOError("cannot find the mergeflow binary (/proc/self/exe)");
  return std::string(path, static_cast<size_t>(n));
}

std::string Duration(const std::string& from, const std::string& to) {
  const std::optional<int64_t> a = ParseUtcMillis(from);
  const std::optional<int64_t> b = ParseUtcMillis(to.empty() ? FormatUtcMillis(NowMillis()) : to);
  if (!a || !b) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f s", (*b - *a) / 1e3);
  return text;
}

// A run's status as `runs` shows it: a record that says "running" while
// its run no longer holds the lock belongs to a run that was killed.
std::string ShownStatus(const PipelineRunRecord& r, const std::string& log_uri) {
  if (r.status != "running") return r.status;
  Result<FileSystem*> fs = FileSystemFor(log_uri);
  if (!fs.ok()) return r.status;
  Result<VersionedContents> lock = fs.value()->ReadVersioned(JoinPath(log_uri, r.pipeline + ".lock"));
  if (!lock.ok()) return r.status;
  if (lock.value().exists) {
    Result<RunMarker> holder = RunMarker::FromJson(lock.value().contents, log_uri);
    if (holder.ok() && holder.value().run_id == r.run_id && !holder.value().IsStale(UnixNow())) return "running";
  }
  return "killed";
}

}  // namespace

StepOptionNames PipelineStepOptions() {
  CLI::App app;
  JoinCommandOptions join;
  UpsertCommandOptions upsert;
  const std::set<std::string> runner_sets = {"dataset", "no-publish", "quiet", "progress-interval"};
  StepOptionNames names;
  names["join"] = OptionNames(AddJoinCommand(&app, &join), runner_sets);
  AggregateCommandOptions aggregate;
  names["aggregate"] = OptionNames(AddAggregateCommand(&app, &aggregate), runner_sets);
  // An upsert's DATASET argument is its output.
  names["upsert"] = OptionNames(AddUpsertCommand(&app, &upsert), {"no-publish", "quiet"});
  ValidateCommandOptions validate;
  names["validate"] = OptionNames(AddValidateCommand(&app, &validate), {});
  names["publish"] = {"dataset", "version"};
  return names;
}

CLI::App* AddPlanCommand(CLI::App* app, PlanCommandOptions* o) {
  CLI::App* plan = app->add_subcommand("plan", "Show which steps of a pipeline would run, and why");
  plan->add_option("PIPELINE", o->pipeline, "The pipeline's YAML file")->required();
  plan->add_option("-p,--param", o->params, "NAME=VALUE: a param of the pipeline");
  plan->add_option("--force", o->force, "Run this step and every step after it even if done");
  return plan;
}

Status RunPlanCommand(const PlanCommandOptions& o) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  MF_ASSIGN_OR_RETURN(auto params, ParseParams(o.params));
  MF_ASSIGN_OR_RETURN(PipelineSpec spec, LoadSpec(o.pipeline, params, o.force));
  MF_ASSIGN_OR_RETURN(std::vector<StepDecision> plan,
                      PlanPipeline(spec, std::set<std::string>(o.force.begin(), o.force.end()), NewRunId()));
  std::fputs(FormatPlan(spec, plan).c_str(), stdout);
  return Status::OK();
}

CLI::App* AddRunCommand(CLI::App* app, RunCommandOptions* o) {
  CLI::App* run = app->add_subcommand("run", "Run a pipeline: every step not done yet, with retries");
  run->add_option("PIPELINE", o->pipeline.pipeline, "The pipeline's YAML file")->required();
  run->add_option("-p,--param", o->pipeline.params, "NAME=VALUE: a param of the pipeline");
  run->add_option("--force", o->pipeline.force, "Run this step and every step after it even if done");
  run->add_option("--resume", o->resume, "Go on with this run: its id, params and retry schedule");
  run->add_option("--log-uri", o->log_uri, "Where run records and logs go (default: the pipeline's log_uri)");
  run->add_option("--metrics-file", o->metrics_file, "Write run and step metrics here (Prometheus text format)");
  return run;
}

Status RunRunCommand(const RunCommandOptions& o) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  MF_ASSIGN_OR_RETURN(auto params, ParseParams(o.pipeline.params));
  MF_ASSIGN_OR_RETURN(PipelineSpec spec, LoadSpec(o.pipeline.pipeline, params, o.pipeline.force));
  RunOptions options;
  options.log_uri = PipelineLogUri(spec, o.log_uri);
  options.forced.insert(o.pipeline.force.begin(), o.pipeline.force.end());
  if (!o.resume.empty()) {
    Result<PipelineRunRecord> before = ReadPipelineRunRecord(options.log_uri, o.resume);
    if (!before.ok()) {
      if (before.status().code() == Status::Code::kNotFound)
        return Status::InvalidArgument("--resume " + o.resume + ": " + before.status().message());
      return before.status();
    }
    if (!params.empty()) return Status::InvalidArgument("--resume takes the params of run " + o.resume + ": leave out -p");
    MF_ASSIGN_OR_RETURN(spec, LoadSpec(o.pipeline.pipeline, before.value().params, o.pipeline.force));
    if (options.forced.empty()) options.forced.insert(before.value().forced.begin(), before.value().forced.end());
    options.resume_run_id = o.resume;
  }
  MF_ASSIGN_OR_RETURN(options.spec_sha256, FileSha256(o.pipeline.pipeline));
  if (o.embedding != nullptr && !o.embedding->program.empty()) {
    options.binary = o.embedding->program;
  } else {
    MF_ASSIGN_OR_RETURN(options.binary, ThisBinary());
  }
  options.metrics_file = o.metrics_file;
  if (const char* seconds = std::getenv("MERGEFLOW_LOG_UPLOAD_SECONDS"); seconds != nullptr && std::atof(seconds) > 0)
    options.log_upload_seconds = std::atof(seconds);
  MF_ASSIGN_OR_RETURN(PipelineRunRecord run, RunPipeline(spec, options));
  if (o.embedding != nullptr) o.embedding->manifest = run.ToJson().dump(2);
  int ran = 0, skipped = 0;
  for (const StepRunRecord& s : run.steps) {
    ran += s.status == "succeeded";
    skipped += s.status == "skipped";
  }
  std::printf("run %s %s: %d steps ran, %d skipped, in %s\n", run.run_id.c_str(), run.status.c_str(), ran, skipped,
              Duration(run.started_at, run.ended_at).c_str());
  if (run.status != "succeeded") return Status::IOError("pipeline " + spec.name + " failed at step " + run.error);
  return Status::OK();
}

CLI::App* AddRunsCommand(CLI::App* app, RunsCommandOptions* o) {
  CLI::App* runs = app->add_subcommand("runs", "The runs of a pipeline: when, how long, and how they ended");
  runs->add_option("PIPELINE", o->pipeline, "The pipeline's YAML file (for its log_uri)");
  runs->add_option("--log-uri", o->log_uri, "Where the runs are recorded");
  CLI::App* show = runs->add_subcommand("show", "One run: its steps, attempts, errors, rows and bytes");
  show->add_option("RUN_ID", o->run_id, "The run")->required();
  show->add_option("PIPELINE", o->pipeline, "The pipeline's YAML file (for its log_uri)");
  show->add_option("--log-uri", o->log_uri, "Where the runs are recorded");
  return runs;
}

namespace {

std::string Counted(const std::optional<int64_t>& n) { return n ? std::to_string(*n) : "-"; }

void ShowRun(const PipelineRunRecord& r, const std::string& log_uri) {
  std::printf("run %s of pipeline %s: %s\n", r.run_id.c_str(), r.pipeline.c_str(), ShownStatus(r, log_uri).c_str());
  if (!r.error.empty()) std::printf("error: %s\n", r.error.c_str());
  std::printf("started %s, ended %s (%s), by process %ld on %s\n", r.started_at.c_str(),
              r.ended_at.empty() ? "-" : r.ended_at.c_str(), Duration(r.started_at, r.ended_at).c_str(),
              static_cast<long>(r.runner.owner.pid), r.runner.owner.host.c_str());
  std::string params;
  for (const auto& [name, value] : r.params) params += (params.empty() ? "" : " ") + name + "=" + value;
  std::printf("params: %s\n", params.empty() ? "(none)" : params.c_str());
  std::printf("%-16s %-10s %8s %12s %14s %10s  %s\n", "STEP", "STATUS", "ATTEMPTS", "ROWS", "BYTES", "SECONDS",
              "REASON");
  for (const StepRunRecord& s : r.steps) {
    double seconds = 0;
    for (const AttemptRecord& a : s.attempts) seconds += a.seconds;
    std::printf("%-16s %-10s %8zu %12s %14s %10.1f  %s%s\n", s.name.c_str(), s.status.c_str(), s.attempts.size(),
                Counted(s.rows).c_str(), Counted(s.bytes).c_str(), seconds, s.reason.c_str(),
                s.next_attempt_at.empty() ? "" : (" (next attempt at " + s.next_attempt_at + ")").c_str());
    for (const AttemptRecord& a : s.attempts) {
      std::printf("  attempt %d: %s %s%s%s%s\n    log: %s\n", a.attempt, a.started_at.c_str(),
                  a.outcome.empty() ? "(running)" : a.outcome.c_str(),
                  a.error_class.empty() ? "" : (" [" + a.error_class + "]").c_str(), a.error.empty() ? "" : ": ",
                  a.error.c_str(), a.log.c_str());
    }
  }
}

}  // namespace

Status RunRunsCommand(const RunsCommandOptions& o, const CLI::App* runs) {
  MF_RETURN_IF_ERROR(SetUpFileSystems());
  if (o.log_uri.empty() && o.pipeline.empty())
    return Status::InvalidArgument("runs: give the pipeline's YAML file or --log-uri");
  std::string log_uri = o.log_uri;
  std::string name;  // of the pipeline whose runs are listed; empty: every pipeline's
  if (!o.pipeline.empty()) {
    MF_ASSIGN_OR_RETURN(PipelineSpec spec, LoadSpec(o.pipeline, {}, {}));
    log_uri = PipelineLogUri(spec, o.log_uri);
    name = spec.name;
  }
  if (runs->get_subcommand("show")->parsed()) {
    Result<PipelineRunRecord> run = ReadPipelineRunRecord(log_uri, o.run_id);
    if (!run.ok()) {
      if (run.status().code() == Status::Code::kNotFound) return Status::InvalidArgument(run.status().message());
      return run.status();
    }
    ShowRun(run.value(), log_uri);
    return Status::OK();
  }
  MF_ASSIGN_OR_RETURN(std::vector<PipelineRunRecord> list, ListPipelineRunRecords(log_uri));
  std::printf("%-34s %-24s %10s %-12s %5s %8s %7s\n", "RUN", "STARTED", "DURATION", "STATUS", "DONE", "SKIPPED",
              "FAILED");
  for (const PipelineRunRecord& r : list) {
    if (!name.empty() && r.pipeline != name) continue;  // another pipeline's, under the same log URI
    int done = 0, skipped = 0, failed = 0;
    for (const StepRunRecord& s : r.steps) {
      done += s.status == "succeeded";
      skipped += s.status == "skipped";
      failed += s.status == "failed";
    }
    std::printf("%-34s %-24s %10s %-12s %5d %8d %7d\n", r.run_id.c_str(), r.started_at.c_str(),
                Duration(r.started_at, r.ended_at).c_str(), ShownStatus(r, log_uri).c_str(), done, skipped, failed);
  }
  return Status::OK();
}

}  // namespace mergeflow
