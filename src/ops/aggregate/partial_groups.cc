#include "ops/aggregate/partial_groups.h"

#include <cstring>

namespace mergeflow {
namespace {

void AppendU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), sizeof(v)); }

bool ReadU64(const std::string& in, size_t* at, uint64_t* v) {
  if (in.size() - *at < sizeof(*v)) return false;
  std::memcpy(v, in.data() + *at, sizeof(*v));
  *at += sizeof(*v);
  return true;
}

bool ReadString(const std::string& in, size_t* at, std::string* s) {
  uint64_t size;
  if (!ReadU64(in, at, &size) || in.size() - *at < size) return false;
  s->assign(in, *at, size);
  *at += size;
  return true;
}

}  // namespace

std::string EncodeGroupKey(const std::vector<std::string>& values) {
  std::string key;
  for (const std::string& v : values) {
    const uint32_t size = static_cast<uint32_t>(v.size());
    key.append(reinterpret_cast<const char*>(&size), sizeof(size));
    key.append(v);
  }
  return key;
}

size_t PartialGroups::GroupOf(const std::vector<std::string>& group_values) {
  auto [at, added] = index.try_emplace(EncodeGroupKey(group_values), 0);
  if (added) {
    at->second = static_cast<uint32_t>(states.AddGroup());
    values.push_back(group_values);
  }
  return at->second;
}

void PartialGroups::Merge(const PartialGroups& other) {
  for (size_t g = 0; g < other.values.size(); ++g) states.Merge(other.states, g, GroupOf(other.values[g]));
  aggregated_rows += other.aggregated_rows;
  unmatched_rows += other.unmatched_rows;
  null_group_rows += other.null_group_rows;
}

std::string PartialGroups::Encode() const {
  std::string out;
  AppendU64(&out, aggregated_rows);
  AppendU64(&out, unmatched_rows);
  AppendU64(&out, null_group_rows);
  AppendU64(&out, values.size());
  for (size_t g = 0; g < values.size(); ++g) {
    AppendU64(&out, values[g].size());
    for (const std::string& v : values[g]) {
      AppendU64(&out, v.size());
      out.append(v);
    }
    states.EncodeGroup(g, &out);
  }
  return out;
}

bool PartialGroups::Decode(const std::string& bytes) {
  size_t at = 0;
  uint64_t groups;
  if (!ReadU64(bytes, &at, &aggregated_rows) || !ReadU64(bytes, &at, &unmatched_rows) ||
      !ReadU64(bytes, &at, &null_group_rows) || !ReadU64(bytes, &at, &groups))
    return false;
  for (uint64_t g = 0; g < groups; ++g) {
    uint64_t count;
    if (!ReadU64(bytes, &at, &count) || count > bytes.size()) return false;
    std::vector<std::string> group_values(count);
    for (std::string& v : group_values) {
      if (!ReadString(bytes, &at, &v)) return false;
    }
    if (!index.try_emplace(EncodeGroupKey(group_values), static_cast<uint32_t>(values.size())).second) return false;
    values.push_back(std::move(group_values));
    if (!states.DecodeGroup(bytes, &at)) return false;
  }
  return at == bytes.size();
}

}  // namespace mergeflow
