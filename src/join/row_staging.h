// RowStaging: build rows filed by several workers under radix partitions
// before the partitions' hash tables exist.
//
// Each worker fills blocks of 1024 rows carved from its own large slabs (no
// locks, no copying when a list grows). A partition's blocks are read back
// in filing order, then released to the OS, so that building the hash
// tables reuses the pages staging gave back instead of touching fresh memory.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "common/large_buffer.h"
#include "join/build_row.h"

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

  size_t partitions() const { return partitions_; }
  // Rows filed under `partition` by all workers.
  size_t Count(size_t partition) const;
  // The rows of `partition`: worker 0's blocks in filing order, then worker
  // 1's, and so on.
  std::vector<std::span<const BuildRow>> Blocks(size_t partition) const;
  // Gives the memory of `partition`'s blocks back. REQUIRES: no later use of
  // that partition. Thread-safe for different partitions.
  void Release(size_t partition);

 private:
  static constexpr size_t kBlockRows = 1024;  // 32 KiB, whole pages
  static constexpr size_t kSlabBlocks = 2048;  // 64 MiB slabs

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
