// ProbeBatch: looks probe rows up a batch at a time, so that the cache
// misses of many lookups overlap instead of following one another (group
// prefetching): all bucket directories are requested, then all candidate
// rows, then all candidate keys, and only then is anything compared.
#pragma once

#include <string>
#include <string_view>

#include "engine/partitioned_table.h"
#include "engine/row_ref.h"

namespace mergeflow {

class ProbeBatch {
 public:
  static constexpr int kCapacity = 32;

  struct Entry {
    RowRef row;
    uint64_t hash = 0;
    std::string_view key;
    bool has_key = false;  // false: a NULL key, matches nothing
    HashPartition* partition = nullptr;
    uint32_t begin = 0;  // candidate index range in the partition
    uint32_t end = 0;
    uint64_t index = 0;  // the caller's number for the row
  };

  explicit ProbeBatch(PartitionedTable* table) : table_(table) {}

  // Adds a row. `key` must stay valid until Resolve unless copy_key is set.
  // Returns true when the batch is full and must be resolved.
  bool Add(const RowRef& row, bool has_key, std::string_view key, uint64_t hash, bool copy_key, uint64_t index) {
    Entry& e = entries_[size_];
    e.row = row;
    e.index = index;
    e.has_key = has_key;
    e.begin = e.end = 0;
    if (has_key) {
      if (copy_key) {
        key_copies_[size_].assign(key);
        key = key_copies_[size_];
      }
      e.key = key;
      e.hash = hash;
      e.partition = &table_->partition(table_->PartitionOf(hash));
      e.partition->PrefetchBucket(hash);
    }
    return ++size_ == kCapacity;
  }

  // Calls on_entry(const Entry&) for every added row, in order, with its
  // candidate range filled in; then empties the batch.
  template <class OnEntry>
  void Resolve(OnEntry&& on_entry) {
    for (int i = 0; i < size_; ++i) {
      Entry& e = entries_[i];
      if (!e.has_key) continue;
      std::tie(e.begin, e.end) = e.partition->Candidates(e.hash);
      if (e.begin < e.end) e.partition->PrefetchRow(e.begin);
    }
    for (int i = 0; i < size_; ++i) {
      const Entry& e = entries_[i];
      for (uint32_t c = e.begin; c < e.end; ++c) {
        const BuildRow& candidate = e.partition->row(c);
        if (candidate.hash == e.hash) __builtin_prefetch(candidate.key());
      }
    }
    for (int i = 0; i < size_; ++i) on_entry(entries_[i]);
    size_ = 0;
  }

  int size() const { return size_; }

 private:
  PartitionedTable* table_;
  Entry entries_[kCapacity];
  std::string key_copies_[kCapacity];
  int size_ = 0;
};

}  // namespace mergeflow
