// A ChangeView as bytes, for changes spilled to disk by bucket group when they
// do not fit in memory (join/spill_files.h holds the records).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "ops/upsert/change_table.h"

namespace mergeflow {

// Appends the bytes of `change` to `out`.
void EncodeChange(const ChangeView& change, std::string* out);

// The change `bytes` encodes (its strings are slices of `bytes`); Internal
// when they are cut short.
Result<ChangeView> DecodeChange(std::string_view bytes);

}  // namespace mergeflow
