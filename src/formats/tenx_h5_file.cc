#include "formats/tenx_h5_file.h"

#include <unordered_set>

#include "formats/compressed_matrix.h"

namespace mergeflow {

bool TenxH5File::Holds(const Hdf5File& file) {
  return file.IsGroup("matrix") && file.IsDataset("matrix/indptr");
}

Result<std::unique_ptr<TenxH5File>> TenxH5File::Open(std::unique_ptr<Hdf5File> hdf5) {
  std::unique_ptr<TenxH5File> file(new TenxH5File(std::move(hdf5)));
  const Hdf5File& h = *file->file_;
  for (const char* part : {"matrix/data", "matrix/indices", "matrix/shape", "matrix/barcodes"}) {
    if (!h.IsDataset(part)) return Status::BadInput(h.path() + ": a 10x matrix without " + part);
  }
  std::vector<int64_t> shape(2);
  MF_ASSIGN_OR_RETURN(const std::vector<uint64_t> dims, h.Dimensions("matrix/shape"));
  if (dims != std::vector<uint64_t>{2}) return Status::BadInput(h.path() + ": matrix/shape is not two numbers");
  MF_RETURN_IF_ERROR(h.ReadIntegers("matrix/shape", 0, 2, shape.data()));
  MF_ASSIGN_OR_RETURN(file->barcodes_, h.ReadStrings("matrix/barcodes"));
  if (h.IsDataset("matrix/features/name")) {
    MF_ASSIGN_OR_RETURN(file->features_, h.ReadStrings("matrix/features/name"));
    const std::unordered_set<std::string> distinct(file->features_.begin(), file->features_.end());
    if (distinct.size() != file->features_.size() && h.IsDataset("matrix/features/id")) {
      MF_ASSIGN_OR_RETURN(file->features_, h.ReadStrings("matrix/features/id"));
    }
  } else if (h.IsDataset("matrix/features/id")) {
    MF_ASSIGN_OR_RETURN(file->features_, h.ReadStrings("matrix/features/id"));
  } else {
    return Status::BadInput(h.path() + ": a 10x matrix without matrix/features/name or matrix/features/id");
  }
  if (shape[0] != static_cast<int64_t>(file->features_.size()) ||
      shape[1] != static_cast<int64_t>(file->barcodes_.size()))
    return Status::BadInput(h.path() + ": matrix/shape says " + std::to_string(shape[0]) + " features x " +
                            std::to_string(shape[1]) + " barcodes, but there are " +
                            std::to_string(file->features_.size()) + " features and " +
                            std::to_string(file->barcodes_.size()) + " barcodes");
  return file;
}

Status TenxH5File::ReadSlices(uint64_t begin, uint64_t end, uint64_t entries,
                              const std::function<Status(const MatrixSlice&)>& fn) const {
  return ReadCompressedSlices(*file_, "matrix", features_.size(), true, begin, end, entries, fn);
}

}  // namespace mergeflow
