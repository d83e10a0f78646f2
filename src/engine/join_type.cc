#include "engine/join_type.h"

namespace mergeflow {

std::optional<JoinType> ParseJoinType(std::string_view name) {
  if (name == "inner") return JoinType::kInner;
  if (name == "left") return JoinType::kLeft;
  if (name == "right") return JoinType::kRight;
  if (name == "outer" || name == "full") return JoinType::kOuter;
  if (name == "semi") return JoinType::kSemi;
  if (name == "anti") return JoinType::kAnti;
  return std::nullopt;
}

std::string JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner: return "inner";
    case JoinType::kLeft: return "left";
    case JoinType::kRight: return "right";
    case JoinType::kOuter: return "outer";
    case JoinType::kSemi: return "semi";
    case JoinType::kAnti: return "anti";
  }
  return "inner";
}

}  // namespace mergeflow
