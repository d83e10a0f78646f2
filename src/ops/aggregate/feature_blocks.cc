#include "ops/aggregate/feature_blocks.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace mergeflow {
namespace {

// Bytes that each feature costs for `groups` groups: every worker's states,
// the merged states, and the results of every statistic.
uint64_t BytesPerFeature(const StateNeeds& needs, size_t stats, uint64_t groups, int workers) {
  const uint64_t cell = sizeof(uint64_t) + (needs.sum ? sizeof(CompensatedSum) : 0) +
                        (needs.sum_sq ? sizeof(CompensatedSum) : 0) + (needs.nnz ? sizeof(uint64_t) : 0) +
                        (needs.min_max ? 2 * sizeof(double) : 0) +
                        sizeof(uint64_t) * (needs.ge_thresholds.size() + needs.gt_thresholds.size());
  return std::max<uint64_t>(groups, 1) * (cell * static_cast<uint64_t>(workers + 1) + sizeof(double) * stats);
}

// Half of the memory limit goes to states and results, half to the engine.
size_t FeaturesPerBlock(const AggregateOptions& o, const StateNeeds& needs, uint64_t groups, size_t features) {
  if (o.memory_limit == 0 || features == 0) return std::max<size_t>(features, 1);
  const uint64_t per_feature = BytesPerFeature(needs, o.stats.size(), groups, o.threads);
  const uint64_t fit = o.memory_limit / 2 / per_feature;
  return static_cast<size_t>(std::clamp<uint64_t>(fit, 1, features));
}

// What each process tells rank 0 about a pass besides its states.
struct PassCounts {
  uint64_t rows_read = 0;
  uint64_t bad_rows_skipped = 0;
  uint64_t spilled_bytes = 0;
};

std::string EncodeCounts(const AggregatePass& pass) {
  const PassCounts counts{pass.rows_read, pass.bad_rows_skipped, pass.spilled_bytes};
  return std::string(reinterpret_cast<const char*>(&counts), sizeof(counts));
}

PassCounts DecodeCounts(const std::string& bytes) {
  PassCounts counts;
  if (bytes.size() == sizeof(counts)) std::memcpy(&counts, bytes.data(), sizeof(counts));
  return counts;
}

// Every process's partial groups merged, on rank 0 (elsewhere: its own).
Result<std::unique_ptr<PartialGroups>> MergeProcesses(const ProcessGroup& processes,
                                                      std::unique_ptr<PartialGroups> mine, const StateNeeds& needs,
                                                      size_t features) {
  if (processes.size() == 1) return mine;
  const std::vector<std::string> all = processes.GatherAll(mine->Encode());
  if (!processes.leader()) return mine;
  auto merged = std::make_unique<PartialGroups>(needs, features);
  for (const std::string& bytes : all) {
    PartialGroups theirs(needs, features);
    if (!theirs.Decode(bytes)) return Status::IOError("a process sent partial states that do not decode");
    merged->Merge(theirs);
  }
  return merged;
}

// Puts the first pass's groups, sorted by their values, into `result`.
void TakeGroups(const PartialGroups& groups, AggregateResult* result) {
  std::vector<size_t> order(groups.values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groups.values[a] < groups.values[b]; });
  for (size_t g : order) {
    if (groups.states.rows(g) == 0) continue;  // a group no row reached (as pandas' observed=True)
    result->groups.push_back(groups.values[g]);
    result->group_rows.push_back(groups.states.rows(g));
  }
  result->aggregated_rows = groups.aggregated_rows;
  result->unmatched_rows = groups.unmatched_rows;
  result->null_group_rows = groups.null_group_rows;
}

// Computes every statistic of features [begin, begin + block features) into
// `result`, whose groups are already taken.
Status TakeValues(const PartialGroups& groups, size_t begin, const AggregateOptions& o, AggregateResult* result) {
  const size_t features = result->feature_names.size();
  for (size_t i = 0; i < result->groups.size(); ++i) {
    auto found = groups.index.find(EncodeGroupKey(result->groups[i]));
    if (found == groups.index.end())
      return Status::IOError("a later pass over the matrix found other groups (was it changed while read?)");
    for (size_t s = 0; s < o.stats.size(); ++s) {
      double* out = result->values[s].data() + i * features + begin;
      for (size_t f = 0; f < groups.states.features(); ++f) out[f] = groups.states.Value(o.stats[s], found->second, f, o.ddof);
    }
  }
  return Status::OK();
}

}  // namespace

Status AggregateInBlocks(const ProcessGroup& processes, uint64_t groups, const AggregateOptions& options,
                         const PassMaker& make_pass, AggregateResult* result) {
  const size_t features = result->feature_names.size();
  const StateNeeds needs = NeedsOf(options.stats);
  const size_t block = FeaturesPerBlock(options, needs, groups, features);
  result->feature_blocks = static_cast<int>((features + block - 1) / block);
  const bool check_all = options.skip_bad_rows && result->feature_blocks > 1;
  for (size_t begin = 0; begin < features; begin += block) {
    const size_t end = std::min(features, begin + block);
    const uint64_t reserved = (end - begin) * BytesPerFeature(needs, options.stats.size(), groups, options.threads);
    Result<AggregatePass> pass = make_pass(begin, end, check_all, reserved);
    MF_RETURN_IF_ERROR(Agree(processes, pass.status_or_ok()));
    Result<std::unique_ptr<PartialGroups>> merged =
        MergeProcesses(processes, std::move(pass.value().groups), needs, end - begin);
    MF_RETURN_IF_ERROR(Agree(processes, merged.status_or_ok()));
    // Rows read and skipped count once (the first pass); spilled bytes add up.
    for (const std::string& bytes : processes.GatherAll(EncodeCounts(pass.value()))) {
      const PassCounts counts = DecodeCounts(bytes);
      result->spilled_bytes += counts.spilled_bytes;
      if (begin == 0) {
        result->matrix_rows += counts.rows_read;
        result->bad_rows_skipped += counts.bad_rows_skipped;
      }
    }
    Status taken = Status::OK();
    if (processes.leader()) {
      if (begin == 0) {
        TakeGroups(*merged.value(), result);
        result->bad_row_samples = pass.value().bad_row_samples;
        result->values.assign(options.stats.size(), std::vector<double>(result->groups.size() * features));
      }
      taken = TakeValues(*merged.value(), begin, options, result);
    }
    MF_RETURN_IF_ERROR(Agree(processes, taken));
  }
  return Status::OK();
}

}  // namespace mergeflow
