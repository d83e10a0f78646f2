#include "pipeline/pipeline_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "common/error_class.h"
#include "common/interrupt.h"
#include "common/secret_redactor.h"
#include "common/utc_time.h"
#include "common/whole_file.h"
#include "io/file_system.h"
#include "io/output_committer.h"
#include "io/run_marker_file.h"
#include "io/temp_directory.h"
#include "pipeline/child_process.h"
#include "pipeline/pipeline_plan.h"
#include "pipeline/retry_policy.h"
#include "pipeline/step_log.h"

namespace mergeflow {
namespace {

// The process that runs a step: the step's launcher, then this mergeflow
// and the step's command line (a command step's own command instead).
std::vector<std::string> StepCommandLine(const StepInvocation& step, const Launcher& launcher,
                                         const std::string& binary) {
  std::vector<std::string> argv;
  if (launcher.kind == Launcher::Kind::kMpirun) argv = {"mpirun", "-np", std::to_string(launcher.processes)};
  if (launcher.kind == Launcher::Kind::kSrun) argv = {"srun", "--ntasks", std::to_string(launcher.processes)};
  argv.insert(argv.end(), launcher.args.begin(), launcher.args.end());
  if (step.spec->type != "command") argv.push_back(binary);
  argv.insert(argv.end(), step.argv.begin(), step.argv.end());
  return argv;
}

// Of the error records a step's processes wrote, the one that explains its
// failure best: the rank that failed on its own, not those stopped after it.
std::optional<ErrorRecord> Cause(const std::vector<ErrorRecord>& records) {
  static constexpr ErrorClass kOrder[] = {ErrorClass::kUsage,     ErrorClass::kBadInput, ErrorClass::kOutOfMemory,
                                          ErrorClass::kTransient, ErrorClass::kFailed,   ErrorClass::kNodeLost};
  for (ErrorClass c : kOrder) {
    for (const ErrorRecord& r : records) {
      if (r.error_class == c) return r;
    }
  }
  return std::nullopt;
}

// A command's exit status in the classes of sysexits.h.
ErrorClass ClassOfExitStatus(int code) {
  switch (code) {
    case 64: return ErrorClass::kUsage;      // EX_USAGE
    case 65:                                 // EX_DATAERR
    case 66: return ErrorClass::kBadInput;   // EX_NOINPUT
    case 75: return ErrorClass::kTransient;  // EX_TEMPFAIL
    default: return ErrorClass::kFailed;
  }
}

// Why a step's process failed, from what it recorded and how it ended.
ErrorRecord ClassifyFailure(const ChildOutcome& outcome, const std::vector<ErrorRecord>& records,
                            const std::string& last_line, bool launched) {
  if (outcome.timed_out) return {ErrorClass::kTimeout, DescribeOutcome(outcome)};
  if (std::optional<ErrorRecord> cause = Cause(records)) return *cause;
  const std::string how = DescribeOutcome(outcome) + (last_line.empty() ? "" : ": " + last_line);
  // Nothing recorded: killed before it could say anything, or a rank lost.
  if (outcome.signal != 0 || launched) return {ErrorClass::kNodeLost, how};
  return {ClassOfExitStatus(outcome.exit_code), how};
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f s", s);
  return text;
}

class PipelineRun {
 public:
  PipelineRun(const PipelineSpec& spec, const RunOptions& options)
      : spec_(spec),
        options_(options),
        redactor_(SecretRedactor::FromEnvironment()),
        random_(std::random_device{}()) {}

  Result<PipelineRunRecord> Run();

 private:
  Status Start();
  // Decides `step` and skips it or runs it; false when it failed for good.
  Result<bool> DecideAndRun(PipelinePlanner* planner, const StepSpec& step);
  // Runs `step`'s attempts until one succeeds or no retry is left; false
  // when it failed for good.
  Result<bool> RunStep(const PipelinePlanner& planner, const StepSpec& step, StepDecision decision);
  Result<std::optional<ErrorRecord>> Attempt(const StepInvocation& step, int attempt, StepRunRecord* record);
  std::vector<ErrorRecord> ErrorRecords(const std::string& prefix);
  Status Save();
  void Say(const std::string& step, const std::string& text);
  void WriteMetrics();

