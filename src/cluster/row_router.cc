#include "cluster/row_router.h"

#include <algorithm>
#include <map>
#include <set>

namespace mergeflow {

namespace {

// fmix64 of MurmurHash3: spreads every input bit over the output, so the
// owner rank does not correlate with the bits that pick a rank's local
// partitions (the top bits) or hash-table buckets (the low bits).
uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::vector<HeavyKey> FindHeavyKeys(const std::vector<std::vector<SideSample>>& samples, JoinType type,
                                    double threshold) {
  const double ranks = static_cast<double>(samples.size());
  uint64_t total[2] = {0, 0};
  std::map<uint64_t, uint64_t> counts[2];
  for (const std::vector<SideSample>& rank : samples) {
    for (int s = 0; s < 2; ++s) {
      total[s] += rank[s].rows;
      for (const KeyCount& k : rank[s].top) counts[s][k.hash] += k.rows;
    }
  }
  // Each key's share of each side.
  std::map<uint64_t, double> share[2];
  for (int s = 0; s < 2; ++s) {
    if (total[s] == 0) continue;
    for (const auto& [hash, rows] : counts[s]) share[s][hash] = static_cast<double>(rows) / total[s];
  }
  const auto share_of = [&](int s, uint64_t hash) {
    const auto it = share[s].find(hash);
    return it == share[s].end() ? 0.0 : it->second;
  };
  std::set<uint64_t> hashes;
  for (int s = 0; s < 2; ++s) {
    for (const auto& [hash, mine] : share[s]) {
      if (mine * ranks >= threshold) hashes.insert(hash);
    }
  }
  const bool semi = OutputsLeftOnly(type);
  std::vector<HeavyKey> heavy;
  for (uint64_t hash : hashes) {
    const double left = share_of(0, hash), right = share_of(1, hash);
    HeavyKey key{hash};
    if (!semi) {
      key.spread = right > left ? Side::kRight : Side::kLeft;
    } else {
      if (left * ranks >= threshold) key.spread = Side::kLeft;
      key.first_right_row_only = true;
    }
    heavy.push_back(key);
  }
  return heavy;
}

RowRouter::RowRouter(int ranks, int rank, std::vector<HeavyKey> heavy)
    : ranks_(ranks), rank_(rank), heavy_(std::move(heavy)) {
  std::sort(heavy_.begin(), heavy_.end(), [](const HeavyKey& a, const HeavyKey& b) { return a.hash < b.hash; });
}

int RowRouter::Owner(uint64_t hash) const {
  return static_cast<int>((static_cast<unsigned __int128>(Mix(hash)) * static_cast<uint64_t>(ranks_)) >> 64);
}

int RowRouter::HeavyIndex(uint64_t hash) const {
  if (heavy_.empty()) return -1;
  auto it =
      std::lower_bound(heavy_.begin(), heavy_.end(), hash, [](const HeavyKey& k, uint64_t h) { return k.hash < h; });
  return it != heavy_.end() && it->hash == hash ? static_cast<int>(it - heavy_.begin()) : -1;
}

}  // namespace mergeflow
