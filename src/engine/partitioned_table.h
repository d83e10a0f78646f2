// PartitionedTable: the build side's hash table, split into 2^bits radix
// partitions by the top bits of the key hash. Each partition is an
// independent HashPartition: built by one thread, small enough to stay in
// cache while it is built, and the unit that spills and travels. The rows
// stay in the staging blocks they were filed in; the bucket directories and
// match flags of all partitions live in two large huge-page-backed arrays.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/large_buffer.h"
#include "engine/hash_partition.h"
#include "engine/row_staging.h"

namespace mergeflow {

class PartitionedTable {
 public:
  // 2^bits partitions chosen by the hash bits that follow its top
  // `skip_bits` (those already chose a spill partition, see SpillFiles).
  explicit PartitionedTable(int bits, int skip_bits = 0)
      : bits_(bits), skip_bits_(skip_bits), partitions_(size_t{1} << bits) {}

  int bits() const { return bits_; }
  size_t size() const { return partitions_.size(); }
  // The partition a key hash belongs to.
  size_t PartitionOf(uint64_t hash) const {
    return bits_ == 0 ? 0 : static_cast<size_t>((hash << skip_bits_) >> (64 - bits_));
  }

  // Builds every partition from the rows in `staging` (which must have as
  // many partitions) and keeps the staging as the rows' storage. Uses
  // `threads`.
  void Build(std::unique_ptr<RowStaging> staging, bool keep_order, bool track_matches, int threads);

  HashPartition& partition(size_t p) { return partitions_[p]; }
  const HashPartition& partition(size_t p) const { return partitions_[p]; }

 private:
  int bits_;
  int skip_bits_;
  std::vector<HashPartition> partitions_;
  std::unique_ptr<RowStaging> rows_;
  LargeBuffer directories_;
  LargeBuffer matched_;
};

}  // namespace mergeflow
