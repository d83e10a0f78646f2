// Expanding an input argument (file, directory, glob, "-") into data files.
#pragma once

#include <string>
#include <vector>

#include "io/file_system.h"

namespace mergeflow {

// The data files named by `spec`, in a stable order:
//  - "-": standard input (one entry, size 0);
//  - a directory: its files, skipping names that start with '_' or '.'
//    (as Spark and Hadoop do), sorted by name;
//  - a pattern with '*', '?' or '[': the matching files, sorted;
//  - anything else: that one file.
// A missing file, or a directory or pattern with no data file, is an IOError.
Result<std::vector<FileInfo>> ListInputFiles(const std::string& spec);

}  // namespace mergeflow