  const PipelineSpec& spec_;
  const RunOptions& options_;
  const SecretRedactor redactor_;
  std::mt19937_64 random_;
  std::unique_ptr<RunMarkerFile> lock_;
  std::unique_ptr<TempDirectory> scratch_;  // error records of step processes, log spools
  std::mutex record_mu_;                    // the record is also written by an interrupt
  PipelineRunRecord record_;
  bool resumed_ = false;
};

Status PipelineRun::Save() {
  std::lock_guard<std::mutex> lock(record_mu_);
  return WritePipelineRunRecord(record_, redactor_).WithPrefix("cannot write the run record: ");
}

void PipelineRun::Say(const std::string& step, const std::string& text) {
  std::printf("  %-16s %s\n", step.c_str(), redactor_.Redact(text).c_str());
  std::fflush(stdout);
}

Status PipelineRun::Start() {
  const std::string run_id = options_.resume_run_id.empty() ? NewRunId() : options_.resume_run_id;
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(options_.log_uri));
  MF_RETURN_IF_ERROR(CreateDirectories(fs, options_.log_uri).WithPrefix("cannot create " + options_.log_uri + ": "));
  std::optional<RunMarker> stale;
  MF_ASSIGN_OR_RETURN(lock_, RunMarkerFile::Acquire(fs, JoinPath(options_.log_uri, spec_.name + ".lock"),
                                                    "pipeline " + spec_.name, run_id, &stale));
  if (stale)
    std::printf("took over the lock of run %s (process %ld on %s, silent or gone)\n", stale->run_id.c_str(),
                static_cast<long>(stale->owner.pid), stale->owner.host.c_str());
  if (!options_.resume_run_id.empty()) {
    MF_ASSIGN_OR_RETURN(record_, ReadPipelineRunRecord(options_.log_uri, run_id));
    if (record_.spec_sha256 != options_.spec_sha256)
      return Status::InvalidArgument("cannot resume run " + run_id + ": " + spec_.file +
                                     " changed since it started (start a new run instead)");
    resumed_ = true;
  } else {
    record_.run_id = run_id;
    record_.pipeline = spec_.name;
    record_.file = spec_.file;
    record_.spec_sha256 = options_.spec_sha256;
    record_.params = spec_.params;
    record_.forced.assign(options_.forced.begin(), options_.forced.end());
    record_.log_uri = options_.log_uri;
    record_.started_at = FormatUtcMillis(NowMillis());
    for (const StepSpec& step : spec_.steps) record_.steps.push_back(StepRunRecord{step.name, step.type});
  }
  record_.runner = RunMarker::ForCurrentProcess("pipeline " + spec_.name, run_id);
  record_.status = "running";
  record_.ended_at.clear();
  record_.error.clear();
  MF_ASSIGN_OR_RETURN(scratch_, TempDirectory::Create("", std::string(TempDirectory::kPrefix) + "run-" + run_id));
  std::printf("run %s of pipeline %s%s (records: %s)\n", run_id.c_str(), spec_.name.c_str(),
              resumed_ ? ", resumed" : "", RunDirectory(options_.log_uri, run_id).c_str());
  return Save();
}

std::vector<ErrorRecord> PipelineRun::ErrorRecords(const std::string& prefix) {
  std::vector<ErrorRecord> records;
  Result<std::vector<FileInfo>> files = scratch_->fs()->Glob(prefix + "*");
  if (!files.ok()) return records;
  for (const FileInfo& f : files.value()) {
    if (f.path.ends_with(".tmp")) continue;
    if (std::optional<ErrorRecord> r = ReadErrorRecord(f.path)) records.push_back(std::move(*r));
  }
  return records;
}

Result<std::optional<ErrorRecord>> PipelineRun::Attempt(const StepInvocation& step, int attempt,
                                                         StepRunRecord* record) {
  const std::string name = step.spec->name + "." + std::to_string(attempt);
  AttemptRecord a;
  a.attempt = attempt;
  a.started_at = FormatUtcMillis(NowMillis());
  a.log = JoinPath(RunDirectory(options_.log_uri, record_.run_id), name + ".log");
  {
    std::lock_guard<std::mutex> lock(record_mu_);
    record->status = "running";
    record->next_attempt = 0;
    record->next_attempt_at.clear();
    record->attempts.push_back(a);
  }
  MF_RETURN_IF_ERROR(Save());
  MF_ASSIGN_OR_RETURN(std::unique_ptr<StepLog> log, StepLog::Open(a.log, JoinPath(scratch_->path(), name + ".log"),
                                                                  &redactor_, options_.log_upload_seconds));
  const Launcher launcher = step.spec->launcher.value_or(spec_.launcher);
  ChildOptions child;
  child.argv = StepCommandLine(step, launcher, options_.binary);
  const std::string error_file = JoinPath(scratch_->path(), name + ".error");
  nlohmann::json step_record = step.key_parts.ToJson();
  step_record["key"] = record->key;
  step_record["run_id"] = record_.run_id;
  child.environment = {{kErrorRecordVariable, error_file}, {kStepRecordVariable, step_record.dump()}};
  if (step.spec->timeout_seconds) child.timeout_seconds = static_cast<double>(*step.spec->timeout_seconds);
  std::string command;
  for (const std::string& word : child.argv) command += (command.empty() ? "" : " ") + word;
  log->Note("mergeflow: step " + step.spec->name + ", attempt " + std::to_string(attempt) + ": " + command);
  MF_ASSIGN_OR_RETURN(ChildOutcome outcome, RunChild(child, [&](std::string_view bytes) { log->Append(bytes); }));
  std::optional<ErrorRecord> failure;
  if (outcome.exit_code != 0 || outcome.timed_out) {
    failure = ClassifyFailure(outcome, ErrorRecords(error_file), log->last_line(),
                              launcher.kind != Launcher::Kind::kLocal);
    failure->message = redactor_.Redact(failure->message);
  }
  log->Note("mergeflow: step " + step.spec->name + ", attempt " + std::to_string(attempt) + ": " +
            (failure ? DescribeOutcome(outcome) + " (" + std::string(ErrorClassName(failure->error_class)) + ")"
                     : std::string("succeeded")) +
            " after " + Seconds(outcome.seconds));
  const Status closed = log->Close();
  if (!closed.ok()) Say(step.spec->name, "could not keep the log: " + closed.message());
  std::lock_guard<std::mutex> lock(record_mu_);
  AttemptRecord& done = record->attempts.back();
  done.ended_at = FormatUtcMillis(NowMillis());
  done.seconds = outcome.seconds;
  if (outcome.signal == 0 && !outcome.timed_out) done.exit_code = outcome.exit_code;
  done.outcome = failure ? DescribeOutcome(outcome) : "succeeded";
  if (failure) {
    done.error_class = ErrorClassName(failure->error_class);
    done.error = failure->message;
  }
  return failure;
}

Result<bool> PipelineRun::RunStep(const PipelinePlanner& planner, const StepSpec& step, StepDecision decision) {
  StepRunRecord* record = record_.Step(step.name);
  const std::vector<RetryRule>& rules = step.retry ? *step.retry : spec_.retry;
  std::unique_lock<std::mutex> hold(record_mu_);
  int attempt = record->attempts.empty() ? 1 : record->attempts.back().attempt + 1;
  // A resumed run keeps the schedule of a step that was waiting to retry.
  if (resumed_ && record->status == "retrying" && !record->next_attempt_at.empty()) {
    hold.unlock();
    const std::optional<int64_t> due = ParseUtcMillis(record->next_attempt_at);
    if (due && *due > NowMillis()) {
      Say(step.name, "waits for attempt " + std::to_string(attempt) + " until " + record->next_attempt_at);
      std::this_thread::sleep_for(std::chrono::milliseconds(*due - NowMillis()));
    }
  } else {
    record->retries_by_rule.clear();
    hold.unlock();
  }
  {
    std::lock_guard<std::mutex> lock(record_mu_);
    record->reason = decision.reason;
    record->key = decision.key;
    record->output = decision.invocation->output;
  }
  for (;; ++attempt) {
    if (attempt > 1 || !decision.invocation) {
      // Resolved again: ${attempt} may change what it asks for.
      MF_ASSIGN_OR_RETURN(decision, planner.Decide(step, attempt));
    }
    if (lock_->lost())
      return Status::Conflict("another run took over the lock of pipeline " + spec_.name + " (" + lock_->path() +
                              "): this run stops");
    MF_ASSIGN_OR_RETURN(std::optional<ErrorRecord> failure, Attempt(*decision.invocation, attempt, record));
    if (!failure) break;
    RetryDecision retry;
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      retry = NextRetry(rules, failure->error_class, &record->retries_by_rule, &random_);
    }
    const std::string what = "attempt " + std::to_string(attempt) + " failed (" +
                             std::string(ErrorClassName(failure->error_class)) + "): " + failure->message;
    if (!retry.retry) {
      {
        std::lock_guard<std::mutex> lock(record_mu_);
        record->status = "failed";
        record_.error = step.name + ": " + failure->message + " (" + std::string(ErrorClassName(failure->error_class)) +
                        (attempt > 1 ? ", after " + std::to_string(attempt) + " attempts" : "") + ")";
      }
      Say(step.name, what + "; " + retry.why_not);
      MF_RETURN_IF_ERROR(Save());
      return false;
    }
    const int64_t due = NowMillis() + static_cast<int64_t>(retry.wait_seconds * 1000);
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      record->status = "retrying";
      record->next_attempt = attempt + 1;
      record->next_attempt_at = FormatUtcMillis(due);
    }
    MF_RETURN_IF_ERROR(Save());
    Say(step.name, what + "; attempt " + std::to_string(attempt + 1) + " in " + Seconds(retry.wait_seconds));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, due - NowMillis())));
  }
  // What it wrote: the version of a dataset, the rows and bytes.
  MF_ASSIGN_OR_RETURN(std::optional<StepRecord> wrote, ReadStepRecord(*decision.invocation, record->key));
  std::lock_guard<std::mutex> lock(record_mu_);
  record->status = "succeeded";
  if (wrote) {
    record->version = wrote->version;
    record->rows = static_cast<int64_t>(wrote->rows);
    record->bytes = static_cast<int64_t>(wrote->bytes);
  }
  const AttemptRecord& last = record->attempts.back();
  Say(step.name, "succeeded in " + Seconds(last.seconds) +
                     (wrote ? " (" + std::to_string(wrote->rows) + " rows" +
                                  (wrote->version.empty() ? "" : ", version " + wrote->version) + ")"
                            : ""));
  return true;
}

