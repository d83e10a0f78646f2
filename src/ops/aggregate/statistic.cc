#include "ops/aggregate/statistic.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace mergeflow {
namespace {

struct Named {
  const char* name;
  StatKind kind;
};
constexpr Named kPlain[] = {{"count", StatKind::kCount}, {"sum", StatKind::kSum},   {"mean", StatKind::kMean},
                            {"var", StatKind::kVar},     {"std", StatKind::kStd},   {"min", StatKind::kMin},
                            {"max", StatKind::kMax},     {"nnz", StatKind::kNnz},   {"frac_nnz", StatKind::kFracNnz}};

Result<Statistic> ParseOne(const std::string& text) {
  for (const Named& n : kPlain) {
    if (text == n.name) return Statistic{n.kind, 0, text};
  }
  for (auto [prefix, kind] : {std::pair{"count_ge:", StatKind::kCountGe}, std::pair{"count_gt:", StatKind::kCountGt}}) {
    const std::string p = prefix;
    if (!text.starts_with(p)) continue;
    const char* begin = text.data() + p.size();
    const char* end = text.data() + text.size();
    double threshold = 0;
    const auto [at, error] = std::from_chars(begin, end, threshold);
    if (begin == end || error != std::errc() || at != end || !std::isfinite(threshold))
      return Status::InvalidArgument("--stats " + text + ": the threshold after '" + p + "' must be a number");
    return Statistic{kind, threshold, text};
  }
  return Status::InvalidArgument("--stats: unknown statistic '" + text +
                                 "' (known: count, sum, mean, var, std, min, max, nnz, frac_nnz, count_ge:T, "
                                 "count_gt:T)");
}

}  // namespace

Result<std::vector<Statistic>> ParseStatistics(const std::vector<std::string>& names) {
  if (names.empty()) return Status::InvalidArgument("--stats names no statistic");
  std::vector<Statistic> stats;
  for (const std::string& name : names) {
    MF_ASSIGN_OR_RETURN(Statistic stat, ParseOne(name));
    for (const Statistic& earlier : stats) {
      if (earlier.name == stat.name) return Status::InvalidArgument("--stats names '" + name + "' twice");
    }
    stats.push_back(std::move(stat));
  }
  return stats;
}

StateNeeds NeedsOf(const std::vector<Statistic>& stats) {
  StateNeeds needs;
  for (const Statistic& s : stats) {
    switch (s.kind) {
      case StatKind::kCount:
        break;
      case StatKind::kSum:
      case StatKind::kMean:
        needs.sum = true;
        break;
      case StatKind::kVar:
      case StatKind::kStd:
        needs.sum = needs.sum_sq = true;
        break;
      case StatKind::kMin:
      case StatKind::kMax:
        needs.nnz = needs.min_max = true;
        break;
      case StatKind::kNnz:
      case StatKind::kFracNnz:
        needs.nnz = true;
        break;
      case StatKind::kCountGe:
      case StatKind::kCountGt: {
        // Zeros count by themselves (n - nnz) when they meet the threshold.
        needs.nnz = true;
        auto& list = s.kind == StatKind::kCountGe ? needs.ge_thresholds : needs.gt_thresholds;
        if (std::find(list.begin(), list.end(), s.threshold) == list.end()) list.push_back(s.threshold);
        break;
      }
    }
  }
  return needs;
}

}  // namespace mergeflow
