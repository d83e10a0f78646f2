// HashPartition: the hash table of one radix partition of the build side.
//
// Rows are stored bucket by bucket (a counting sort on the low hash bits, so
// a bucket's rows are contiguous and a lookup touches one or two cache
// lines of the directory plus the rows it compares). The sort is stable:
// rows with the same key stay in the order they were given.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "join/build_row.h"

namespace mergeflow {

class HashPartition {
 public:
  HashPartition() = default;
  HashPartition(const HashPartition&) = delete;
  HashPartition& operator=(const HashPartition&) = delete;
  HashPartition(HashPartition&&) = default;
  HashPartition& operator=(HashPartition&&) = default;

  // Builds the table from `rows` (taken over). With keep_order, rows are
  // first sorted into input order so matches come out in that order. With
  // track_matches, MarkMatched/IsMatched become available.
  void Build(std::vector<BuildRow> rows, bool keep_order, bool track_matches);

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
    if (!rows_.empty()) __builtin_prefetch(&bucket_start_[hash & mask_]);
  }
  std::pair<uint32_t, uint32_t> Candidates(uint64_t hash) const {
    if (rows_.empty()) return {0, 0};
    const uint64_t bucket = hash & mask_;
    return {bucket_start_[bucket], bucket_start_[bucket + 1]};
  }
  void PrefetchRow(uint32_t index) const { __builtin_prefetch(&rows_[index]); }
  bool KeyEquals(uint32_t index, uint64_t hash, std::string_view key) const {
    const BuildRow& row = rows_[index];
    return row.hash == hash && row.key_size == key.size() && std::memcmp(row.key, key.data(), key.size()) == 0;
  }

  size_t size() const { return rows_.size(); }
  const BuildRow& row(size_t index) const { return rows_[index]; }

  // Thread-safe; REQUIRES: built with track_matches.
  void MarkMatched(size_t index) {
    std::atomic_ref<uint8_t>(matched_[index]).store(1, std::memory_order_relaxed);
  }
  bool IsMatched(size_t index) const { return matched_[index] != 0; }

 private:
  std::vector<BuildRow> rows_;
  std::vector<uint32_t> bucket_start_;  // bucket b holds rows_[bucket_start_[b], bucket_start_[b+1])
  uint64_t mask_ = 0;
  std::vector<uint8_t> matched_;
};

}  // namespace mergeflow
