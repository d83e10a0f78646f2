#include "cluster/unmatched_filter.h"

#include <string>
#include <string_view>
#include <vector>

#include "engine/key_encoder.h"
#include "text/row_scanner.h"

namespace mergeflow {

class UnmatchedFilter::Lane : public MatchLane {
 public:
  Lane(const UnmatchedFilter* filter, std::unique_ptr<MatchLane> inner)
      : filter_(filter),
        inner_(std::move(inner)),
        encoders_{KeyEncoder(filter->sides_[0]->schema.key_fields.size(), filter->null_keys_equal_),
                  KeyEncoder(filter->sides_[1]->schema.key_fields.size(), filter->null_keys_equal_)} {}

  void Take(const RowRef* left, const RowRef* right) override {
    if (left == nullptr || right == nullptr) {
      const int side = left != nullptr ? 0 : 1;
      if (filter_->check_[side] && !OutputAlone(side, left != nullptr ? *left : *right)) return;
    }
    inner_->Take(left, right);
  }
  void ForgetRows() override { inner_->ForgetRows(); }
  Status EndChunk(uint32_t chunk_id) override { return inner_->EndChunk(chunk_id); }
  Status FlushIfFull() override { return inner_->FlushIfFull(); }
  Status Flush() override { return inner_->Flush(); }
  uint64_t results() const override { return inner_->results(); }

 private:
  // Whether this rank outputs `row` of `side`, which matched nothing here.
  bool OutputAlone(int side, const RowRef& row) {
    const JoinSide& input = *filter_->sides_[side];
    SplitFields(row.data, row.size, row.quoted, input.dialect, &fields_, &scratch_);
    values_.clear();
    for (uint32_t field : input.schema.key_fields) values_.push_back(fields_[field]);
    std::string_view key;
    uint64_t hash = 0;
    if (!encoders_[side].EncodeAndHash(values_.data(), &key, &hash)) return true;  // kept where it was read
    const RowRouter& router = filter_->router_;
    const int heavy = router.HeavyIndex(hash);
    if (heavy < 0 || !router.heavy()[heavy].Broadcasts(static_cast<Side>(side))) return true;
    if (filter_->spread_.Has(heavy, key)) return false;  // it meets its partners where they are
    return router.Owner(hash) == router.rank();
  }

  const UnmatchedFilter* filter_;
  std::unique_ptr<MatchLane> inner_;
  KeyEncoder encoders_[2];
  std::vector<std::string_view> fields_;
  std::vector<std::string_view> values_;
  std::string scratch_;
};

UnmatchedFilter::UnmatchedFilter(MatchOutput* inner, const RowRouter& router, const SpreadKeys& spread,
                                 const JoinSide& left, const JoinSide& right, const JoinOptions& options)
    : inner_(inner),
      router_(router),
      spread_(spread),
      sides_{&left, &right},
      null_keys_equal_(options.null_keys_equal) {
  for (int s = 0; s < 2; ++s) {
    // Rows of side s are broadcast for the heavy keys the other side spreads.
    bool broadcast = false;
    for (const HeavyKey& heavy : router.heavy()) broadcast |= heavy.Broadcasts(static_cast<Side>(s));
    check_[s] = broadcast && (s == 0 ? KeepsUnmatchedLeft(options.type) : KeepsUnmatchedRight(options.type));
  }
}

std::unique_ptr<MatchLane> UnmatchedFilter::NewLane(int worker, const Chunk* chunk) {
  return std::make_unique<Lane>(this, inner_->NewLane(worker, chunk));
}

}  // namespace mergeflow
