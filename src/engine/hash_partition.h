// HashPartition: the hash table of one radix partition of the build side.
//
// Rows are stored bucket by bucket (a counting sort on the low hash bits, so
// a bucket's rows are contiguous and a lookup touches one line of the bucket
// directory plus the rows it compares). The sort is stable: rows with the
// same key stay in the order they were given. Rows live in the staging
// blocks they were filed in (RowStaging), rearranged in place; the
// directory is a slice of an array owned by the PartitionedTable.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/build_row.h"
#include "engine/key_encoder.h"
#include "engine/row_staging.h"

namespace mergeflow {

class HashPartition {
 public:
  // The number of uint32_t a directory for `rows` rows needs.
  static size_t DirectorySize(size_t rows);

  // Builds the table from the rows of `pieces`, which lie in `blocks`
  // (RowStaging::Rows and ::Blocks of one partition), storing them bucket by
  // bucket back into `blocks`, RowStaging::kBlockRows a block. `directory`
  // has DirectorySize entries; `matched`, when not null, one byte per row for
  // MarkMatched/IsMatched. With keep_order, rows are first sorted into input
  // order. `scratch` is working memory, reusable across calls.
  void Build(const std::vector<std::span<const BuildRow>>& pieces, std::vector<BuildRow*> blocks, bool keep_order,
             std::vector<BuildRow>* scratch, uint32_t* directory, uint8_t* matched);

  // Calls fn(index) for each row whose key equals `key`, in stored order.
  template <class Fn>
  void ForEachMatch(uint64_t hash, std::string_view key, Fn&& fn) const {
    const auto [begin, end] = Candidates(hash);
    for (uint32_t i = begin; i < end; ++i) {
      if (KeyEquals(i, hash, key)) fn(i);
    }
  }

  // Batched lookups, for probing many keys with their cache misses
  // overlapped: PrefetchBucket(hash), later Candidates(hash) gives the index
  // range to compare, PrefetchRow(i) loads a candidate's bytes.
  void PrefetchBucket(uint64_t hash) const {
    if (size_ != 0) __builtin_prefetch(&directory_[hash & mask_]);
  }
  std::pair<uint32_t, uint32_t> Candidates(uint64_t hash) const {
    if (size_ == 0) return {0, 0};
    const uint64_t bucket = hash & mask_;
    return {directory_[bucket], directory_[bucket + 1]};
  }
  void PrefetchRow(uint32_t index) const { __builtin_prefetch(&row(index)); }
  bool KeyEquals(uint32_t index, uint64_t hash, std::string_view key) const {
    const BuildRow& row = this->row(index);
    return row.hash == hash && row.key_size == key.size() && KeyBytesEqual(row.key(), key.data(), key.size());
  }

  size_t size() const { return size_; }
  const BuildRow& row(size_t index) const {
    return blocks_[index >> RowStaging::kBlockShift][index & (RowStaging::kBlockRows - 1)];
  }

  // Thread-safe; REQUIRES: built with `matched` storage.
  void MarkMatched(size_t index) { std::atomic_ref<uint8_t>(matched_[index]).store(1, std::memory_order_relaxed); }
  bool IsMatched(size_t index) const { return matched_[index] != 0; }

 private:
  std::vector<BuildRow*> blocks_;
  size_t size_ = 0;
  uint32_t* directory_ = nullptr;  // bucket b holds rows [directory_[b], directory_[b+1])
  uint64_t mask_ = 0;
  uint8_t* matched_ = nullptr;
};

}  // namespace mergeflow
