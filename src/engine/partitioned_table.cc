#include "engine/partitioned_table.h"

#include "common/thread_pool.h"

namespace mergeflow {

void PartitionedTable::Build(std::unique_ptr<RowStaging> staging, bool keep_order, bool track_matches, int threads) {
  rows_ = std::move(staging);
  const size_t partitions = partitions_.size();
  std::vector<size_t> row_start(partitions + 1, 0);
  std::vector<size_t> directory_start(partitions + 1, 0);
  for (size_t p = 0; p < partitions; ++p) {
    const size_t rows = rows_->Count(p);
    row_start[p + 1] = row_start[p] + rows;
    directory_start[p + 1] = directory_start[p] + HashPartition::DirectorySize(rows);
  }
  directories_ = LargeBuffer(directory_start[partitions] * sizeof(uint32_t));
  if (track_matches) matched_ = LargeBuffer(row_start[partitions]);
  std::vector<std::vector<BuildRow>> scratch(threads);
  ParallelFor(partitions, threads, [&](size_t p, int worker) {
    partitions_[p].Build(rows_->Rows(p), rows_->Blocks(p), keep_order, &scratch[worker],
                         directories_.as<uint32_t>() + directory_start[p],
                         track_matches ? matched_.as<uint8_t>() + row_start[p] : nullptr);
  });
}

}  // namespace mergeflow
