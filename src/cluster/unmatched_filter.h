// UnmatchedFilter: a MatchOutput in front of a rank's own (the join's rows)
// that keeps rows broadcast to every rank from being output as unmatched
// more than once, or at all when they matched elsewhere.
//
// The rows of a heavy key's other side reach every rank (row_router.h). A
// rank where such a row found no partner hands it on alone; when the join
// type outputs that side's unmatched rows, that is right on at most one
// rank. So a broadcast row given alone is dropped when its exact key was
// read on the spread side by any rank (it has partners there, and meets each
// on the rank that holds it), and otherwise kept only on the key's owner
// rank. Rows of keys that are not heavy pass untouched.
#pragma once

#include <memory>

#include "cluster/row_router.h"
#include "cluster/spread_keys.h"
#include "engine/hash_join.h"
#include "engine/match_output.h"

namespace mergeflow {

class UnmatchedFilter : public MatchOutput {
 public:
  // `spread` holds every rank's spread keys. The arguments must outlive the
  // object.
  UnmatchedFilter(MatchOutput* inner, const RowRouter& router, const SpreadKeys& spread, const JoinSide& left,
                  const JoinSide& right, const JoinOptions& options);

  std::unique_ptr<MatchLane> NewLane(int worker, const Chunk* chunk) override;

 private:
  class Lane;

  MatchOutput* const inner_;
  const RowRouter& router_;
  const SpreadKeys& spread_;
  const JoinSide* sides_[2];
  const bool null_keys_equal_;
  bool check_[2];  // whether rows of that side given alone may have been broadcast
};

}  // namespace mergeflow
