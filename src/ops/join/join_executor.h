// RunJoin: the join command's operator. The hash join (engine/hash_join.h)
// pairs the rows; this operator formats each pair as an output row
// (RowEmitter) and writes the rows to an OutputSink.
#pragma once

#include <vector>

#include "engine/hash_join.h"
#include "io/output_sink.h"
#include "ops/join/output_schema.h"

namespace mergeflow {

// Joins `left` and `right` into `sink`, whose lanes must number
// options.threads (1 with keep_left_order). Returns BadInput naming the file
// and line of the first malformed row unless bad rows are skipped.
Status RunJoin(const JoinSide& left, const JoinSide& right, const std::vector<OutputColumn>& columns,
               char output_separator, const JoinOptions& options, OutputSink* sink, JoinStats* stats);

}  // namespace mergeflow
