// Deletes files: which rows of a dataset part later versions deleted or
// replaced, kept beside the part instead of rewriting it (an upsert's
// merge-on-read buckets; docs/datasets.md).
//
// A deletes file is the line "mergeflow deletes 1\n" and then, for each
// range of rows in order, two varints (common/varint.h): the gap since the
// previous range's end (since byte 0 for the first) and the range's length.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "io/file_system.h"

namespace mergeflow {

// `ranges` (sorted, disjoint) as a deletes file.
std::string EncodeRowDeletes(const std::vector<ByteRange>& ranges);

// The ranges of the deletes file `path` holding `contents`; BadInput naming
// the file when it is not one, or its ranges overlap, are empty or out of
// order.
Result<std::vector<ByteRange>> DecodeRowDeletes(std::string_view contents, const std::string& path);

// The ranges of the deletes file at `path` on `fs` (read whole, then
// DecodeRowDeletes).
Result<std::vector<ByteRange>> ReadRowDeletes(FileSystem* fs, const std::string& path);

// The union of sorted, disjoint `a` and `b`, sorted, with touching ranges
// joined.
std::vector<ByteRange> UniteRanges(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b);

}  // namespace mergeflow
