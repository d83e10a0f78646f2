#include "ops/join/join_row_output.h"

#include "ops/join/join_executor.h"
#include "ops/join/row_emitter.h"

namespace mergeflow {

class JoinRowOutput::Lane : public MatchLane {
 public:
  Lane(JoinRowOutput* output, int sink_lane)
      : output_(output),
        emitter_(output->columns_, output->left_.dialect, static_cast<uint32_t>(output->left_.schema.names.size()),
                 output->right_.dialect, static_cast<uint32_t>(output->right_.schema.names.size()),
                 output->separator_),
        out_(output->sink_, sink_lane) {}

  void Take(const RowRef* left, const RowRef* right) override {
    emitter_.Emit(left, right, out_.text());
    out_.RowAdded();
  }
  void ForgetRows() override { emitter_.ForgetRows(); }
  Status EndChunk(uint32_t chunk_id) override {
    return output_->in_chunk_order_ ? out_.DeliverInOrder(&output_->sequencer_, chunk_id) : out_.FlushIfFull();
  }
  Status FlushIfFull() override { return out_.FlushIfFull(); }
  Status Flush() override { return out_.Flush(); }
  uint64_t results() const override { return out_.total_rows(); }

 private:
  JoinRowOutput* output_;
  RowEmitter emitter_;
  OutputBuffer out_;
};

std::unique_ptr<MatchLane> JoinRowOutput::NewLane(int worker, const Chunk*) {
  return std::make_unique<Lane>(this, in_chunk_order_ ? 0 : worker);
}

Status RunJoin(const JoinSide& left, const JoinSide& right, const std::vector<OutputColumn>& columns,
               char output_separator, const JoinOptions& options, OutputSink* sink, JoinStats* stats) {
  JoinRowOutput output(columns, left, right, output_separator, options.keep_left_order, sink);
  return RunHashJoin(left, right, options, &output, stats);
}

}  // namespace mergeflow
