// CheckMeta: aggregate's checks of META before any matrix row is read: every
// key at most once (a key twice is an error naming both lines), and how
// many groups there can be (which sizes the feature blocks).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "text/chunk_reader.h"
#include "text/dialect.h"

namespace mergeflow {

struct MetaFacts {
  uint64_t rows = 0;
  uint64_t groups = 0;  // distinct tuples of non-empty group values
};

// Reads every row of `reader` (rows of `fields` fields of `dialect`, after a
// header line in each file): `key_field` is the key, `group_fields`
// the --by columns. Fails with BadInput "FILE:LINE: key 'K' is also on line
// N" (or "... also in FILE2 on line N") for a repeated non-empty key, and as
// a scan fails for a malformed row (`skip_bad_rows`: skipped).
// With `groups_of_key`, every non-empty key's group values go there too.
Result<MetaFacts> CheckMeta(ChunkReader* reader, const Dialect& dialect, uint32_t fields,
                            uint32_t key_field, const std::vector<uint32_t>& group_fields, bool skip_bad_rows,
                            std::unordered_map<std::string, std::vector<std::string>>* groups_of_key = nullptr);

}  // namespace mergeflow
