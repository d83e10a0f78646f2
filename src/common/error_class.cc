#include "common/error_class.h"

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "common/whole_file.h"

namespace mergeflow {
namespace {

constexpr std::array<std::pair<ErrorClass, std::string_view>, 7> kNames = {{
    {ErrorClass::kTransient, "transient"},
    {ErrorClass::kNodeLost, "node_lost"},
    {ErrorClass::kOutOfMemory, "out_of_memory"},
    {ErrorClass::kTimeout, "timeout"},
    {ErrorClass::kBadInput, "bad_input"},
    {ErrorClass::kUsage, "usage"},
    {ErrorClass::kFailed, "failed"},
}};

}  // namespace

std::string_view ErrorClassName(ErrorClass c) {
  for (const auto& [value, name] : kNames) {
    if (value == c) return name;
  }
  return "failed";
}

std::optional<ErrorClass> ErrorClassNamed(std::string_view name) {
  for (const auto& [value, n] : kNames) {
    if (n == name) return value;
  }
  return std::nullopt;
}

bool IsRetryable(ErrorClass c) { return c != ErrorClass::kBadInput && c != ErrorClass::kUsage; }

ErrorClass ClassOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
    case Status::Code::kUntrusted:  // a certificate does not verify: settings, not luck
      return ErrorClass::kUsage;
    case Status::Code::kBadInput:
    case Status::Code::kNotFound:
      return ErrorClass::kBadInput;
    case Status::Code::kIOError:
    case Status::Code::kConflict:  // another writer went first: a new try reads its result
      return ErrorClass::kTransient;
    case Status::Code::kCancelled:  // stopped by a signal: what a launcher sends when a rank is lost
      return ErrorClass::kNodeLost;
    case Status::Code::kOk:
    case Status::Code::kInternal:
      break;
  }
  return ErrorClass::kFailed;
}

void WriteErrorRecord(const std::string& path, const ErrorRecord& record) {
  const nlohmann::json json = {{"class", ErrorClassName(record.error_class)}, {"message", record.message}};
  (void)ReplaceLocalFileWhole(path, json.dump() + "\n");
}

std::optional<ErrorRecord> ReadErrorRecord(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_object() || !json.contains("class") || !json["class"].is_string()) return std::nullopt;
  const std::optional<ErrorClass> c = ErrorClassNamed(json["class"].get<std::string>());
  if (!c) return std::nullopt;
  return ErrorRecord{*c, json.value("message", "")};
}

}  // namespace mergeflow
