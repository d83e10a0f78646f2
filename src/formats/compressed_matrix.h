// ReadCompressedSlices: a compressed sparse matrix stored in HDF5 as the
// datasets GROUP/indptr, GROUP/indices and GROUP/data (scipy's CSR and CSC,
// as AnnData and 10x Genomics store them), handed over as MatrixSlices.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "formats/hdf5_file.h"
#include "formats/matrix_slice.h"

namespace mergeflow {

// Hands major elements [begin, end) of the matrix in `group` (indices below
// `minor`, the other dimension) to `fn` in slices of about `entries` entries
// (at least one element each), marked `by_row`. BadInput naming the file
// for an indptr that decreases or an index out of range.
Status ReadCompressedSlices(const Hdf5File& file, const std::string& group, uint64_t minor, bool by_row,
                            uint64_t begin, uint64_t end, uint64_t entries,
                            const std::function<Status(const MatrixSlice&)>& fn);

}  // namespace mergeflow
