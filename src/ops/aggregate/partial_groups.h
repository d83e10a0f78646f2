// PartialGroups: groups and their partial states, as one worker, one
// process or the whole run holds them. Groups are numbered in the order they
// were met; merging matches them by their --by values.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ops/aggregate/group_states.h"

namespace mergeflow {

// The key of a group's values (length-prefixed, so that no two tuples meet).
std::string EncodeGroupKey(const std::vector<std::string>& values);

struct PartialGroups {
  PartialGroups(const StateNeeds& needs, size_t features) : states(needs, features) {}

  // The group of `values`, added (with nothing accumulated) if new.
  size_t GroupOf(const std::vector<std::string>& values);
  // Adds every group of `other` (same needs and features) into this one.
  void Merge(const PartialGroups& other);
  // Everything as bytes, and back into an empty object (false: bytes that
  // are not an encoding; the object is then unusable).
  std::string Encode() const;
  bool Decode(const std::string& bytes);

  std::unordered_map<std::string, uint32_t> index;  // EncodeGroupKey(values) -> group
  std::vector<std::vector<std::string>> values;     // per group: its --by values
  GroupStates states;
  uint64_t aggregated_rows = 0;  // matrix rows added to a group
  uint64_t unmatched_rows = 0;   // no META row for the id
  uint64_t null_group_rows = 0;  // an empty group value
};

}  // namespace mergeflow
