// The six join types and what each keeps.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mergeflow {

enum class JoinType { kInner, kLeft, kRight, kOuter, kSemi, kAnti };

// Parses "inner", "left", "right", "outer" (also "full"), "semi", "anti".
std::optional<JoinType> ParseJoinType(std::string_view name);
std::string JoinTypeName(JoinType type);

// Whether rows of the left (right) side without a match appear in the output.
inline bool KeepsUnmatchedLeft(JoinType t) { return t == JoinType::kLeft || t == JoinType::kOuter || t == JoinType::kAnti; }
inline bool KeepsUnmatchedRight(JoinType t) { return t == JoinType::kRight || t == JoinType::kOuter; }
// Semi and anti joins output left rows only, each at most once.
inline bool OutputsLeftOnly(JoinType t) { return t == JoinType::kSemi || t == JoinType::kAnti; }

}  // namespace mergeflow
