// MatchOutput: what a keyed operator makes of the rows the hash join pairs
// up. The join finds, for each key, the left and right rows that belong
// together (or a row alone, when the join type keeps rows that matched
// nothing); the operator's MatchOutput turns them into its result: the join
// formats output rows, aggregate accumulates statistics per group.
#pragma once

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "engine/row_ref.h"
#include "text/chunk_reader.h"

namespace mergeflow {

// One worker's share of a MatchOutput. The engine calls a lane from one
// thread at a time.
class MatchLane {
 public:
  virtual ~MatchLane() = default;

  // Takes one result: a left and a right row with equal keys, or one of
  // them alone (null: no row). The rows' bytes stay valid until ForgetRows.
  virtual void Take(const RowRef* left, const RowRef* right) = 0;
  // The rows given to Take so far may go away from now on.
  virtual void ForgetRows() = 0;
  // Probe chunk `chunk_id` is done (its rows forgotten). Results of a lane
  // may be handed on in chunk order here (the join's --order left).
  virtual Status EndChunk(uint32_t chunk_id) = 0;
  // Between units of other work: hands on what is buffered if it is a lot.
  virtual Status FlushIfFull() = 0;
  // Hands on everything buffered.
  virtual Status Flush() = 0;
  // Results taken since the lane was made.
  virtual uint64_t results() const = 0;
};

class MatchOutput {
 public:
  virtual ~MatchOutput() = default;
  // A lane for worker `worker` (0 <= worker < the join's threads). The
  // engine may make several lanes for one worker over a run, one at a time.
  // While the lane is given probe rows read from the input, `chunk` (when
  // not null) is the chunk they lie in, so that a problem found in a row
  // can be reported with its file and line (BadRowLog); rows read back from
  // spill files or from the build side come with no chunk.
  virtual std::unique_ptr<MatchLane> NewLane(int worker, const Chunk* chunk) = 0;
};

}  // namespace mergeflow
