// Key frequencies at the start of one rank's share of an input, from which
// the ranks together find the keys heavy enough to spread (row_router.h).
#pragma once

#include <string>

#include "cluster/row_router.h"
#include "engine/hash_join.h"

namespace mergeflow {

// Counts the key hashes of up to `max_rows` rows read through side.reader
// (rows are consumed: give a reader of its own) and keeps the `top` most
// frequent. Malformed rows are left for the real pass to report.
Result<SideSample> SampleKeys(const JoinSide& side, bool null_keys_equal, uint64_t max_rows, size_t top);

// A SideSample as bytes, to gather from every rank, and back.
std::string EncodeSample(const SideSample& sample);
SideSample DecodeSample(const std::string& bytes, size_t* at);

}  // namespace mergeflow
