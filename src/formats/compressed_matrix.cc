#include "formats/compressed_matrix.h"

namespace mergeflow {

Status ReadCompressedSlices(const Hdf5File& h, const std::string& group, uint64_t minor, bool by_row,
                            uint64_t begin, uint64_t end, uint64_t entries,
                            const std::function<Status(const MatrixSlice&)>& fn) {
  MatrixSlice slice;
  slice.by_row = by_row;
  if (begin >= end) return Status::OK();
  std::vector<int64_t> pointers(end - begin + 1);
  MF_RETURN_IF_ERROR(h.ReadIntegers(group + "/indptr", begin, pointers.size(), pointers.data()));
  std::vector<int64_t> indices;
  for (uint64_t a = 0; a < end - begin;) {
    uint64_t b = a + 1;
    while (b < end - begin && static_cast<uint64_t>(pointers[b + 1] - pointers[a]) <= entries) ++b;
    const int64_t first = pointers[a];
    const int64_t count = pointers[b] - first;
    if (first < 0 || count < 0)
      return Status::BadInput(h.path() + ": " + group + "/indptr is not increasing");
    indices.resize(static_cast<size_t>(count));
    slice.values.resize(static_cast<size_t>(count));
    MF_RETURN_IF_ERROR(h.ReadIntegers(group + "/indices", static_cast<uint64_t>(first), indices.size(), indices.data()));
    MF_RETURN_IF_ERROR(h.ReadDoubles(group + "/data", static_cast<uint64_t>(first), indices.size(), slice.values.data()));
    slice.first = begin + a;
    slice.offsets.resize(b - a + 1);
    for (uint64_t i = a; i <= b; ++i) slice.offsets[i - a] = static_cast<uint64_t>(pointers[i] - first);
    for (size_t i = 1; i < slice.offsets.size(); ++i) {
      if (slice.offsets[i] < slice.offsets[i - 1])
        return Status::BadInput(h.path() + ": " + group + "/indptr is not increasing");
    }
    slice.indices.resize(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) {
      if (indices[i] < 0 || static_cast<uint64_t>(indices[i]) >= minor)
        return Status::BadInput(h.path() + ": " + group + "/indices holds " + std::to_string(indices[i]) +
                                ", outside 0.." + std::to_string(minor - 1));
      slice.indices[i] = static_cast<uint64_t>(indices[i]);
    }
    MF_RETURN_IF_ERROR(fn(slice));
    a = b;
  }
  return Status::OK();
}

}  // namespace mergeflow