Result<bool> PipelineRun::DecideAndRun(PipelinePlanner* planner, const StepSpec& step) {
  StepRunRecord* record = record_.Step(step.name);
  Result<StepDecision> decided = planner->Decide(step);
  if (!decided.ok() && decided.status().code() != Status::Code::kInvalidArgument) {
    // What it reads cannot be read (a missing input): it fails before any attempt.
    const Status why = decided.status();
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      record->status = "failed";
      record->reason = why.message();
      record_.error = step.name + ": " + why.message() + " (" + std::string(ErrorClassName(ClassOf(why))) + ")";
    }
    Say(step.name, "fails: " + why.message());
    return false;
  }
  MF_ASSIGN_OR_RETURN(StepDecision decision, std::move(decided));
  planner->Record(decision);
  if (!decision.run) {
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      record->status = "skipped";
      record->reason = decision.reason;
      record->key = decision.key;
      if (decision.done) record->version = decision.done->version;
    }
    Say(step.name, "skip  " + decision.reason);
    return true;
  }
  Say(step.name, "run   " + decision.reason);
  MF_ASSIGN_OR_RETURN(bool succeeded, RunStep(*planner, step, std::move(decision)));
  if (succeeded) planner->Finished(step.name, record->version);
  return succeeded;
}

Result<PipelineRunRecord> PipelineRun::Run() {
  MF_RETURN_IF_ERROR(Start());
  // An interrupt leaves a record that says so (the step's processes are
  // stopped first: their cleanup was registered later).
  const int interrupted = RegisterCleanup([this] {
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      record_.status = "interrupted";
      record_.ended_at = FormatUtcMillis(NowMillis());
    }
    (void)Save();
  });
  PipelinePlanner planner(spec_, options_.forced, record_.run_id);
  std::string failed;
  Status error;
  for (const StepSpec* step : planner.order()) {
    if (!failed.empty() || !error.ok()) {
      std::lock_guard<std::mutex> lock(record_mu_);
      StepRunRecord* record = record_.Step(step->name);
      record->status = "not_run";
      record->reason = failed.empty() ? "the run stopped" : "after " + failed + ", which failed";
      continue;
    }
    Result<bool> done = DecideAndRun(&planner, *step);
    if (!done.ok()) {
      error = done.status();
    } else if (!done.value()) {
      failed = step->name;
    }
  }
  {
    std::lock_guard<std::mutex> lock(record_mu_);
    record_.ended_at = FormatUtcMillis(NowMillis());
    record_.status = error.ok() && failed.empty() ? "succeeded" : "failed";
    if (!error.ok()) record_.error = error.message();
  }
  const Status saved = Save();
  UnregisterCleanup(interrupted);
  WriteMetrics();
  MF_RETURN_IF_ERROR(error);
  MF_RETURN_IF_ERROR(saved);
  return record_;
}

