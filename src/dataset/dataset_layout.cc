#include "dataset/dataset_layout.h"

#include <cstdio>

#include "common/utc_time.h"
#include "io/file_system.h"

namespace mergeflow {

std::string PointerPath(const std::string& dataset) { return JoinPath(dataset, "_LATEST.json"); }
std::string HistoryDir(const std::string& dataset) { return JoinPath(dataset, "_history"); }
std::string VersionsDir(const std::string& dataset) { return JoinPath(dataset, "_versions"); }
std::string PinsDir(const std::string& dataset) { return JoinPath(dataset, "_pins"); }

std::string HistoryPath(const std::string& dataset, uint64_t seq) {
  char name[40];
  std::snprintf(name, sizeof(name), "%020llu.json", static_cast<unsigned long long>(seq));
  return JoinPath(HistoryDir(dataset), name);
}

std::string VersionDir(const std::string& dataset, const std::string& version) {
  return JoinPath(VersionsDir(dataset), version);
}

std::string PinPath(const std::string& dataset, const std::string& version) {
  return JoinPath(PinsDir(dataset), version);
}

std::optional<uint64_t> HistorySeqOf(std::string_view name) {
  if (name.size() != 25 || !name.ends_with(".json")) return std::nullopt;
  uint64_t seq = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return seq;
}

bool IsVersionId(std::string_view text) {
  if (text.size() != 25 || text[16] != '-' || !ParseUtcMillis(text.substr(0, 16))) return false;
  for (char c : text.substr(17)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::string> VersionOfWorkName(std::string_view name) {
  if (!name.starts_with('.')) return std::nullopt;
  const size_t end = name.find(".mergeflow-", 1);
  if (end == std::string_view::npos || !IsVersionId(name.substr(1, end - 1))) return std::nullopt;
  return std::string(name.substr(1, end - 1));
}

std::optional<DatasetSelector> ParseDatasetSelector(std::string_view spec) {
  const size_t at = spec.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  DatasetSelector selector;
  selector.dataset = std::string(spec.substr(0, at));
  const std::string_view what = spec.substr(at + 1);
  if (IsVersionId(what)) {
    selector.version = std::string(what);
  } else if (auto millis = ParseUtcMillis(what)) {
    selector.at_millis = *millis;
  } else {
    return std::nullopt;
  }
  return selector;
}

}  // namespace mergeflow
