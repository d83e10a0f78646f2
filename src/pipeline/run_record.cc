#include "pipeline/run_record.h"

#include <algorithm>

#include "common/json_record.h"
#include "io/file_system.h"

namespace mergeflow {
namespace {

constexpr char kRecordName[] = "run.json";

template <typename T>
void PutOptional(nlohmann::json* j, const char* name, const std::optional<T>& value) {
  if (value) (*j)[name] = *value;
}

template <typename T>
std::optional<T> GetOptional(const nlohmann::json& j, const char* name) {
  if (!j.contains(name) || j.at(name).is_null()) return std::nullopt;
  return j.at(name).get<T>();
}

nlohmann::json AttemptJson(const AttemptRecord& a) {
  nlohmann::json j = {{"attempt", a.attempt}, {"started_at", a.started_at}, {"ended_at", a.ended_at},
                      {"outcome", a.outcome}, {"error_class", a.error_class}, {"error", a.error},
                      {"log", a.log},         {"seconds", a.seconds}};
  PutOptional(&j, "exit", a.exit_code);
  return j;
}

AttemptRecord AttemptFrom(const nlohmann::json& j) {
  AttemptRecord a;
  a.attempt = j.at("attempt").get<int>();
  a.started_at = j.value("started_at", "");
  a.ended_at = j.value("ended_at", "");
  a.exit_code = GetOptional<int>(j, "exit");
  a.outcome = j.value("outcome", "");
  a.error_class = j.value("error_class", "");
  a.error = j.value("error", "");
  a.log = j.value("log", "");
  a.seconds = j.value("seconds", 0.0);
  return a;
}

nlohmann::json StepJson(const StepRunRecord& s) {
  nlohmann::json attempts = nlohmann::json::array();
  for (const AttemptRecord& a : s.attempts) attempts.push_back(AttemptJson(a));
  nlohmann::json j = {{"name", s.name},         {"type", s.type},       {"status", s.status},
                      {"reason", s.reason},     {"key", s.key},         {"output", s.output},
                      {"version", s.version},   {"attempts", attempts}, {"retries_by_rule", s.retries_by_rule},
                      {"next_attempt", s.next_attempt}, {"next_attempt_at", s.next_attempt_at}};
  PutOptional(&j, "rows", s.rows);
  PutOptional(&j, "bytes", s.bytes);
  return j;
}

StepRunRecord StepFrom(const nlohmann::json& j) {
  StepRunRecord s;
  s.name = j.at("name").get<std::string>();
  s.type = j.value("type", "");
  s.status = j.at("status").get<std::string>();
  s.reason = j.value("reason", "");
  s.key = j.value("key", "");
  s.output = j.value("output", "");
  s.version = j.value("version", "");
  s.rows = GetOptional<int64_t>(j, "rows");
  s.bytes = GetOptional<int64_t>(j, "bytes");
  for (const nlohmann::json& a : j.value("attempts", nlohmann::json::array())) s.attempts.push_back(AttemptFrom(a));
  s.retries_by_rule = j.value("retries_by_rule", std::vector<int>());
  s.next_attempt = j.value("next_attempt", 0);
  s.next_attempt_at = j.value("next_attempt_at", "");
  return s;
}

}  // namespace

StepRunRecord* PipelineRunRecord::Step(const std::string& name) {
  for (StepRunRecord& s : steps) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

nlohmann::json PipelineRunRecord::ToJson() const {
  nlohmann::json step_list = nlohmann::json::array();
  for (const StepRunRecord& s : steps) step_list.push_back(StepJson(s));
  return {{"run_id", run_id},
          {"pipeline", pipeline},
          {"file", file},
          {"spec_sha256", spec_sha256},
          {"params", params},
          {"forced", forced},
          {"log_uri", log_uri},
          {"runner", nlohmann::json::parse(runner.ToJson())},
          {"started_at", started_at},
          {"ended_at", ended_at},
          {"status", status},
          {"error", error},
          {"steps", step_list}};
}

Result<PipelineRunRecord> PipelineRunRecord::FromJson(const std::string& text, const std::string& where) {
  return ParseJsonRecord<PipelineRunRecord>(text, where, "run record", [&](const nlohmann::json& j) -> Result<PipelineRunRecord> {
    PipelineRunRecord r;
    r.run_id = j.at("run_id").get<std::string>();
    r.pipeline = j.at("pipeline").get<std::string>();
    r.file = j.value("file", "");
    r.spec_sha256 = j.value("spec_sha256", "");
    r.params = j.value("params", std::map<std::string, std::string>());
    r.forced = j.value("forced", std::vector<std::string>());
    r.log_uri = j.value("log_uri", "");
    if (j.contains("runner")) {
      MF_ASSIGN_OR_RETURN(r.runner, RunMarker::FromJson(j.at("runner").dump(), where));
    }
    r.started_at = j.value("started_at", "");
    r.ended_at = j.value("ended_at", "");
    r.status = j.at("status").get<std::string>();
    r.error = j.value("error", "");
    for (const nlohmann::json& s : j.value("steps", nlohmann::json::array())) r.steps.push_back(StepFrom(s));
    return r;
  });
}

std::string RunDirectory(const std::string& log_uri, const std::string& run_id) { return JoinPath(log_uri, run_id); }

Status WritePipelineRunRecord(const PipelineRunRecord& record, const SecretRedactor& redactor) {
  const std::string path = JoinPath(RunDirectory(record.log_uri, record.run_id), kRecordName);
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(path));
  MF_RETURN_IF_ERROR(fs->CreateDirectory(RunDirectory(record.log_uri, record.run_id)));
  MF_ASSIGN_OR_RETURN(VersionedContents current, fs->ReadVersioned(path));
  return fs->WriteIfUnchanged(path, redactor.Redact(record.ToJson().dump(2) + "\n"), current.token);
}

Result<PipelineRunRecord> ReadPipelineRunRecord(const std::string& log_uri, const std::string& run_id) {
  const std::string path = JoinPath(RunDirectory(log_uri, run_id), kRecordName);
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(path));
  MF_ASSIGN_OR_RETURN(VersionedContents current, fs->ReadVersioned(path));
  if (!current.exists) return Status::NotFound("no run " + run_id + " under " + log_uri);
  return PipelineRunRecord::FromJson(current.contents, path);
}

Result<std::vector<PipelineRunRecord>> ListPipelineRunRecords(const std::string& log_uri) {
  MF_ASSIGN_OR_RETURN(FileSystem * fs, FileSystemFor(log_uri));
  MF_ASSIGN_OR_RETURN(std::vector<FileInfo> records, fs->Glob(JoinPath(log_uri, std::string("*/") + kRecordName)));
  std::vector<PipelineRunRecord> runs;
  for (const FileInfo& info : records) {
    Result<std::string> text = ReadWholeFile(fs, info.path);
    if (!text.ok()) continue;
    Result<PipelineRunRecord> record = PipelineRunRecord::FromJson(text.value(), info.path);
    if (record.ok()) runs.push_back(std::move(record).value());
  }
  // Run ids begin with the second a run started: runs of one second are
  // told apart by their records.
  std::stable_sort(runs.begin(), runs.end(), [](const PipelineRunRecord& a, const PipelineRunRecord& b) {
    return a.started_at < b.started_at;
  });
  return runs;
}

}  // namespace mergeflow
