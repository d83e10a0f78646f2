// Shuffle: sends each row of this rank's share of one join input to the
// rank(s) RowRouter names, through a RowExchange, as the row's own bytes
// (one line each), except the right rows of a heavy key that semi and anti
// joins need only the first of (HeavyKey::first_right_row_only). Rows are
// parsed only to find their keys; malformed rows
// are reported (or skipped) here, with file and line, as the local join
// would.
#pragma once

#include <cstdint>
#include <vector>

#include "cluster/row_exchange.h"
#include "cluster/row_router.h"
#include "cluster/spread_keys.h"
#include "engine/hash_join.h"

namespace mergeflow {

struct ShuffleSideStats {
  uint64_t rows = 0;  // good rows read
  uint64_t bad_rows_skipped = 0;
  std::vector<BadRow> bad_row_samples;
  SpreadKeys spread_keys;  // the keys of the rows this side spread
};

// Reads `side` (this rank's ranges) on options.threads workers and hands
// its rows to `exchange` as stream int(which). Batches per destination are
// about `batch_bytes` long.
Status ShuffleSide(const JoinSide& side, Side which, const RowRouter& router, const JoinOptions& options,
                   size_t batch_bytes, RowExchange* exchange, ShuffleSideStats* stats);

}  // namespace mergeflow
