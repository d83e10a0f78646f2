// RowStaging: build rows filed by several workers under radix partitions
// before the partitions' hash tables exist.
//
// Each worker fills blocks of kBlockRows rows carved from its own large,
// huge-page-backed slabs (no locks, no copying when a list grows). The
// blocks then become the storage of the hash tables themselves: a partition
// is rebuilt in place in its own blocks (HashPartition::Build), so the rows
// are never held twice.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "common/large_buffer.h"
#include "engine/build_row.h"

namespace mergeflow {

class RowStaging {
 public:
  RowStaging(size_t partitions, int workers);
  RowStaging(const RowStaging&) = delete;
  RowStaging& operator=(const RowStaging&) = delete;

  // Files `row` under `partition` for `worker`. Calls for one worker must
  // not overlap; different workers may call at once.
  void Add(int worker, size_t partition, const BuildRow& row) {
    List& list = workers_[worker].lists[partition];
    if (list.last_fill == kBlockRows) NewBlock(worker, &list);
    list.blocks.back()[list.last_fill++] = row;
    ++list.count;
  }

  static constexpr size_t kBlockShift = 10;
  static constexpr size_t kBlockRows = size_t{1} << kBlockShift;  // 32 KiB
  static constexpr size_t kSlabBlocks = 2048;                      // 64 MiB slabs

  size_t partitions() const { return partitions_; }
  // Rows filed under `partition` by all workers.
  size_t Count(size_t partition) const;
  // The rows of `partition`: worker 0's in filing order, then worker 1's...
  std::vector<std::span<const BuildRow>> Rows(size_t partition) const;
  // The blocks holding those rows, in the same order (each kBlockRows long;
  // the last of each worker partly used). Valid while this object lives.
  std::vector<BuildRow*> Blocks(size_t partition) const;

 private:
  struct List {
    std::vector<BuildRow*> blocks;
    size_t last_fill = kBlockRows;  // rows used in blocks.back()
    size_t count = 0;
  };
  struct Worker {
    std::vector<LargeBuffer> slabs;
    size_t slab_blocks_used = kSlabBlocks;
    std::vector<List> lists;  // by partition
  };

  void NewBlock(int worker, List* list);

  size_t partitions_;
  std::vector<Worker> workers_;
};

}  // namespace mergeflow
