#include "common/run_owner.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mergeflow {
namespace {

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The start time of process `pid` in clock ticks since boot; 0 when there
// is no such process, or it has ended and only waits to be reaped (a zombie).
uint64_t StartTicks(int64_t pid) {
  const std::string stat = ReadFirstLine("/proc/" + std::to_string(pid) + "/stat");
  // The command name (field 2) is in parentheses and may hold spaces.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  // Field 3, the first after the name, is the state; the start time is field 22.
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return 0;
    if (i == 3 && (field == "Z" || field == "X")) return 0;
  }
  return std::stoull(field);
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

}  // namespace

int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }

RunOwner RunOwner::Current() {
  RunOwner owner;
  owner.host = HostName();
  owner.boot_id = ReadFirstLine("/proc/sys/kernel/random/boot_id");
  owner.pid = getpid();
  owner.start_ticks = StartTicks(owner.pid);
  return owner;
}

bool RunOwner::IsGone() const {
  const RunOwner self = Current();
  if (host != self.host) return false;
  if (boot_id != self.boot_id) return true;
  return StartTicks(pid) != start_ticks;
}

RunMarker RunMarker::ForCurrentProcess(const std::string& owns, const std::string& run_id) {
  return RunMarker{owns, run_id, RunOwner::Current(), UnixNow()};
}

bool RunMarker::IsStale(int64_t now_unix) const { return owner.IsGone() || now_unix - heartbeat_unix > kLeaseSeconds; }

std::string RunMarker::ToJson() const {
  nlohmann::json j = {{"owns", owns},
                      {"run_id", run_id},
                      {"host", owner.host},
                      {"boot_id", owner.boot_id},
                      {"pid", owner.pid},
                      {"start_ticks", owner.start_ticks},
                      {"heartbeat_unix", heartbeat_unix}};
  return j.dump() + "\n";
}

Result<RunMarker> RunMarker::FromJson(const std::string& text, const std::string& where) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::BadInput(where + ": not a mergeflow run marker");
  try {
    RunMarker m;
    m.owns = j.at("owns").get<std::string>();
    m.run_id = j.at("run_id").get<std::string>();
    m.owner.host = j.at("host").get<std::string>();
    m.owner.boot_id = j.at("boot_id").get<std::string>();
    m.owner.pid = j.at("pid").get<int64_t>();
    m.owner.start_ticks = j.at("start_ticks").get<uint64_t>();
    m.heartbeat_unix = j.at("heartbeat_unix").get<int64_t>();
    return m;
  } catch (const nlohmann::json::exception&) {
    return Status::BadInput(where + ": not a mergeflow run marker");
  }
}

}  // namespace mergeflow
