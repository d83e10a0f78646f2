#include "join/hash_partition.h"

#include <algorithm>
#include <bit>

namespace mergeflow {

size_t HashPartition::DirectorySize(size_t rows) { return std::bit_ceil(std::max<size_t>(rows, 1)) + 1; }

void HashPartition::Build(const std::vector<std::span<const BuildRow>>& pieces, bool keep_order, BuildRow* rows,
                          uint32_t* directory, uint8_t* matched) {
  size_t total = 0;
  for (const auto& piece : pieces) total += piece.size();
  rows_ = rows;
  size_ = total;
  directory_ = directory;
  matched_ = matched;
  const size_t buckets = DirectorySize(total) - 1;
  mask_ = buckets - 1;
  std::fill(directory, directory + buckets + 1, 0);
  // Visits the rows in the order they are to be stored within a bucket.
  std::vector<BuildRow> sorted;
  auto for_each_row = [&](auto&& fn) {
    if (keep_order) {
      for (const BuildRow& row : sorted) fn(row);
    } else {
      for (const auto& piece : pieces) {
        for (const BuildRow& row : piece) fn(row);
      }
    }
  };
  if (keep_order) {
    sorted.reserve(total);
    for (const auto& piece : pieces) sorted.insert(sorted.end(), piece.begin(), piece.end());
    std::stable_sort(sorted.begin(), sorted.end(), InputOrderLess);
  }
  for_each_row([&](const BuildRow& row) { ++directory[(row.hash & mask_) + 1]; });
  for (size_t b = 0; b < buckets; ++b) directory[b + 1] += directory[b];
  // Scatter, using directory[b] as bucket b's cursor; afterwards each
  // cursor sits at the start of the next bucket, so shift them back.
  for_each_row([&](const BuildRow& row) { rows[directory[row.hash & mask_]++] = row; });
  for (size_t b = buckets; b > 0; --b) directory[b] = directory[b - 1];
  directory[0] = 0;
}

}  // namespace mergeflow
