// JoinRowOutput: the join's MatchOutput. Each result becomes one output row
// (RowEmitter), buffered per worker and written to a lane of an OutputSink
// about a megabyte at a time; with --order left, each probe chunk's rows
// reach lane 0 in chunk order.
#pragma once

#include <memory>
#include <vector>

#include "engine/hash_join.h"
#include "engine/match_output.h"
#include "io/output_sink.h"
#include "ops/join/output_buffer.h"
#include "ops/join/output_schema.h"

namespace mergeflow {

class JoinRowOutput : public MatchOutput {
 public:
  // Rows of `columns` from rows of `left` and `right`, fields separated by
  // `separator`, into `sink` (lane = worker, or lane 0 in chunk order when
  // `in_chunk_order`). The arguments must outlive the object.
  JoinRowOutput(const std::vector<OutputColumn>& columns, const JoinSide& left, const JoinSide& right, char separator,
                bool in_chunk_order, OutputSink* sink)
      : columns_(columns), left_(left), right_(right), separator_(separator), in_chunk_order_(in_chunk_order),
        sink_(sink) {}

  std::unique_ptr<MatchLane> NewLane(int worker, const Chunk* chunk) override;

 private:
  class Lane;

  const std::vector<OutputColumn>& columns_;
  const JoinSide& left_;
  const JoinSide& right_;
  const char separator_;
  const bool in_chunk_order_;
  OutputSink* const sink_;
  ChunkSequencer sequencer_;
};

}  // namespace mergeflow
