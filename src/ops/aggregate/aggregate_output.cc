#include "ops/aggregate/aggregate_output.h"

#include "text/row_scanner.h"

namespace mergeflow {

class AggregateOutput::Lane : public MatchLane {
 public:
  Lane(AggregateOutput* output, PartialGroups* groups, const Chunk* chunk)
      : output_(output),
        groups_(groups),
        chunk_(chunk),
        reader_(output->rows_.matrix_dialect, output->rows_.id_field, output->block_begin_, output->block_end_,
                output->check_all_, *output->rows_.feature_names, output->rows_.missing) {}

  void Take(const RowRef* matrix_row, const RowRef* meta_row) override {
    if (matrix_row == nullptr) return;  // a META row no matrix row has: not aggregated
    if (meta_row == nullptr) {
      ++groups_->unmatched_rows;
      return;
    }
    const int64_t group = GroupOf(*meta_row);
    if (group < 0) {
      ++groups_->null_group_rows;
      return;
    }
    if (!reader_.Read(*matrix_row, &values_, &problem_)) {
      ReportBadValue(*matrix_row);
      return;
    }
    GroupStates& states = groups_->states;
    const size_t g = static_cast<size_t>(group);
    states.CountRow(g);
    for (uint32_t f : values_.missing_features) states.AddMissing(g, f);
    for (size_t i = 0; i < values_.nonzero_features.size(); ++i)
      states.AddValue(g, values_.nonzero_features[i], values_.nonzero_values[i]);
    ++groups_->aggregated_rows;
    ++taken_;
  }
  void ForgetRows() override {}
  Status EndChunk(uint32_t) override { return outcome(); }
  Status FlushIfFull() override { return outcome(); }
  Status Flush() override { return outcome(); }
  uint64_t results() const override { return taken_; }

 private:
  // Stops the engine once a bad value was found in error mode (the error
  // itself is in the BadRowLog or the output's first spilled problem).
  Status outcome() const { return failed_ ? Status::BadInput("a matrix value is not a number") : Status::OK(); }

  // The group of a META row (-1 when a group value is empty), remembered by
  // the row's address: META rows stay where they are while this lane lives.
  int64_t GroupOf(const RowRef& meta_row) {
    auto cached = cache_.find(meta_row.data);
    if (cached != cache_.end()) return cached->second;
    SplitFields(meta_row.data, meta_row.size, meta_row.quoted, output_->rows_.meta_dialect, &fields_, &scratch_);
    std::vector<std::string> values;
    int64_t group = -1;
    for (uint32_t field : output_->rows_.group_fields) {
      if (fields_[field].empty()) break;
      values.emplace_back(fields_[field]);
    }
    if (values.size() == output_->rows_.group_fields.size()) group = static_cast<int64_t>(groups_->GroupOf(values));
    cache_.emplace(meta_row.data, group);
    return group;
  }

  void ReportBadValue(const RowRef& row) {
    if (chunk_ != nullptr) {
      if (!output_->bad_values_->Report(*chunk_, static_cast<uint64_t>(row.data - chunk_->data), problem_))
        failed_ = true;
      return;
    }
    std::lock_guard<std::mutex> lock(output_->mu_);
    ++output_->spilled_bad_rows_;
    if (output_->first_spilled_problem_.empty()) {
      output_->first_spilled_problem_ = problem_;
      output_->first_spilled_row_.assign(row.data, row.size);
    }
    if (!output_->bad_values_->skipping()) failed_ = true;
  }

  AggregateOutput* output_;
  PartialGroups* groups_;
  const Chunk* chunk_;
  RowValueReader reader_;
  RowValues values_;
  std::string problem_;
  std::unordered_map<const char*, int64_t> cache_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
  uint64_t taken_ = 0;
  bool failed_ = false;
};

AggregateOutput::AggregateOutput(const AggregateRows& rows, const StateNeeds& needs, size_t block_begin,
                                 size_t block_end, bool check_all, int workers, BadRowLog* bad_values)
    : rows_(rows), block_begin_(block_begin), block_end_(block_end), check_all_(check_all), bad_values_(bad_values) {
  for (int w = 0; w < workers; ++w) workers_.push_back(std::make_unique<PartialGroups>(needs, block_end - block_begin));
}

std::unique_ptr<MatchLane> AggregateOutput::NewLane(int worker, const Chunk* chunk) {
  return std::make_unique<Lane>(this, workers_[worker].get(), chunk);
}

std::string AggregateOutput::first_spilled_problem() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_spilled_problem_;
}

std::string AggregateOutput::first_spilled_row() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_spilled_row_;
}

uint64_t AggregateOutput::spilled_bad_rows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spilled_bad_rows_;
}

}  // namespace mergeflow
