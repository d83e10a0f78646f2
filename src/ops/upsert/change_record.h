// A Change as bytes, for changes spilled to disk by bucket group when they
// do not fit in memory (join/spill_files.h holds the records).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "ops/upsert/change_set.h"

namespace mergeflow {

// Appends the bytes of `change` (all but its key and `matched`) to `out`.
void EncodeChange(const Change& change, std::string* out);

// The change `bytes` encodes; Internal when they are cut short.
Result<Change> DecodeChange(std::string_view bytes);

}  // namespace mergeflow
