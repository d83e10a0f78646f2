// The result of aggregate as an AnnData file (--format h5ad): OUT/aggregate.h5ad
// with one row (obs) per group and one column (var) per feature; X holds
// the first statistic and layers/<stat> every statistic; obs holds the
// --by columns and n_obs_aggregated (the matrix rows in the group), and its
// index the group values joined by '_'.
#pragma once

#include <string>
#include <vector>

#include "io/output_committer.h"
#include "io/output_sink.h"
#include "ops/aggregate/aggregate.h"

namespace mergeflow {

// Writes the file into `committer` (through a local temporary file under
// `temp_dir`: libhdf5 writes files, not streams) and returns its PartInfo.
Result<PartInfo> WriteAggregateH5ad(const AggregateResult& result, const std::vector<Statistic>& stats,
                                    const std::vector<std::string>& group_columns, const std::string& temp_dir,
                                    OutputCommitter* committer);

}  // namespace mergeflow
