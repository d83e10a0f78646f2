#include "cluster/input_ranges.h"

namespace mergeflow {

std::vector<FileRange> RangesForRank(const std::vector<FileInfo>& files, int rank, int ranks, bool whole_files) {
  uint64_t total = 0;
  for (const FileInfo& f : files) total += f.size;
  // This rank's piece of the concatenated inputs: [first, last).
  const uint64_t first = static_cast<uint64_t>((static_cast<unsigned __int128>(total) * rank) / ranks);
  const uint64_t last = static_cast<uint64_t>((static_cast<unsigned __int128>(total) * (rank + 1)) / ranks);
  std::vector<FileRange> ranges;
  uint64_t start = 0;  // offset of file i in the sequence
  for (size_t i = 0; i < files.size(); start += files[i].size, ++i) {
    const uint64_t end = start + files[i].size;
    if (files[i].size == 0) continue;
    if (whole_files) {
      if (start >= first && start < last) ranges.push_back({static_cast<uint32_t>(i), 0, UINT64_MAX});
      continue;
    }
    if (end <= first || start >= last) continue;
    const uint64_t begin = std::max(first, start) - start;
    const uint64_t stop = std::min(last, end) - start;
    ranges.push_back({static_cast<uint32_t>(i), begin, stop == files[i].size ? UINT64_MAX : stop});
  }
  return ranges;
}

}  // namespace mergeflow
