// Input arguments that name datasets: what every command reads.
#pragma once

#include <string>
#include <vector>

#include "io/file_system.h"

namespace mergeflow {

// The data files an input argument names, in a stable order:
//  - "DATASET@VERSION": the parts that version's manifest lists, published
//    or not; "DATASET@TIME" (ISO 8601 UTC): those of the version current then;
//  - a dataset (a directory or prefix holding _LATEST.json): the parts of
//    its current version's manifest (never a listing);
//  - anything else as io/input_listing.h's ListInputFiles says.
// Sizes are those the manifest records.
Result<std::vector<FileInfo>> ResolveInputFiles(const std::string& spec);

}  // namespace mergeflow
