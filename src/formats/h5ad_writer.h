// WriteH5ad: a dense AnnData file (anndata's on-disk format, encoding
// 0.1.0/0.2.0) for results small enough to hold: an obs x var matrix as X
// and as layers, obs columns of strings and integers, var names. Readable by
// anndata.read_h5ad (tested with Debian's python3-anndata).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mergeflow {

struct H5adContent {
  std::vector<std::string> obs_names;
  std::vector<std::pair<std::string, std::vector<std::string>>> obs_text;    // string columns
  std::vector<std::pair<std::string, std::vector<int64_t>>> obs_integers;    // integer columns
  std::vector<std::string> var_names;
  // Row-major obs x var matrices (NaN where undefined): X, and each layer.
  const std::vector<double>* x = nullptr;
  std::vector<std::pair<std::string, const std::vector<double>*>> layers;
};

// Writes `content` to the local file `path` (replacing it). IOError naming
// the path and the object when libhdf5 fails.
Status WriteH5ad(const std::string& path, const H5adContent& content);

}  // namespace mergeflow
