// The groups of the rows of a matrix file (RowGroups, aggregate.h), from
// the file's own obs columns or from META.
#pragma once

#include <string>
#include <vector>

#include "formats/anndata_file.h"
#include "ops/aggregate/aggregate.h"

namespace mergeflow {

// Groups by the obs columns `by` of an AnnData file; a row with an empty
// (missing) value in any of them is in no group.
Result<RowGroups> GroupsFromObs(const AnnDataFile& file, const std::vector<std::string>& by);

// Groups by META (its key matched to `row_ids` as bytes, `group_fields` the
// --by columns), checked as CheckMeta checks it; *meta_rows gets its rows.
Result<RowGroups> GroupsFromMeta(const std::vector<std::string>& row_ids, const AggregateSource& meta,
                                 const std::vector<uint32_t>& group_fields, const AggregateOptions& options,
                                 uint64_t* meta_rows);

}  // namespace mergeflow