// Prometheus text format (for node_exporter's textfile collector): written
// whole under a temporary name, then renamed.
void PipelineRun::WriteMetrics() {
  if (options_.metrics_file.empty()) return;
  const std::string labels = "pipeline=\"" + spec_.name + "\"";
  std::string text;
  auto metric = [&](const std::string& name, const std::string& help, const std::string& extra, double value) {
    if (text.find("# HELP " + name + " ") == std::string::npos)
      text += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n";
    char number[64];
    std::snprintf(number, sizeof(number), "%.17g", value);
    text += name + "{" + labels + extra + "} " + number + "\n";
  };
  const std::optional<int64_t> start = ParseUtcMillis(record_.started_at);
  const std::optional<int64_t> end = ParseUtcMillis(record_.ended_at);
  metric("mergeflow_pipeline_run_seconds", "Duration of the last run.", "", start && end ? (*end - *start) / 1e3 : 0);
  metric("mergeflow_pipeline_run_success", "1 when the last run succeeded.", "", record_.status == "succeeded");
  metric("mergeflow_pipeline_run_end_timestamp_seconds", "When the last run ended.", "", end ? *end / 1e3 : 0);
  for (const StepRunRecord& s : record_.steps) {
    const std::string step = ",step=\"" + s.name + "\"";
    double seconds = 0;
    for (const AttemptRecord& a : s.attempts) seconds += a.seconds;
    metric("mergeflow_pipeline_step_seconds", "Time the step's attempts took in the last run.", step, seconds);
    metric("mergeflow_pipeline_step_attempts", "Attempts of the step in the last run.", step,
           static_cast<double>(s.attempts.size()));
    metric("mergeflow_pipeline_step_skipped", "1 when the step was skipped as done.", step, s.status == "skipped");
    metric("mergeflow_pipeline_step_succeeded", "1 when the step succeeded or was skipped.", step,
           s.status == "succeeded" || s.status == "skipped");
    if (s.rows) metric("mergeflow_pipeline_step_rows", "Rows the step's output holds.", step, *s.rows);
    if (s.bytes) metric("mergeflow_pipeline_step_bytes", "Bytes the step's output holds.", step, *s.bytes);
  }
  if (!ReplaceLocalFileWhole(options_.metrics_file, text))
    std::fprintf(stderr, "mergeflow: warning: cannot write %s\n", options_.metrics_file.c_str());
}

}  // namespace

std::string PipelineLogUri(const PipelineSpec& spec, const std::string& given) {
  if (!given.empty()) return given;
  if (!spec.log_uri.empty()) return spec.log_uri;
  const std::string dir = SplitParent(spec.file).first;
  return dir == "." ? ".mergeflow/runs" : JoinPath(dir, ".mergeflow/runs");
}

Result<PipelineRunRecord> RunPipeline(const PipelineSpec& spec, const RunOptions& options) {
  PipelineRun run(spec, options);
  return run.Run();
}

}  // namespace mergeflow
