// Which rows of the inputs each MPI rank reads: the inputs' bytes, taken in
// file order as one sequence, cut into as many equal pieces as there are
// ranks. Pieces end on byte offsets; readers align them to rows (a row
// belongs to the piece holding its first byte, see text/file_chunker.h).
#pragma once

#include <vector>

#include "io/file_system.h"
#include "text/file_chunker.h"

namespace mergeflow {

// The file ranges of rank `rank` of `ranks`. With `whole_files` (inputs whose
// quoted fields may hold newlines), a file is never cut: it goes whole to
// the rank whose piece holds its first byte. Ranges of files that turn out
// compressed are taken whole by their first byte's rank when read. Empty
// files are skipped.
std::vector<FileRange> RangesForRank(const std::vector<FileInfo>& files, int rank, int ranks, bool whole_files);

}  // namespace mergeflow
