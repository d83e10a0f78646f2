#include "join/hash_partition.h"

#include <algorithm>
#include <bit>

namespace mergeflow {

void HashPartition::Build(std::vector<BuildRow> rows, bool keep_order, bool track_matches) {
  if (keep_order) std::stable_sort(rows.begin(), rows.end(), InputOrderLess);
  const size_t buckets = std::bit_ceil(std::max<size_t>(rows.size(), 1));
  mask_ = buckets - 1;
  bucket_start_.assign(buckets + 1, 0);
  for (const BuildRow& row : rows) ++bucket_start_[(row.hash & mask_) + 1];
  for (size_t b = 0; b < buckets; ++b) bucket_start_[b + 1] += bucket_start_[b];
  rows_.resize(rows.size());
  std::vector<uint32_t> next(bucket_start_.begin(), bucket_start_.end() - 1);
  for (const BuildRow& row : rows) rows_[next[row.hash & mask_]++] = row;
  if (track_matches) matched_.assign(rows_.size(), 0);
}

}  // namespace mergeflow
