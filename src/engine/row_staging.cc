#include "engine/row_staging.h"

namespace mergeflow {

RowStaging::RowStaging(size_t partitions, int workers) : partitions_(partitions), workers_(workers) {
  for (Worker& w : workers_) w.lists.resize(partitions);
}

void RowStaging::NewBlock(int worker, List* list) {
  Worker& w = workers_[worker];
  if (w.slab_blocks_used == kSlabBlocks) {
    w.slabs.emplace_back(kSlabBlocks * kBlockRows * sizeof(BuildRow));
    w.slab_blocks_used = 0;
  }
  list->blocks.push_back(w.slabs.back().as<BuildRow>() + w.slab_blocks_used * kBlockRows);
  ++w.slab_blocks_used;
  list->last_fill = 0;
}

size_t RowStaging::Count(size_t partition) const {
  size_t total = 0;
  for (const Worker& w : workers_) total += w.lists[partition].count;
  return total;
}

std::vector<std::span<const BuildRow>> RowStaging::Rows(size_t partition) const {
  std::vector<std::span<const BuildRow>> blocks;
  for (const Worker& w : workers_) {
    const List& list = w.lists[partition];
    for (size_t b = 0; b < list.blocks.size(); ++b) {
      const size_t rows = b + 1 == list.blocks.size() ? list.last_fill : kBlockRows;
      blocks.emplace_back(list.blocks[b], rows);
    }
  }
  return blocks;
}

std::vector<BuildRow*> RowStaging::Blocks(size_t partition) const {
  std::vector<BuildRow*> blocks;
  for (const Worker& w : workers_) {
    const List& list = w.lists[partition];
    blocks.insert(blocks.end(), list.blocks.begin(), list.blocks.end());
  }
  return blocks;
}

}  // namespace mergeflow
