#include "engine/hash_partition.h"

#include <algorithm>
#include <bit>

namespace mergeflow {

size_t HashPartition::DirectorySize(size_t rows) { return std::bit_ceil(std::max<size_t>(rows, 1)) + 1; }

void HashPartition::Build(const std::vector<std::span<const BuildRow>>& pieces, std::vector<BuildRow*> blocks,
                          bool keep_order, std::vector<BuildRow>* scratch, uint32_t* directory, uint8_t* matched) {
  // Gather first: the rows are about to be overwritten where they are.
  scratch->clear();
  for (const auto& piece : pieces) scratch->insert(scratch->end(), piece.begin(), piece.end());
  if (keep_order) std::stable_sort(scratch->begin(), scratch->end(), InputOrderLess);
  size_ = scratch->size();
  blocks.resize((size_ + RowStaging::kBlockRows - 1) >> RowStaging::kBlockShift);
  blocks_ = std::move(blocks);
  directory_ = directory;
  matched_ = matched;
  const size_t buckets = DirectorySize(size_) - 1;
  mask_ = buckets - 1;
  std::fill(directory, directory + buckets + 1, 0);
  for (const BuildRow& row : *scratch) ++directory[(row.hash & mask_) + 1];
  for (size_t b = 0; b < buckets; ++b) directory[b + 1] += directory[b];
  // Scatter, using directory[b] as bucket b's cursor; afterwards each
  // cursor sits at the start of the next bucket, so shift them back.
  for (const BuildRow& row : *scratch) {
    const uint32_t at = directory[row.hash & mask_]++;
    const_cast<BuildRow&>(this->row(at)) = row;
  }
  for (size_t b = buckets; b > 0; --b) directory[b] = directory[b - 1];
  directory[0] = 0;
}

}  // namespace mergeflow
